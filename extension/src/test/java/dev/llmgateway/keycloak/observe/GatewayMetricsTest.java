package dev.llmgateway.keycloak.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.llmgateway.keycloak.core.Usage;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The metrics as Keycloak's {@code /metrics} renders them (the Prometheus registry Keycloak runs): each {@link Metric}
 * appears under its documented name with exactly its labels, histograms have their buckets, and values add up.
 */
class GatewayMetricsTest {

    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GatewayMetrics metrics = new GatewayMetrics(registry);

    private void exerciseEveryMetric() {
        metrics.request("acme", "OpenAI", "gpt-4o-mini", Outcome.OK);
        metrics.addedLatency("acme", 3_000_000);
        metrics.upstream("acme", "OpenAI", GatewayMetrics.AttemptResult.OK, 400_000_000);
        metrics.firstByte("acme", "OpenAI", 300_000_000);
        metrics.usage(
                "acme", "OpenAI", "gpt-4o-mini", new Usage(1200, 80, 1000, 0, 0), new BigDecimal("0.000153"), false);
        metrics.fallback("acme", "OpenAI", FallbackReason.SERVER_ERROR);
        metrics.cooldownStarted("acme", "OpenAI");
        metrics.providersCooling(new int[] {2}, a -> a[0]);
        metrics.refusal("acme", Refusal.BUDGET);
        metrics.byokAttempt("acme", "OpenAI", GatewayMetrics.ByokResult.OK);
        metrics.ledgerQueue(new ArrayBlockingQueue<>(4), ArrayBlockingQueue::size);
        metrics.ledgerWritten(20_000_000);
        metrics.ledgerDropped(GatewayMetrics.DropReason.QUEUE_FULL, 1);
        metrics.healthCheck("acme", "OpenAI", false);
        metrics.tokenCheck(true);
    }

    /** Name → the label names of its samples (without {@code le}). */
    private Map<String, Set<String>> series(String scrape) {
        Map<String, Set<String>> out = new HashMap<>();
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches() || !m.group(1).startsWith("llm_gateway_")) {
                continue;
            }
            Set<String> labels = new TreeSet<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    if (!l.group(1).equals("le")) {
                        labels.add(l.group(1));
                    }
                }
            }
            out.put(m.group(1), labels);
        }
        return out;
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> out = new HashMap<>();
        Matcher l = LABEL.matcher(text == null ? "" : text);
        while (l.find()) {
            out.put(l.group(1), l.group(2));
        }
        return out;
    }

    /** The value of the sample of {@code name} with exactly the labels {@code labels} ({@code k="v",...}). */
    private double value(String scrape, String name, String labels) {
        Map<String, String> want = labels(labels);
        for (String line : scrape.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches() && m.group(1).equals(name) && labels(m.group(2)).equals(want)) {
                return Double.parseDouble(m.group(3));
            }
        }
        throw new AssertionError("no " + name + "{" + labels + "} in\n" + scrape);
    }

    @Test
    void everyMetricShowsUnderItsDocumentedNameWithExactlyItsLabels() {
        exerciseEveryMetric();
        Map<String, Set<String>> seen = series(registry.scrape());
        for (Metric m : Metric.values()) {
            for (String s : m.series()) {
                assertTrue(seen.containsKey(s), s + " is on /metrics: " + seen.keySet());
                assertEquals(new TreeSet<>(m.labels()), seen.get(s), "the labels of " + s);
            }
        }
        assertTrue(Metric.allSeries().containsAll(seen.keySet()), "nothing beyond the list: " + seen.keySet());
    }

    @Test
    void histogramsHaveTheirBucketsInSeconds() {
        exerciseEveryMetric();
        String scrape = registry.scrape();
        for (Metric m : Metric.values()) {
            if (m.type() != Metric.Type.TIMER) {
                continue;
            }
            for (var bound : m.buckets()) {
                String le = "le=\"" + (bound.toNanos() / 1e9) + "\"";
                assertTrue(
                        scrape.lines().anyMatch(l -> l.startsWith(m.prometheusName() + "_bucket{") && l.contains(le)),
                        m.prometheusName() + " has the bucket " + le);
            }
        }
        // 3 ms of added latency: not in the 2 ms bucket, in the 5 ms one.
        assertEquals(0, value(scrape, "llm_gateway_added_latency_seconds_bucket", "le=\"0.002\",realm=\"acme\""));
        assertEquals(1, value(scrape, "llm_gateway_added_latency_seconds_bucket", "le=\"0.005\",realm=\"acme\""));
        assertEquals(0.003, value(scrape, "llm_gateway_added_latency_seconds_sum", "realm=\"acme\""), 1e-9);
    }

    @Test
    void valuesAddUpOnTheSameSeries() {
        for (int i = 0; i < 3; i++) {
            metrics.request("acme", "OpenAI", "gpt-4o-mini", Outcome.OK);
            metrics.usage("acme", "OpenAI", "gpt-4o-mini", new Usage(10, 2, 4, 1, 3), new BigDecimal("0.25"), true);
        }
        metrics.refusal("acme", Refusal.PROVIDER_RATE_LIMIT);
        GatewayMetrics.refused("acme", Refusal.LEVEL); // the global registry: not this one
        metrics.refusal("acme", Refusal.RATE_LIMIT_TOKENS);
        String scrape = registry.scrape();
        assertEquals(
                3,
                value(
                        scrape,
                        "llm_gateway_requests_total",
                        "model=\"gpt-4o-mini\",outcome=\"ok\",provider=\"OpenAI\",realm=\"acme\""));
        String model = "model=\"gpt-4o-mini\",provider=\"OpenAI\",realm=\"acme\"";
        assertEquals(30, value(scrape, "llm_gateway_tokens_total", "kind=\"input\"," + model));
        assertEquals(6, value(scrape, "llm_gateway_tokens_total", "kind=\"output\"," + model));
        assertEquals(12, value(scrape, "llm_gateway_tokens_total", "kind=\"cached\"," + model));
        assertEquals(9, value(scrape, "llm_gateway_tokens_total", "kind=\"cache_write\"," + model));
        assertEquals(3, value(scrape, "llm_gateway_tokens_total", "kind=\"reasoning\"," + model));
        assertEquals(
                0.75,
                value(
                        scrape,
                        "llm_gateway_cost_usd_total",
                        "model=\"gpt-4o-mini\",paid_by=\"user\",provider=\"OpenAI\",realm=\"acme\""),
                1e-12);
        // A provider skipped at its limit is a refusal, not a refused request; a rate-limited call is both.
        assertEquals(1, value(scrape, "llm_gateway_refusals_total", "realm=\"acme\",reason=\"provider_rate_limit\""));
        assertEquals(
                1,
                value(
                        scrape,
                        "llm_gateway_requests_total",
                        "model=\"none\",outcome=\"refused_rate_limit\",provider=\"none\",realm=\"acme\""));
        assertFalse(scrape.contains("reason=\"level\""), "the static shortcut counts in Keycloak's registry");
    }

    @Test
    void everyLabelWordIsBoundedAndDocumentedOnce() {
        Set<String> names = new TreeSet<>();
        for (Metric m : Metric.values()) {
            assertTrue(names.add(m.prometheusName()), "unique: " + m.prometheusName());
            assertTrue(m.prometheusName().startsWith("llm_gateway_"), m.prometheusName());
            assertFalse(m.labels().contains("user"), m + " has no user label");
            assertFalse(m.labels().contains("client"), m + " has no client label");
        }
        assertEquals(List.of("input", "output", "cached", "cache_write", "reasoning"), GatewayMetrics.TOKEN_KINDS);
    }
}
