package dev.llmgateway.keycloak.observe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every metric the gateway registers, in one list: its Micrometer name, the name Keycloak's {@code /metrics} shows
 * (Prometheus), its labels and, for histograms, the bucket bounds. The Grafana dashboard (docs/grafana) and
 * docs/operations.md use exactly these names; {@code GrafanaDashboardTest} checks the dashboard against this list.
 * Labels are bounded: the realm's name, a provider's name, a model id the realm configured, and the fixed words of
 * the enums in this package; never a user, a client, a key or a caller's text.
 */
public enum Metric {
    REQUESTS(
            "llm.gateway.requests",
            "llm_gateway_requests_total",
            Type.COUNTER,
            "Gateway calls by how they ended",
            List.of("realm", "provider", "model", "outcome")),
    ADDED_LATENCY(
            "llm.gateway.added.latency",
            "llm_gateway_added_latency_seconds",
            Type.TIMER,
            "Time the gateway itself adds to a call: from the request to the answer's headers, less the time waiting"
                    + " on vendors",
            List.of("realm"),
            ms(1),
            ms(2),
            ms(5),
            ms(10),
            ms(20),
            ms(50),
            ms(100),
            ms(250),
            ms(500),
            ms(1000),
            ms(2500)),
    UPSTREAM_LATENCY(
            "llm.gateway.upstream.latency",
            "llm_gateway_upstream_latency_seconds",
            Type.TIMER,
            "One attempt at a vendor: until its whole answer (not streamed) or its answer's headers (streamed)",
            List.of("realm", "provider", "result"),
            ms(50),
            ms(100),
            ms(250),
            ms(500),
            ms(1000),
            ms(2500),
            ms(5000),
            ms(10_000),
            ms(30_000),
            ms(60_000),
            ms(120_000)),
    STREAM_FIRST_BYTE(
            "llm.gateway.stream.first.byte",
            "llm_gateway_stream_first_byte_seconds",
            Type.TIMER,
            "Streamed calls: from the request to the first bytes of the vendor's stream",
            List.of("realm", "provider"),
            ms(50),
            ms(100),
            ms(250),
            ms(500),
            ms(1000),
            ms(2000),
            ms(5000),
            ms(10_000),
            ms(30_000)),
    TOKENS(
            "llm.gateway.tokens",
            "llm_gateway_tokens_total",
            Type.COUNTER,
            "Tokens the vendors reported (or the gateway estimated for a cut stream), by kind",
            List.of("realm", "provider", "model", "kind")),
    COST(
            "llm.gateway.cost",
            "llm_gateway_cost_usd_total",
            Type.COUNTER,
            "Cost in USD at the realm's prices, as the usage ledger records it",
            List.of("realm", "provider", "model", "paid_by")),
    FALLBACKS(
            "llm.gateway.fallbacks",
            "llm_gateway_fallbacks_total",
            Type.COUNTER,
            "Calls that went on to another provider after one failed; provider is the one that failed",
            List.of("realm", "provider", "reason")),
    COOLDOWNS(
            "llm.gateway.cooldowns",
            "llm_gateway_cooldowns_total",
            Type.COUNTER,
            "Cooldowns started: a provider is skipped for a while after failures",
            List.of("realm", "provider")),
    PROVIDERS_COOLING(
            "llm.gateway.providers.cooling",
            "llm_gateway_providers_cooling",
            Type.GAUGE,
            "Providers cooling down on this node now",
            List.of()),
    REFUSALS(
            "llm.gateway.refusals",
            "llm_gateway_refusals_total",
            Type.COUNTER,
            "Calls refused by a budget, a power level or a rate limit, and providers skipped at their rate limit",
            List.of("realm", "reason")),
    TOKEN_CHECKS(
            "llm.gateway.token.checks",
            "llm_gateway_token_checks_total",
            Type.COUNTER,
            "Bearer tokens of gateway calls: verified in full, or trusted from this node's recent full verification",
            List.of("result")),
    BYOK_CALLS(
            "llm.gateway.byok.calls",
            "llm_gateway_byok_calls_total",
            Type.COUNTER,
            "Attempts made with a user's own key, by result",
            List.of("realm", "provider", "result")),
    LEDGER_QUEUE(
            "llm.gateway.ledger.queue.depth",
            "llm_gateway_ledger_queue_depth",
            Type.GAUGE,
            "Usage events waiting to be written on this node",
            List.of()),
    LEDGER_WRITE_LAG(
            "llm.gateway.ledger.write.lag",
            "llm_gateway_ledger_write_lag_seconds",
            Type.TIMER,
            "Age of the oldest event of each batch the usage ledger wrote, at the time it was written",
            List.of(),
            ms(10),
            ms(50),
            ms(100),
            ms(250),
            ms(500),
            ms(1000),
            ms(2500),
            ms(5000),
            ms(10_000),
            ms(30_000),
            ms(60_000)),
    LEDGER_DROPPED(
            "llm.gateway.ledger.dropped",
            "llm_gateway_ledger_dropped_total",
            Type.COUNTER,
            "Usage events lost: the queue was full, or a batch could not be written",
            List.of("reason")),
    HEALTH_CHECKS(
            "llm.gateway.health.checks",
            "llm_gateway_health_checks_total",
            Type.COUNTER,
            "Background connection tests of providers in error, by result",
            List.of("realm", "provider", "result"));

    /** How Micrometer registers it. */
    public enum Type {
        COUNTER,
        GAUGE,
        TIMER
    }

    private final String meterName;
    private final String prometheusName;
    private final Type type;
    private final String description;
    private final List<String> labels;
    private final Duration[] buckets;

    Metric(
            String meterName,
            String prometheusName,
            Type type,
            String description,
            List<String> labels,
            Duration... buckets) {
        this.meterName = meterName;
        this.prometheusName = prometheusName;
        this.type = type;
        this.description = description;
        this.labels = labels;
        this.buckets = buckets;
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** The name given to Micrometer. */
    public String meterName() {
        return meterName;
    }

    /** The name on {@code /metrics}; a histogram's series add {@code _bucket}, {@code _count}, {@code _sum}, {@code _max}. */
    public String prometheusName() {
        return prometheusName;
    }

    public Type type() {
        return type;
    }

    public String description() {
        return description;
    }

    public List<String> labels() {
        return labels;
    }

    /** A histogram's bucket bounds (its service-level objectives); empty for counters and gauges. */
    public Duration[] buckets() {
        return buckets.clone();
    }

    /** The series this metric shows on {@code /metrics}. */
    public List<String> series() {
        if (type != Type.TIMER) {
            return List.of(prometheusName);
        }
        List<String> out = new ArrayList<>();
        for (String suffix : List.of("_bucket", "_count", "_sum", "_max")) {
            out.add(prometheusName + suffix);
        }
        return out;
    }

    /** Every series of every metric. */
    public static Set<String> allSeries() {
        Set<String> out = new LinkedHashSet<>();
        for (Metric m : values()) {
            out.addAll(m.series());
        }
        return out;
    }
}
