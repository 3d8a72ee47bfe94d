package dev.llmgateway.keycloak.rest.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.powerlevel.PowerLevels;
import dev.llmgateway.keycloak.provider.ProviderRepresentation;
import dev.llmgateway.keycloak.rest.admin.ByokAdminResource.ByokOverview;
import dev.llmgateway.keycloak.rest.admin.ByokAdminResource.ByokSettingsView;
import dev.llmgateway.keycloak.rest.admin.ByokAdminResource.ByokUser;
import dev.llmgateway.keycloak.rest.admin.ByokAdminResource.CostSaved;
import dev.llmgateway.keycloak.rest.admin.ProvidersResource.TestOutcome;
import dev.llmgateway.keycloak.routing.RoutingRules;
import dev.llmgateway.keycloak.vendor.ConnectionResult;
import dev.llmgateway.keycloak.vendor.ListedModel;
import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;
import org.keycloak.util.JsonSerialization;

/**
 * The admin API's answers are records; their JSON must be byte for byte what the maps they replaced gave. Each case
 * builds the old map exactly as the resource built it and compares both texts under Keycloak's own mappers: the one
 * that writes REST answers and the one that writes admin event representations (both leave nulls out), and under a
 * plain ObjectMapper too, so the records do not depend on the server's configuration to leave nulls out.
 */
class AdminAnswersJsonTest {

    /** What writes the JAX-RS answers (Keycloak's ObjectMapperResolver). */
    private static final ObjectMapper REST = ObjectMapperResolver.createStreamSerializer();
    /** What writes admin event representations (AdminEventBuilder uses JsonSerialization). */
    private static final ObjectMapper EVENTS = JsonSerialization.mapper;
    /** An unconfigured mapper, as a test or another tool would use. */
    private static final ObjectMapper PLAIN = new ObjectMapper();
    /** Unconfigured but for leaving nulls out, as the brief of the change describes the server. */
    private static final ObjectMapper NON_NULL =
            new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static final ModelView MINI = new ModelView(
            "gpt-4o-mini",
            "p-1",
            "openai",
            "OpenAI",
            "GPT-4o mini",
            Decimals.plain(new BigDecimal("0.150")),
            Decimals.plain(new BigDecimal("0.6")),
            Decimals.plain(new BigDecimal("1E-7")),
            null,
            null,
            null,
            "catalog",
            128000,
            80,
            true,
            true);
    private static final ModelView UNPRICED = new ModelView(
            "text-embedding-3-small",
            "p-1",
            "openai",
            "OpenAI",
            "text-embedding-3-small",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            false,
            false);
    private static final ModelView SONNET = new ModelView(
            "claude-sonnet-4-5",
            "p-2",
            "anthropic",
            "Anthropic",
            "Claude Sonnet 4.5",
            Decimals.plain(new BigDecimal("3")),
            Decimals.plain(new BigDecimal("15")),
            Decimals.plain(new BigDecimal("0.3")),
            Decimals.plain(new BigDecimal("3.75")),
            Decimals.plain(new BigDecimal("6")),
            null,
            "vendor",
            200000,
            90,
            true,
            true);

    private static ProviderRepresentation provider(List<ModelView> models, boolean withModels) {
        return new ProviderRepresentation(
                "p-1",
                "OpenAI",
                "openai",
                "OpenAI",
                "#10A37F",
                "https://api.openai.com/v1",
                false,
                "…abcd",
                50,
                true,
                true,
                "active",
                1,
                Decimals.plain(new BigDecimal("0.375000")),
                false,
                1763884800000L,
                142L,
                null,
                1763884000000L,
                1763884800000L,
                null,
                withModels ? models : null);
    }

    private static ProviderRepresentation failedProvider() {
        return new ProviderRepresentation(
                "p-2",
                "Anthropic",
                "anthropic",
                "Anthropic",
                "#D97757",
                "http://127.0.0.1:4010/anthropic",
                true,
                "…",
                50,
                true,
                true,
                "error",
                0,
                null,
                true,
                null,
                null,
                "Invalid API key: Anthropic refused it (HTTP 401)",
                1763884000000L,
                1763884800000L,
                null,
                null);
    }

