package dev.llmgateway.keycloak.observe;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import dev.llmgateway.keycloak.core.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The gateway's metrics ({@link Metric}), registered in Keycloak's own Micrometer registry: {@link Metrics#globalRegistry},
 * to which Keycloak's Quarkus adds its Prometheus registry when {@code metrics-enabled} is on (Keycloak's own event
 * metrics are registered there too). With metrics off the global registry holds no registry and every meter is a
 * no-op.
 *
 * <p>Meters are looked up once per label combination and kept: the hot path costs a map lookup, not Micrometer's
 * tag sorting and registry search. Label values are bounded ({@link Metric}); a null one is shown as {@value #NONE}.
 */
public final class GatewayMetrics {

    /** The label value for "not applicable" (no provider was chosen, no model called). */
    public static final String NONE = "none";

    private static final GatewayMetrics GLOBAL = new GatewayMetrics(Metrics.globalRegistry);

    /** The result of one attempt at a vendor: the {@code result} label of {@link Metric#UPSTREAM_LATENCY}. */
    public enum AttemptResult {
        OK("ok"),
        /** The provider failed (429, 5xx, 401/403/404/408, timeout, connection error, unreadable answer). */
        FAILED("failed"),
        /** The vendor refused the caller's request (other 4xx). */
        REFUSED("refused");

        final String label;

        AttemptResult(String label) {
            this.label = label;
        }
    }

    /** The result of an attempt with a user's own key: the {@code result} label of {@link Metric#BYOK_CALLS}. */
    public enum ByokResult {
        OK("ok"),
        /** The vendor refused the key (401/403), or it could not be sent. */
        KEY_REFUSED("key_refused"),
        /** The key's own rate limit at the vendor (429). */
        RATE_LIMITED("rate_limited"),
        /** The vendor failed (5xx, timeout, connection error …). */
        FAILED("failed"),
        /** The vendor refused the caller's request (other 4xx). */
        REQUEST_REFUSED("request_refused");

        final String label;

        ByokResult(String label) {
            this.label = label;
        }
    }

    /** Why usage events were lost: the {@code reason} label of {@link Metric#LEDGER_DROPPED}. */
    public enum DropReason {
        QUEUE_FULL("queue_full"),
        WRITE_FAILED("write_failed");

        final String label;

        DropReason(String label) {
            this.label = label;
        }
    }

    /** The {@code kind} label of {@link Metric#TOKENS}. */
    static final List<String> TOKEN_KINDS = List.of("input", "output", "cached", "cache_write", "reasoning");

    private record Key(Metric metric, String a, String b, String c, String d) {}

    /** One model's token counters, in the order of {@link #TOKEN_KINDS}. */
    private record TokenCounters(
            Counter input, Counter output, Counter cached, Counter cacheWrite, Counter reasoning) {}

    private final MeterRegistry registry;
    private final ConcurrentHashMap<Key, Object> meters = new ConcurrentHashMap<>();

    /** The metrics of Keycloak's registry: what the gateway uses. */
    public static GatewayMetrics get() {
        return GLOBAL;
    }

    /** Metrics in another registry (unit tests). */
    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * A call refused for {@code reason} (counted in {@link Metric#REFUSALS}; a reason that ends the call also counts a
     * request with its outcome in {@link Metric#REQUESTS}), or a provider skipped at its rate limit. Call it once per
     * refused call (or per skipped provider), nowhere else.
     */
    public static void refused(String realmName, Refusal reason) {
        GLOBAL.refusal(realmName, reason);
    }

    /** {@link #refused} in this instance's registry. */
    public void refusal(String realmName, Refusal reason) {
        counter(Metric.REFUSALS, realmName, reason.label(), null, null).increment();
        if (reason.outcome() != null) {
            request(realmName, null, null, reason.outcome());
        }
    }

    /** A gateway call's bearer token: verified in full, or trusted from this node's recent verification. */
    public void tokenCheck(boolean remembered) {
        counter(Metric.TOKEN_CHECKS, remembered ? "remembered" : "verified", null, null, null)
                .increment();
    }

    /** A call that ended; {@code provider} and {@code model} are the ones that answered (null when none did). */
    public void request(String realmName, String provider, String model, Outcome outcome) {
        counter(Metric.REQUESTS, realmName, provider, model, outcome.label()).increment();
    }

    /** The time the gateway itself added to a call (never the time waiting on vendors). */
    public void addedLatency(String realmName, long nanos) {
        timer(Metric.ADDED_LATENCY, realmName, null, null).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** One attempt at a vendor that got an answer or an error from it. */
    public void upstream(String realmName, String provider, AttemptResult result, long nanos) {
        timer(Metric.UPSTREAM_LATENCY, realmName, provider, result.label).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A stream's first bytes arrived, {@code nanos} after the caller's request. */
    public void firstByte(String realmName, String provider, long nanos) {
        timer(Metric.STREAM_FIRST_BYTE, realmName, provider, null).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The tokens and cost of one call, as the ledger records them. {@code byok}: the user's own key paid
     * ({@code paid_by="user"}), else the organisation; a null cost (an unpriced model) adds nothing.
     */
    public void usage(String realmName, String provider, String model, Usage usage, BigDecimal cost, boolean byok) {
        if (usage != null
                && (usage.promptTokens() | usage.completionTokens() | usage.cachedTokens() | usage.cacheWriteTokens())
                        != 0) {
            TokenCounters t = tokens(realmName, provider, model);
            t.input().increment(usage.promptTokens());
            t.output().increment(usage.completionTokens());
            t.cached().increment(usage.cachedTokens());
            t.cacheWrite().increment(usage.cacheWriteTokens());
            t.reasoning().increment(usage.reasoningTokens());
        }
        if (cost != null && cost.signum() > 0) {
            counter(Metric.COST, realmName, provider, model, byok ? "user" : "organization")
                    .increment(cost.doubleValue());
        }
    }

    /** A call left {@code provider} after it failed for {@code reason}, and another provider was called. */
    public void fallback(String realmName, String provider, FallbackReason reason) {
        counter(Metric.FALLBACKS, realmName, provider, reason.label(), null).increment();
    }

    public void cooldownStarted(String realmName, String provider) {
        counter(Metric.COOLDOWNS, realmName, provider, null, null).increment();
    }

    /** One attempt with a user's own key. */
    public void byokAttempt(String realmName, String provider, ByokResult result) {
        counter(Metric.BYOK_CALLS, realmName, provider, result.label, null).increment();
    }

    /** The background health check tested a provider in error. */
    public void healthCheck(String realmName, String provider, boolean answered) {
        counter(Metric.HEALTH_CHECKS, realmName, provider, answered ? "ok" : "failed", null)
                .increment();
    }

    public void ledgerDropped(DropReason reason, long events) {
        counter(Metric.LEDGER_DROPPED, reason.label, null, null, null).increment(events);
    }

    /** The usage ledger wrote a batch whose oldest event had waited {@code nanos}. */
    public void ledgerWritten(long nanos) {
        timer(Metric.LEDGER_WRITE_LAG, null, null, null).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    /** The node's providers in cooldown, read from {@code source} at each scrape. */
    public <T> void providersCooling(T source, ToDoubleFunction<T> count) {
        gauge(Metric.PROVIDERS_COOLING, source, count);
    }

    /** The ledger's queue depth, read from {@code source} at each scrape. */
    public <T> void ledgerQueue(T source, ToDoubleFunction<T> depth) {
        gauge(Metric.LEDGER_QUEUE, source, depth);
    }

    private Counter counter(Metric metric, String a, String b, String c, String d) {
        return (Counter) meter(
                new Key(metric, a, b, c, d),
                k -> Counter.builder(metric.meterName())
                        .description(metric.description())
                        .baseUnit(metric == Metric.COST ? "usd" : null)
                        .tags(tags(k))
                        .register(registry));
    }

    private Timer timer(Metric metric, String a, String b, String c) {
        return (Timer) meter(
                new Key(metric, a, b, c, null),
                k -> Timer.builder(metric.meterName())
                        .description(metric.description())
                        .tags(tags(k))
                        .publishPercentileHistogram(false)
                        .serviceLevelObjectives(metric.buckets())
                        .register(registry));
    }

    private TokenCounters tokens(String realmName, String provider, String model) {
        return (TokenCounters) meters.computeIfAbsent(new Key(Metric.TOKENS, realmName, provider, model, null), k -> {
            Counter[] c = new Counter[TOKEN_KINDS.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = Counter.builder(Metric.TOKENS.meterName())
                        .description(Metric.TOKENS.description())
                        .tags(tags(new Key(Metric.TOKENS, realmName, provider, model, TOKEN_KINDS.get(i))))
                        .register(registry);
            }
            return new TokenCounters(c[0], c[1], c[2], c[3], c[4]);
        });
    }

    private <T> void gauge(Metric metric, T source, ToDoubleFunction<T> value) {
        Gauge.builder(metric.meterName(), source, value)
                .description(metric.description())
                .strongReference(true)
                .register(registry);
    }

    private Object meter(Key key, Function<Key, Meter> create) {
        Object m = meters.get(key);
        return m != null ? m : meters.computeIfAbsent(key, create);
    }

    /** The metric's labels, in order, with the key's values. */
    private static Tags tags(Key k) {
        List<String> names = k.metric().labels();
        String[] values = {k.a(), k.b(), k.c(), k.d()};
        Tags tags = Tags.empty();
        for (int i = 0; i < names.size(); i++) {
            tags = tags.and(names.get(i), values[i] == null || values[i].isEmpty() ? NONE : values[i]);
        }
        return tags;
    }
}
