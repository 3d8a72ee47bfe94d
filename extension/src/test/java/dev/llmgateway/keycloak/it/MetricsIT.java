package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.llmgateway.keycloak.observe.Metric;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * Keycloak's {@code /metrics} on the management port, scraped before and after real gateway calls against the fake
 * vendors: each counter moved by exactly what the calls did (requests by outcome, tokens as the vendor reported them,
 * cost as the ledger recorded it, fallbacks, cooldowns, refusals, BYOK attempts, health checks, histogram counts), and
 * nothing in the scrape names a user, a key, a prompt or the caller's raw model string.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class MetricsIT {

    private static final String MODEL = "gpt-4o-mini";
    private static final String DOWN = "Metrics down";
    private static final String UP = "Metrics up";
    private static final String BROKEN = "Metrics broken";
    private static final String DOWN_KEY = "sk-test-metrics-fail503-Dq71";
    private static final String UP_KEY = "sk-test-metrics-up-Uk52";
    private static final String BROKEN_KEY = "sk-test-metrics-broken-Bz09";
    private static final String OWN_KEY = "sk-test-metrics-own-Ow33";
    private static final String PROMPT = "Metrics prompt: the secret recipe is 4711";
    private static final String NO_SUCH_MODEL = "metrics-no-such-model-Zr8";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    private final FakeVendors vendors = FakeVendors.get();
    private final HttpClient http = HttpClient.newHttpClient();

    /** One sample line of the scrape. */
    private record Sample(String name, Map<String, String> labels, double value) {}

    /** A sample, its labels (quoted values may hold braces) and value; with tracing on, an exemplar may follow. */
    private static final Pattern LINE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)})? (\\S+)(?: # .*)?$");

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private String scrapeText() {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(urls.getMetric())).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "the management port serves /metrics");
            return r.body();
        } catch (IOException e) {
            throw new AssertionError("could not scrape " + urls.getMetric(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }

    /** A scrape: the sum of the samples of a name whose labels include the given ones. */
    private final class Scrape {
        final String text;
        final List<Sample> samples;

        Scrape() {
            text = scrapeText();
            samples = parse(text);
        }

        double sum(String name, String... labels) {
            double total = 0;
            for (Sample s : samples) {
                if (s.name().equals(name) && matches(s.labels(), labels)) {
                    total += s.value();
                }
            }
            return total;
        }

        private boolean matches(Map<String, String> have, String... want) {
            for (int i = 0; i < want.length; i += 2) {
                if (!want[i + 1].equals(have.get(want[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    private String[] realmAnd(String... more) {
        String[] out = new String[more.length + 2];
        out[0] = "realm";
        out[1] = realm.getName();
        System.arraycopy(more, 0, out, 2, more.length);
        return out;
    }

    private double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.sum(name, realmAnd(labels)) - before.sum(name, realmAnd(labels));
    }

    private void provider(String name, String key, int priority, List<String> models, String expectedStatus) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "openai");
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl("openai"));
        body.put("priority", priority);
        body.put("autoFallback", true);
        body.put("models", models);
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        assertEquals(expectedStatus, r.json().get("provider").get("status").asText(), r.text());
    }

    private String chatUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions";
    }

    private Api.Reply chat(String token, String model, boolean stream) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", PROMPT)));
        if (stream) {
            body.put("stream", true);
            body.put("stream_options", Map.of("include_usage", true));
        }
        return Api.post(chatUrl(), token, body);
    }

    /** The ledger's events of this realm's calls through a provider, once {@code expected} of them are written. */
    private List<Map<String, Object>> ledger(int expected, String providerName, boolean byok) {
        return Db.waitFor(
                expected,
                "select e.* from LLM_USAGE_EVENT e join LLM_PROVIDER p on p.ID = e.PROVIDER_ID"
                        + " where e.REALM_ID = ? and p.NAME = ? and e.BYOK = ?",
                realm.getId(),
                providerName,
                byok);
    }

    private static long total(List<Map<String, Object>> rows, String column) {
        return rows.stream()
                .mapToLong(r -> ((Number) r.get(column)).longValue())
                .sum();
    }

    private static BigDecimal cost(List<Map<String, Object>> rows) {
        return rows.stream()
                .map(r -> new BigDecimal(r.get("COST").toString()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Test
    void countersMoveByExactlyWhatTheCallsDid() throws InterruptedException {
        String admin = Api.masterAdminToken();
        // Two failures open a provider's breaker; one level without limits, one with a budget smaller than one call.
        assertEquals(
                200,
                Api.put(
                                Api.admin(realm.getName(), "/routing/rules"),
                                admin,
                                Map.of("retry", Map.of("cooldown_after_failures", 2, "cooldown_seconds", 120)))
                        .status());
        Api.Reply levels = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                admin,
                Map.of(
                        "default",
                        "open",
                        "levels",
                        List.of(
                                // Lowest first: a level also reaches what the levels below it reach.
                                Map.of(
                                        "id",
                                        "tight",
                                        "name",
                                        "Tight",
                                        "models",
                                        List.of(MODEL),
                                        "monthly_budget",
                                        new BigDecimal("0.0001")),
                                Map.of("id", "open", "name", "Open", "models", List.of("*")))));
        assertEquals(200, levels.status(), levels.text());
        UPConfig profile = realm.admin().users().userProfile().getConfiguration();
        profile.setUnmanagedAttributePolicy(UPConfig.UnmanagedAttributePolicy.ENABLED);
        realm.admin().users().userProfile().update(profile);
        realm.addUser(UserBuilder.create("metrics-spender")
                .enabled(true)
                .email("metrics-spender@example.org")
                .name("Metrics", "Spender")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD)
                .attribute("llm_power_level", "tight"));
        assertEquals(
                200,
                Api.put(
                                Api.admin(realm.getName(), "/byok/settings"),
                                admin,
                                "{\"provider_types\":null,\"fallback_to_organization_key\":false}")
                        .status());
        provider(DOWN, DOWN_KEY, 100, List.of(MODEL), "active");
        provider(UP, UP_KEY, 10, List.of(MODEL, "gpt-4o"), "active");
        String user = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        String spender = Api.token(realm.getName(), "metrics-spender", LlmRealmConfig.PASSWORD);

        // 1. Fallbacks, a cooldown, a stream: three calls answered by the backup.
        Scrape before = new Scrape();
        Api.Reply first = chat(user, MODEL, false);
        assertEquals(200, first.status(), first.text());
        assertEquals(UP, first.header("X-LLM-Provider"));
        Api.Reply streamed = chat(user, MODEL, true);
        assertEquals(200, streamed.status(), streamed.text());
        assertEquals("2", streamed.header("X-LLM-Attempts"), "the stream fell back too");
        Api.Reply third = chat(user, MODEL, false);
        assertEquals("1", third.header("X-LLM-Attempts"), "the primary cools down after two failures");
        List<Map<String, Object>> events = ledger(3, UP, false);
        Scrape after = new Scrape();

        assertEquals(
                3, delta(before, after, "llm_gateway_requests_total", "provider", UP, "model", MODEL, "outcome", "ok"));
        assertEquals(
                2, delta(before, after, "llm_gateway_fallbacks_total", "provider", DOWN, "reason", "server_error"));
        assertEquals(1, delta(before, after, "llm_gateway_cooldowns_total", "provider", DOWN));
        assertTrue(after.sum("llm_gateway_providers_cooling") >= 1, "a provider is cooling down");
        assertEquals(
                2,
                delta(
                        before,
                        after,
                        "llm_gateway_upstream_latency_seconds_count",
                        "provider",
                        DOWN,
                        "result",
                        "failed"));
        assertEquals(
                3, delta(before, after, "llm_gateway_upstream_latency_seconds_count", "provider", UP, "result", "ok"));
        assertEquals(1, delta(before, after, "llm_gateway_stream_first_byte_seconds_count", "provider", UP));
        assertEquals(3, delta(before, after, "llm_gateway_added_latency_seconds_count"));
        assertTrue(delta(before, after, "llm_gateway_added_latency_seconds_sum") > 0);
        // Tokens as the vendor reported them and the ledger stored them; cost as the ledger priced it.
        String[] model = {"provider", UP, "model", MODEL};
        assertEquals(3 * FakeVendors.PROMPT_TOKENS, total(events, "PROMPT_TOKENS"));
        assertEquals(
                total(events, "PROMPT_TOKENS"),
                delta(before, after, "llm_gateway_tokens_total", concat(model, "kind", "input")));
        assertEquals(
                total(events, "COMPLETION_TOKENS"),
                delta(before, after, "llm_gateway_tokens_total", concat(model, "kind", "output")));
        assertEquals(
                total(events, "CACHED_TOKENS"),
                delta(before, after, "llm_gateway_tokens_total", concat(model, "kind", "cached")));
        assertEquals(
                total(events, "CACHE_WRITE_TOKENS"),
                delta(before, after, "llm_gateway_tokens_total", concat(model, "kind", "cache_write")));
        BigDecimal ledgerCost = cost(events);
        assertTrue(ledgerCost.signum() > 0, "gpt-4o-mini is priced: " + ledgerCost);
        assertEquals(
                ledgerCost.doubleValue(),
                delta(before, after, "llm_gateway_cost_usd_total", concat(model, "paid_by", "organization")),
                1e-12);
        assertEquals(0, after.sum("llm_gateway_ledger_dropped_total") - before.sum("llm_gateway_ledger_dropped_total"));
        assertTrue(
                after.sum("llm_gateway_ledger_write_lag_seconds_count")
                        > before.sum("llm_gateway_ledger_write_lag_seconds_count"),
                "the ledger's batches are measured");
        assertTrue(after.text.contains("llm_gateway_ledger_queue_depth "), "the queue's gauge is shown");

        // 2. Refusals: a model above the level, a spent budget, a model nobody offers.
        before = new Scrape();
        assertEquals(403, chat(spender, "gpt-4o", false).status());
        assertEquals(200, chat(spender, MODEL, false).status(), "within the budget until this call");
        Api.Reply refused = chat(spender, MODEL, false);
        assertEquals(429, refused.status(), refused.text());
        assertEquals(404, chat(user, NO_SUCH_MODEL, false).status());
        ledger(4, UP, false);
        after = new Scrape();
        assertEquals(1, delta(before, after, "llm_gateway_refusals_total", "reason", "level"));
        assertEquals(1, delta(before, after, "llm_gateway_refusals_total", "reason", "budget"));
        String[] none = {"provider", "none", "model", "none"};
        assertEquals(1, delta(before, after, "llm_gateway_requests_total", concat(none, "outcome", "refused_level")));
        assertEquals(1, delta(before, after, "llm_gateway_requests_total", concat(none, "outcome", "refused_budget")));
        assertEquals(1, delta(before, after, "llm_gateway_requests_total", concat(none, "outcome", "unknown_model")));
        assertEquals(1, delta(before, after, "llm_gateway_requests_total", concat(model, "outcome", "ok")));

        // 3. A call with the user's own key: a BYOK attempt, its cost paid by the user.
        Api.Reply own = Api.put(
                Api.BASE + "/realms/" + realm.getName() + "/llm/me/keys/openai", user, Map.of("apiKey", OWN_KEY));
        assertEquals(200, own.status(), own.text());
        before = new Scrape();
        Api.Reply byok = chat(user, MODEL, false);
        assertEquals(200, byok.status(), byok.text());
        List<Map<String, Object>> byokEvents = ledger(1, UP, true);
        after = new Scrape();
        assertEquals(1, delta(before, after, "llm_gateway_byok_calls_total", "provider", UP, "result", "ok"));
        assertEquals(
                cost(byokEvents).doubleValue(),
                delta(before, after, "llm_gateway_cost_usd_total", concat(model, "paid_by", "user")),
                1e-12);
        assertEquals(0, delta(before, after, "llm_gateway_cost_usd_total", concat(model, "paid_by", "organization")));

        // 4. The health check of a provider in error: failed while its vendor is down, ok once, then it is active.
        vendors.outage(BROKEN_KEY, true);
        try {
            provider(BROKEN, BROKEN_KEY, 50, List.of("metrics-broken-model"), "error");
            awaitCount("llm_gateway_health_checks_total", 1, "provider", BROKEN, "result", "failed");
        } finally {
            vendors.outage(BROKEN_KEY, false);
        }
        awaitCount("llm_gateway_health_checks_total", 1, "provider", BROKEN, "result", "ok");
        Thread.sleep(2 * LlmServerConfig.PROVIDER_HEALTH_INTERVAL_MS + 500);
        Scrape last = new Scrape();
        assertEquals(
                1,
                last.sum("llm_gateway_health_checks_total", realmAnd("provider", BROKEN, "result", "ok")),
                "an active provider is not checked again");

        // Nothing in the scrape names a user, a key, the prompt or the caller's raw model string.
        List<String> secrets = new ArrayList<>(List.of(
                DOWN_KEY,
                UP_KEY,
                BROKEN_KEY,
                OWN_KEY,
                PROMPT,
                "secret recipe",
                NO_SUCH_MODEL,
                "plainuser",
                "metrics-spender",
                realm.admin().users().search("plainuser").get(0).getId(),
                realm.admin().users().search("metrics-spender").get(0).getId()));
        for (String s : secrets) {
            assertFalse(last.text.contains(s), "the scrape holds " + s);
        }
        // Only the documented names carry the gateway's prefix.
        for (Sample s : last.samples) {
            if (s.name().startsWith("llm_gateway_")) {
                assertTrue(Metric.allSeries().contains(s.name()), s.name() + " is documented");
            }
        }
        Api.delete(Api.BASE + "/realms/" + realm.getName() + "/llm/me/keys/openai", user);
    }

    private void awaitCount(String name, double expected, String... labels) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        double seen;
        while ((seen = new Scrape().sum(name, realmAnd(labels))) < expected) {
            assertTrue(
                    System.currentTimeMillis() < deadline, name + " " + List.of(labels) + " reached " + seen + " only");
            Thread.sleep(200);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