    /** The JSON of both objects is the same under every mapper; returns the REST text. */
    private static String same(Object old, Object now) throws Exception {
        for (ObjectMapper m : List.of(REST, EVENTS, NON_NULL)) {
            assertEquals(m.writeValueAsString(old), m.writeValueAsString(now));
        }
        String rest = REST.writeValueAsString(now);
        assertEquals(rest, PLAIN.writeValueAsString(now), "the record leaves nulls out by itself");
        assertFalse(rest.contains("null"), rest);
        return rest;
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    @Test
    void keycloaksMappersLeaveNullMapValuesOut() throws Exception {
        Map<String, Object> old = map("a", 1, "b", null);
        assertEquals("{\"a\":1}", REST.writeValueAsString(old));
        assertEquals("{\"a\":1}", EVENTS.writeValueAsString(old));
        assertEquals("{\"a\":1}", NON_NULL.writeValueAsString(old));
    }

    @Test
    void providerRepresentationKeepsItsFieldOrder() throws Exception {
        String json = REST.writeValueAsString(provider(List.of(MINI), true));
        assertEquals(
                "{\"id\":\"p-1\",\"name\":\"OpenAI\",\"type\":\"openai\",\"type_name\":\"OpenAI\",\"color\":\"#10A37F\","
                        + "\"base_url\":\"https://api.openai.com/v1\",\"base_url_overridden\":false,\"api_key_hint\":\"…abcd\","
                        + "\"priority\":50,\"auto_fallback\":true,\"enabled\":true,\"status\":\"active\",\"model_count\":1,"
                        + "\"avg_cost\":0.375,\"models_pinned\":false,\"last_tested_at\":1763884800000,\"last_latency_ms\":142,"
                        + "\"created_at\":1763884000000,\"updated_at\":1763884800000,\"models\":[{\"id\":\"gpt-4o-mini\","
                        + "\"provider_id\":\"p-1\",\"provider_type\":\"openai\",\"provider_name\":\"OpenAI\",\"name\":\"GPT-4o mini\","
                        + "\"input_price\":0.15,\"output_price\":0.6,\"cached_input_price\":0.0000001,\"price_source\":\"catalog\","
                        + "\"context_window\":128000,\"quality\":80,\"in_catalog\":true,\"enabled\":true}]}",
                json);
        for (ObjectMapper m : List.of(EVENTS, PLAIN, NON_NULL)) {
            assertEquals(json, m.writeValueAsString(provider(List.of(MINI), true)));
        }
        assertEquals(
                "{\"id\":\"p-2\",\"name\":\"Anthropic\",\"type\":\"anthropic\",\"type_name\":\"Anthropic\","
                        + "\"color\":\"#D97757\",\"base_url\":\"http://127.0.0.1:4010/anthropic\",\"base_url_overridden\":true,"
                        + "\"api_key_hint\":\"…\",\"priority\":50,\"auto_fallback\":true,\"enabled\":true,\"status\":\"error\","
                        + "\"model_count\":0,\"models_pinned\":true,\"last_error\":\"Invalid API key: Anthropic refused it (HTTP 401)\","
                        + "\"created_at\":1763884000000,\"updated_at\":1763884800000}",
                PLAIN.writeValueAsString(failedProvider()));
        assertEquals(
                "{\"id\":\"text-embedding-3-small\",\"provider_id\":\"p-1\",\"provider_type\":\"openai\","
                        + "\"provider_name\":\"OpenAI\",\"name\":\"text-embedding-3-small\",\"in_catalog\":false,\"enabled\":false}",
                PLAIN.writeValueAsString(UNPRICED));
    }

    @Test
    void providerListAndModelList() throws Exception {
        // Map.of gave these two keys in an order that changed from one JVM start to the next; the records fix the
        // documented order.
        List<ProviderRepresentation> providers = List.of(provider(List.of(MINI), false), failedProvider());
        assertEquals(
                REST.writeValueAsString(map("providers", providers, "total", 2)),
                REST.writeValueAsString(new ProvidersResource.ProviderList(providers, 2)));
        same(map("providers", List.of(), "total", 0), new ProvidersResource.ProviderList(List.of(), 0));
        List<ModelView> models = List.of(MINI, UNPRICED, SONNET);
        String json = same(map("models", models, "total", 3), new LlmAdminResource.ModelList(models, 3));
        assertEquals("{\"models\":[", json.substring(0, 11));
        assertEquals(",\"total\":3}", json.substring(json.length() - 11));
    }

    @Test
    void savedAndDeleted() throws Exception {
        ProviderRepresentation rep = provider(List.of(MINI), false);
        assertEquals(
                "{\"success\":true,\"provider\":" + REST.writeValueAsString(rep) + "}",
                same(map("success", true, "provider", rep), new ProvidersResource.ProviderSaved(true, rep)));
        same(
                map("success", true, "provider", failedProvider()),
                new ProvidersResource.ProviderSaved(true, failedProvider()));
        same(map("success", true, "model", MINI), new ProvidersResource.ModelSaved(true, MINI));
        same(map("success", true, "model", UNPRICED), new ProvidersResource.ModelSaved(true, UNPRICED));
        assertEquals("{\"success\":true}", same(Map.of("success", true), new ProvidersResource.Deleted(true)));
    }

    /** The map ProvidersResource.testOutcome built. */
    private static Map<String, Object> oldTestOutcome(ConnectionResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", r.success());
        out.put("latency", r.latencyMs());
        if (r.success()) {
            out.put("models_available", r.models().size());
        } else {
            out.put("error", r.error());
            out.put("error_code", r.errorCode());
        }
        return out;
    }

    private static ConnectionResult ok(long latency, int models) {
        List<ListedModel> listed = new ArrayList<>();
        for (int i = 0; i < models; i++) {
            listed.add(ListedModel.named("m-" + i));
        }
        return new ConnectionResult(true, latency, listed, null, null);
    }

    private static ConnectionResult refused(long latency) {
        return new ConnectionResult(
                false,
                latency,
                List.of(),
                ConnectionResult.ErrorKind.INVALID_KEY,
                "Invalid API key: OpenAI refused it (HTTP 401)");
    }

    /** A failure without a kind (not produced today, but the old map left the null code out too). */
    private static ConnectionResult failedWithoutCode(long latency) {
        return new ConnectionResult(false, latency, List.of(), null, "the vendor answered something else");
    }

    @Test
    void testOutcomes() throws Exception {
        for (var r : List.of(ok(142, 50), ok(7, 0), refused(1503), failedWithoutCode(12))) {
            same(oldTestOutcome(r), TestOutcome.of(r));
            Map<String, Object> withProvider = oldTestOutcome(r);
            withProvider.put("provider", provider(List.of(), false));
            same(withProvider, TestOutcome.of(r).withProvider(provider(List.of(), false)));
        }
        assertEquals(
                "{\"success\":true,\"latency\":142,\"models_available\":50}",
                REST.writeValueAsString(TestOutcome.of(ok(142, 50))));
        assertEquals(
                "{\"success\":false,\"latency\":1503,\"error\":\"Invalid API key: OpenAI refused it (HTTP 401)\","
                        + "\"error_code\":\"invalid_key\"}",
                REST.writeValueAsString(TestOutcome.of(refused(1503))));
    }

    @Test
    void routingRules() throws Exception {
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        aliases.put("fast-chat", List.of("gpt-4o-mini", "llama-3.1-8b-instant"));
        aliases.put("smart", List.of("gpt-4o"));
        for (RoutingRules rules : List.of(
                new RoutingRules("cost", aliases, new RoutingRules.Retry(2, 3, 30)),
                new RoutingRules("balanced", Map.of(), RoutingRules.Retry.DEFAULT))) {
            same(
                    map("success", true, "strategy", rules.strategy(), "rules", rules),
                    new RoutingRulesResource.RoutingRulesSaved(true, rules.strategy(), rules));
        }
        assertEquals(
                "{\"strategy\":\"balanced\",\"aliases\":{},\"retry\":{\"max_attempts\":3,\"cooldown_after_failures\":3,"
                        + "\"cooldown_seconds\":30}}",
                PLAIN.writeValueAsString(new RoutingRules("balanced", Map.of(), RoutingRules.Retry.DEFAULT)));
    }

    @Test
    void powerLevels() throws Exception {
        PowerLevels levels = new PowerLevels(
                List.of(
                        new PowerLevel(
                                "basic",
                                "Basic",
                                null,
                                null,
                                Decimals.plain(new BigDecimal("1.50")),
                                null,
                                Decimals.plain(new BigDecimal("10.0"))),
                        new PowerLevel(
                                "pro",
                                "Pro",
                                "More",
                                "#112233",
                                Decimals.plain(new BigDecimal("1E-7")),
                                List.of("gpt-4o*"),
                                null)),
                "basic");
        String json = same(
                map("success", true, "levels", levels.levels(), "default", levels.defaultLevel()),
                new PowerLevelsResource.PowerLevelsSaved(true, levels.levels(), levels.defaultLevel()));
        assertEquals(
                "{\"success\":true,\"levels\":[{\"id\":\"basic\",\"name\":\"Basic\",\"price_ceiling\":1.5,"
                        + "\"monthly_budget\":10},{\"id\":\"pro\",\"name\":\"Pro\",\"description\":\"More\",\"color\":\"#112233\","
                        + "\"price_ceiling\":0.0000001,\"models\":[\"gpt-4o*\"]}],\"default\":\"basic\"}",
                json);
        assertEquals(
                json.replace("{\"success\":true,", "{"), PLAIN.writeValueAsString(levels), "GET and the admin event");
    }

    @Test
    void budgetNotices() throws Exception {
        for (boolean smtp : new boolean[] {true, false}) {
            List<String> emails = smtp ? List.of("ops@example.org", "cfo@example.org") : List.of();
            same(
                    map(
                            "notify_users",
                            !smtp,
                            "admin_emails",
                            emails,
                            "thresholds_percent",
                            List.of(80, 100),
                            "smtp_configured",
                            smtp),
                    new BudgetNoticesResource.BudgetNoticesView(!smtp, emails, List.of(80, 100), smtp));
        }
    }

    @Test
    void byokSettings() throws Exception {
        List<String> offered = new ArrayList<>(new java.util.LinkedHashSet<>(List.of("openai", "anthropic")));
        same(
                map(
                        "provider_types",
                        null,
                        "fallback_to_organization_key",
                        false,
                        "offered_types",
                        new java.util.LinkedHashSet<>(offered)),
                new ByokSettingsView(null, false, List.copyOf(offered)));
        assertEquals(
                "{\"fallback_to_organization_key\":false,\"offered_types\":[\"openai\",\"anthropic\"]}",
                REST.writeValueAsString(new ByokSettingsView(null, false, offered)));
        same(
                map(
                        "provider_types",
                        List.of("openai", "groq"),
                        "fallback_to_organization_key",
                        true,
                        "offered_types",
                        new java.util.LinkedHashSet<>(List.of("openai"))),
                new ByokSettingsView(List.of("openai", "groq"), true, List.of("openai")));
        same(
                map(
                        "provider_types",
                        List.of(),
                        "fallback_to_organization_key",
                        true,
                        "offered_types",
                        java.util.Set.of()),
                new ByokSettingsView(List.of(), true, List.of()));
    }

    @Test
    void byokOverview() throws Exception {
        Map<String, Long> byType = new TreeMap<>(Map.of("openai", 2L, "anthropic", 1L));
        for (BigDecimal saved :
                List.of(BigDecimal.ZERO, new BigDecimal("1E-7"), new BigDecimal("12.3400"), new BigDecimal("1E+1"))) {
            List<Map<String, Object>> oldUsers = new ArrayList<>();
            oldUsers.add(map(
                    "id",
                    "u-1",
                    "username",
                    "alice",
                    "enabled",
                    true,
                    "provider_types",
                    List.of("openai", "anthropic")));
            oldUsers.add(map("id", "u-2", "username", null, "enabled", false, "provider_types", List.of("openai")));
            Map<String, Object> oldCost = map(
                    "currency",
                    "USD",
                    "from",
                    "2026-11-01",
                    "to",
                    "2026-11-30",
                    "amount",
                    Decimals.plain(saved),
                    "calls",
                    42L);
            Map<String, Object> old = map(
                    "users_with_keys",
                    2L,
                    "keys_by_type",
                    byType,
                    "cost_saved",
                    oldCost,
                    "users",
                    oldUsers,
                    "first",
                    0,
                    "max",
                    20);
            ByokOverview now = new ByokOverview(
                    2L,
                    byType,
                    new CostSaved("USD", "2026-11-01", "2026-11-30", Decimals.plain(saved), 42L),
                    List.of(
                            new ByokUser("u-1", "alice", true, List.of("openai", "anthropic")),
                            new ByokUser("u-2", null, false, List.of("openai"))),
                    0,
                    20);
            String json = same(old, now);
            assertFalse(json.contains("E"), json);
        }
        assertEquals(
                "{\"users_with_keys\":0,\"keys_by_type\":{},\"cost_saved\":{\"currency\":\"USD\",\"from\":\"2026-11-01\","
                        + "\"to\":\"2026-11-30\",\"amount\":0,\"calls\":0},\"users\":[],\"first\":0,\"max\":20}",
                same(
                        map(
                                "users_with_keys",
                                0L,
                                "keys_by_type",
                                new TreeMap<>(),
                                "cost_saved",
                                map(
                                        "currency",
                                        "USD",
                                        "from",
                                        "2026-11-01",
                                        "to",
                                        "2026-11-30",
                                        "amount",
                                        Decimals.plain(BigDecimal.ZERO),
                                        "calls",
                                        0L),
                                "users",
                                List.of(),
                                "first",
                                0,
                                "max",
                                20),
                        new ByokOverview(
                                0L,
                                new TreeMap<>(),
                                new CostSaved("USD", "2026-11-01", "2026-11-30", Decimals.plain(BigDecimal.ZERO), 0L),
                                List.of(),
                                0,
                                20)));
    }
}
