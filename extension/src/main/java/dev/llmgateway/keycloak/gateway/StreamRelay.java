package dev.llmgateway.keycloak.gateway;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * Reads a vendor's stream to its end whatever the caller does. It starts reading as soon as the vendor answers; the
 * caller gets the translated events as they come (those that came before it attached first). Once the caller has gone
 * (or if it never attaches), the rest is read and dropped as long as the vendor keeps sending (it is given up after
 * the upstream timeout without a byte), so the usage the vendor reports at the end still reaches the ledger. The end
 * is reported once: the usage, estimated from the text if the vendor reported none, and whether the caller got the
 * whole answer.
 */
public final class StreamRelay implements Flow.Subscriber<List<ByteBuffer>> {

    /** How a stream ended: its usage, whether that was estimated, and {@link CallRecord}'s result word. */
    public record End(Usage usage, boolean estimated, String result) {}

    /** Characters per token of the estimate (OpenAI's rule of thumb for English text). */
    static final int CHARS_PER_TOKEN = 4;

    /** Deadlines of streams nobody reads; cancelled ones leave the queue at once. */
    private static final ScheduledThreadPoolExecutor DEADLINES = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "llm-stream-deadlines");
        t.setDaemon(true);
        return t;
    });

    static {
        DEADLINES.setRemoveOnCancelPolicy(true);
    }

    /** Relays not yet ended, so that a stopping server can end them while the ledger still writes. */
    private static final Set<StreamRelay> LIVE = ConcurrentHashMap.newKeySet();

    private final StreamTranslator translator;
    private final long promptChars;
    private final long timeoutMillis;
    private final Consumer<End> onEnd;
    /** Told {@link System#nanoTime()} when the vendor's first bytes arrive; null once told (or never to be told). */
    private volatile LongConsumer firstBytes;

    // Guarded by this.
    private final List<byte[]> pending = new ArrayList<>();
    private MultiEmitter<? super byte[]> caller;
    private boolean callerGone;
    private boolean vendorDone;
    private Throwable vendorFailure;
    private boolean delivered;
    private boolean ended;
    private Flow.Subscription upstream;
    private ScheduledFuture<?> deadline;

    /** Starts reading {@code vendor} at once. */
    public StreamRelay(
            Flow.Publisher<List<ByteBuffer>> vendor,
            StreamTranslator translator,
            long promptChars,
            Duration timeout,
            Consumer<End> onEnd) {
        this(vendor, translator, promptChars, timeout, onEnd, null);
    }

    /** Starts reading {@code vendor} at once; {@code firstBytes} is told the time its first bytes arrive. */
    public StreamRelay(
            Flow.Publisher<List<ByteBuffer>> vendor,
            StreamTranslator translator,
            long promptChars,
            Duration timeout,
            Consumer<End> onEnd,
            LongConsumer firstBytes) {
        this.firstBytes = firstBytes;
        this.translator = translator;
        this.promptChars = promptChars;
        this.timeoutMillis = timeout.toMillis();
        this.onEnd = onEnd;
        LIVE.add(this);
        synchronized (this) {
            armDeadline();
        }
        vendor.subscribe(this);
    }

    /**
     * The server is stopping (after its HTTP requests finished or timed out): stops reading every stream still being
     * read and reports each as cancelled, with its usage so far (estimated from the text when the vendor had not
     * reported it yet), before the ledger writes its last batch. Returns how many it ended.
     */
    public static int endAll() {
        int n = 0;
        for (StreamRelay r : List.copyOf(LIVE)) {
            Flow.Subscription s;
            synchronized (r) {
                if (r.ended) {
                    continue;
                }
                s = r.vendorDone || r.vendorFailure != null ? null : r.upstream;
                if (r.caller != null && !r.callerGone) {
                    r.delivered = true;
                    r.caller.complete();
                }
            }
            if (s != null) {
                s.cancel();
            }
            r.end(CallRecord.CANCELLED);
            n++;
        }
        return n;
    }

    /** What the caller reads: the events so far, then the rest as it comes. */
    public Multi<byte[]> toCaller() {
        return Multi.createFrom().<byte[]>emitter(this::attach, BackPressureStrategy.BUFFER);
    }

    /** The caller went away: before reading (its request was cancelled while the vendor was called) or mid-stream. */
    public void callerLeft() {
        boolean endNow;
        synchronized (this) {
            if (callerGone || ended || delivered) {
                return;
            }
            callerGone = true;
            pending.clear();
            endNow = vendorDone || vendorFailure != null;
            if (!endNow) {
                armDeadline();
            }
        }
        if (endNow) {
            end(CallRecord.CANCELLED);
        }
    }

    private void attach(MultiEmitter<? super byte[]> emitter) {
        emitter.onTermination(this::callerLeft);
        String result = null;
        synchronized (this) {
            if (callerGone || ended) {
                emitter.complete();
                return;
            }
            caller = emitter;
            disarmDeadline();
            pending.forEach(emitter::emit);
            pending.clear();
            if (vendorFailure != null) {
                delivered = true;
                emitter.fail(vendorFailure);
                result = CallRecord.ERROR;
            } else if (vendorDone) {
                delivered = true;
                emitter.emit(translator.finish());
                emitter.complete();
                result = CallRecord.OK;
            }
        }
        if (result != null) {
            end(result);
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        synchronized (this) {
            upstream = s;
        }
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        LongConsumer first = firstBytes;
        if (first != null) {
            // onNext calls never overlap (reactive streams rule 1.3): no other thread reads or clears it meanwhile.
            firstBytes = null;
            first.accept(System.nanoTime());
        }
        List<byte[]> out = new ArrayList<>();
        for (ByteBuffer b : buffers) {
            out.addAll(translator.translate(b));
        }
        synchronized (this) {
            if (ended) {
                return;
            }
            if (callerGone || caller == null) {
                // Nobody reads: the vendor is still sending, so the timeout counts from now.
                armDeadline();
            }
            if (callerGone) {
                return;
            }
            if (caller == null) {
                pending.addAll(out);
            } else {
                out.forEach(caller::emit);
            }
        }
    }

    @Override
    public void onError(Throwable failure) {
        String result;
        synchronized (this) {
            vendorFailure = failure;
            if (caller != null && !callerGone) {
                delivered = true;
                caller.fail(failure);
                result = CallRecord.ERROR;
            } else if (callerGone) {
                result = CallRecord.CANCELLED;
            } else {
                return; // The caller may still attach and be told.
            }
        }
        end(result);
    }

    @Override
    public void onComplete() {
        String result;
        synchronized (this) {
            vendorDone = true;
            if (caller != null && !callerGone) {
                delivered = true;
                caller.emit(translator.finish());
                caller.complete();
                result = CallRecord.OK;
            } else if (callerGone) {
                result = CallRecord.CANCELLED;
            } else {
                return; // The whole answer waits for the caller.
            }
        }
        end(result);
    }

    /** If nothing comes and nobody reads for a timeout from now, stop reading and report what it had. Holding this. */
    private void armDeadline() {
        disarmDeadline();
        deadline = DEADLINES.schedule(this::deadlinePassed, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void disarmDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void deadlinePassed() {
        Flow.Subscription s;
        synchronized (this) {
            if (ended || (caller != null && !callerGone)) {
                return;
            }
            s = vendorDone || vendorFailure != null ? null : upstream;
        }
        if (s != null) {
            s.cancel();
        }
        end(CallRecord.CANCELLED);
    }

    private void end(String result) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            pending.clear();
            disarmDeadline();
        }
        LIVE.remove(this);
        Usage u = translator.usage();
        long text = translator.textChars();
        boolean estimated = false;
        if (!translator.usageFinal() && text > 0 && tokens(text) > u.completionTokens()) {
            // The vendor's final usage comes last; a stream cut short has text but no (or only a starting) count.
            long prompt = u.promptTokens() > 0 ? u.promptTokens() : tokens(promptChars);
            u = new Usage(
                    prompt,
                    tokens(text),
                    u.cachedTokens(),
                    u.reasoningTokens(),
                    u.cacheWriteTokens(),
                    u.cacheWrite1hTokens());
            estimated = true;
        }
        onEnd.accept(new End(u, estimated, result));
    }

    static long tokens(long chars) {
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }
}
