package dev.llmgateway.keycloak.limits;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.llmgateway.keycloak.core.RateLimits;
import org.jboss.logging.Logger;

/**
 * Requests and tokens per minute and concurrent streams, counted for the whole cluster in {@link SharedCounters}.
 * Every admission is a conditional write of the scope's {@link Window} (compare and set), so the nodes never admit
 * more than the limit between them: no 60-second span holds more admitted calls than the limit, on one node or many.
 * Calls of one scope on one node take turns (a lock per scope stripe), so only nodes compete for a write. Scopes
 * without limits cost nothing. When the shared store fails, calls are admitted (a limit never takes the gateway down)
 * and that is logged at most once a minute.
 */
public final class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    static final String WINDOW_PREFIX = "llm-rl|";
    static final String STREAMS_PREFIX = "llm-rs|";
    /** A window entry outlives its newest bucket. */
    static final long WINDOW_LIFESPAN_MS = 62_000;
    /** A node's count of open streams is believed this long after its last write (its heartbeat refreshes it). */
    static final long STREAM_PART_TTL_MS = 180_000;

    static final long STREAM_LIFESPAN_MS = 300_000;
    private static final int MAX_TRIES = 200;

    /** Which limit refused a call. */
    public enum Kind {
        REQUESTS("requests per minute"),
        TOKENS("tokens per minute"),
        STREAMS("concurrent streams");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /**
     * What one admission decided. When refused, {@code refused} names the limit, {@code limit} its value and
     * {@code retryAfterMillis} when the call would be admitted. The header figures (limit, remaining, reset in ms) are
     * those of OpenAI's {@code x-ratelimit-*} headers; a null limit has no headers.
     */
    public record Decision(
            Kind refused,
            long limit,
            long retryAfterMillis,
            Long limitRequests,
            long remainingRequests,
            long resetRequestsMillis,
            Long limitTokens,
            long remainingTokens,
            long resetTokensMillis,
            Charge charge) {

        public boolean allowed() {
            return refused == null;
        }

        public static final Decision UNLIMITED = new Decision(null, 0, 0, null, 0, 0, null, 0, 0, null);
    }

    /** Where a call's tokens were counted, so the count can follow the vendor's figures. */
    public record Charge(String key, long second, long tokens) {}

    /** One stream counted against a scope until released. */
    public static final class StreamSlot {
        private final String key;
        private final AtomicInteger released = new AtomicInteger();

        StreamSlot(String key) {
            this.key = key;
        }
    }

    private final SharedCounters store;
    private final LongSupplier clock;
    private final String node = UUID.randomUUID().toString().substring(0, 8);
    private final Object[] stripes = new Object[128];
    /** Streams this node holds open, per stream key: what its part of the shared count is. */
    private final Map<String, AtomicInteger> openStreams = new ConcurrentHashMap<>();

    private final AtomicLong lastFailureLog = new AtomicLong();

    public RateLimiter(SharedCounters store, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * Counts one call with {@code tokens} estimated tokens against the scope's requests and tokens per minute, or
     * refuses it. A scope without those limits is not counted.
     */
    public Decision admit(String scope, RateLimits limits, long tokens) {
        Integer rpm = limits.requestsPerMinute();
        Long tpm = limits.tokensPerMinute();
        if (rpm == null && tpm == null) {
            return Decision.UNLIMITED;
        }
        String key = WINDOW_PREFIX + scope;
        try {
            synchronized (stripe(key)) {
                for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
                    long now = clock.getAsLong();
                    long second = now / 1000;
                    String old = store.get(key);
                    Window w = Window.parse(old, second);
                    long requests = w.requests();
                    long used = w.tokens();
                    if (rpm != null && requests >= rpm) {
                        long retry = rpm == 0 ? 60_000 : w.millisUntilFreed(requests - rpm + 1, 0, now);
                        return refusal(Kind.REQUESTS, rpm, retry, rpm, tpm, w, now);
                    }
                    if (tpm != null && (used >= tpm || used + tokens > tpm)) {
                        long retry = tpm == 0 || tokens > tpm
                                ? 60_000
                                : w.millisUntilFreed(0, used + Math.max(tokens, 1) - tpm, now);
                        return refusal(Kind.TOKENS, tpm, retry, rpm, tpm, w, now);
                    }
                    w.add(second, 1, tokens);
                    String value = w.format();
                    boolean written = old == null
                            ? store.putIfAbsent(key, value, WINDOW_LIFESPAN_MS)
                            : store.replace(key, old, value, WINDOW_LIFESPAN_MS);
                    if (written) {
                        return admitted(rpm, tpm, w, now, new Charge(key, second, tokens));
                    }
                    contended(attempt);
                }
            }
            storeFailed("the shared count stayed contended", null);
        } catch (RuntimeException e) {
            storeFailed("the shared count could not be read or written", e);
        }
        return Decision.UNLIMITED;
    }

    /**
     * Makes a charge's tokens {@code actualTokens} (what the vendor reported), while its second is still counted. A call
     * that failed before a vendor served it passes 0.
     */
    public void settle(Charge charge, long actualTokens) {
        long delta = actualTokens - charge.tokens();
        if (delta == 0) {
            return;
        }
        try {
            synchronized (stripe(charge.key())) {
                for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
                    long now = clock.getAsLong();
                    String old = store.get(charge.key());
                    Window w = Window.parse(old, now / 1000);
                    if (old == null || charge.second() <= now / 1000 - Window.BUCKETS) {
                        return; // already out of the window: nothing left to correct
                    }
                    w.add(charge.second(), 0, delta);
                    if (store.replace(charge.key(), old, w.format(), WINDOW_LIFESPAN_MS)) {
                        return;
                    }
                    contended(attempt);
                }
            }
        } catch (RuntimeException e) {
            storeFailed("a token count could not be corrected", e);
        }
    }

    /** Opens one stream of the scope, or null when {@code max} are open on all nodes together. */
    public StreamSlot openStream(String scope, int max) {
        String key = STREAMS_PREFIX + scope;
        try {
            synchronized (stripe(key)) {
                AtomicInteger mine = openStreams.computeIfAbsent(key, k -> new AtomicInteger());
                for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
                    long now = clock.getAsLong();
                    String old = store.get(key);
                    StreamParts parts = StreamParts.parse(old, now - STREAM_PART_TTL_MS);
                    if (parts.othersThan(node) + mine.get() >= max) {
                        return null;
                    }
                    parts.set(node, mine.get() + 1, now);
                    if (write(key, old, parts.format())) {
                        mine.incrementAndGet();
                        return new StreamSlot(key);
                    }
                    contended(attempt);
                }
            }
            storeFailed("the shared stream count stayed contended", null);
        } catch (RuntimeException e) {
            storeFailed("the shared stream count could not be read or written", e);
        }
        return new StreamSlot(null);
    }

    /** Ends a stream (once; later calls do nothing). */
    public void closeStream(StreamSlot slot) {
        if (slot == null || slot.key == null || slot.released.getAndIncrement() > 0) {
            return;
        }
        AtomicInteger mine = openStreams.get(slot.key);
        if (mine != null) {
            mine.decrementAndGet();
        }
        publish(slot.key);
    }

    /** Refreshes this node's part of every shared stream count it holds (run every minute). */
    public void heartbeat() {
        openStreams.forEach((key, mine) -> {
            synchronized (stripe(key)) {
                publish(key);
                if (mine.get() <= 0) {
                    openStreams.remove(key, mine);
                }
            }
        });
    }

    private void publish(String key) {
        try {
            synchronized (stripe(key)) {
                AtomicInteger mine = openStreams.get(key);
                int count = mine == null ? 0 : Math.max(0, mine.get());
                for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
                    long now = clock.getAsLong();
                    String old = store.get(key);
                    StreamParts parts = StreamParts.parse(old, now - STREAM_PART_TTL_MS);
                    parts.set(node, count, now);
                    if (write(key, old, parts.format())) {
                        return;
                    }
                    contended(attempt);
                }
            }
        } catch (RuntimeException e) {
            storeFailed("a stream count could not be written", e);
        }
    }

    private boolean write(String key, String old, String value) {
        return old == null
                ? store.putIfAbsent(key, value, STREAM_LIFESPAN_MS)
                : store.replace(key, old, value, STREAM_LIFESPAN_MS);
    }

    private Object stripe(String key) {
        return stripes[(key.hashCode() & 0x7fffffff) % stripes.length];
    }

    private static void contended(int attempt) {
        if (attempt > 3) {
            Thread.onSpinWait();
            if (attempt > 20) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void storeFailed(String what, RuntimeException e) {
        long now = System.currentTimeMillis();
        long last = lastFailureLog.get();
        if (now - last > 60_000 && lastFailureLog.compareAndSet(last, now)) {
            LOG.warnf(
                    "LLM gateway: rate limits not applied to a call: %s%s",
                    what, e == null ? "" : " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Decision refusal(Kind kind, long limit, long retry, Integer rpm, Long tpm, Window w, long now) {
        Decision headers = admitted(rpm, tpm, w, now, null);
        return new Decision(
                kind,
                limit,
                retry,
                headers.limitRequests(),
                headers.remainingRequests(),
                headers.resetRequestsMillis(),
                headers.limitTokens(),
                headers.remainingTokens(),
                headers.resetTokensMillis(),
                null);
    }

    private static Decision admitted(Integer rpm, Long tpm, Window w, long now, Charge charge) {
        long reset = w.millisUntilEmpty(now);
        return new Decision(
                null,
                0,
                0,
                rpm == null ? null : rpm.longValue(),
                rpm == null ? 0 : Math.max(0, rpm - w.requests()),
                reset,
                tpm,
                tpm == null ? 0 : Math.max(0, tpm - w.tokens()),
                reset,
                charge);
    }
}
