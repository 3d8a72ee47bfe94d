package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.AdminEventRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ProviderCrudIT {

    private static final String OPENAI_KEY = "sk-test-openai-crud-7Q2xN9vLpR4k";
    private static final String NEW_KEY = "sk-test-openai-rotated-Zz81Yy72";
    private static final String OPENROUTER_KEY = "sk-test-or-v1-4c1f0e2d9b8a";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @Test
    void createReadUpdateDeleteRoundTrip() {
        String token = Api.masterAdminToken();
        String providers = Api.admin(realm.getName(), "/providers");

        Api.Reply created = Api.post(
                providers,
                token,
                Map.of(
                        "type",
                        "openai",
                        "apiKey",
                        OPENAI_KEY,
                        "baseUrl",
                        vendors.baseUrl("openai"),
                        "priority",
                        70,
                        "autoFallback",
                        false));
        assertEquals(201, created.status(), created.text());
        JsonNode body = created.json();
        assertTrue(body.get("success").asBoolean());
        JsonNode p = body.get("provider");
        String id = p.get("id").asText();
        assertEquals("OpenAI", p.get("name").asText());
        assertEquals("openai", p.get("type").asText());
        assertEquals("active", p.get("status").asText());
        assertEquals(5, p.get("model_count").asInt(), "models from the vendor's list-models answer");
        assertEquals(70, p.get("priority").asInt());
        assertFalse(p.get("auto_fallback").asBoolean());
        assertEquals(
                "…" + OPENAI_KEY.substring(OPENAI_KEY.length() - 4),
                p.get("api_key_hint").asText());
        assertTrue(created.header("Location").endsWith("/providers/" + id));
        assertNoKeyIn(created.text(), OPENAI_KEY);

        // avg_cost: the mean of (input+output)/2 over the priced models, from the catalogue prices.
        // gpt-4o 6.25, gpt-4o-mini 0.375, gpt-4o-2024-08-06 6.25 (dated id joins gpt-4o), o3-mini 2.75, and the
        // embedding model text-embedding-3-small 0.01 (input 0.02, output 0).
        BigDecimal expected = new BigDecimal("6.25")
                .add(new BigDecimal("0.375"))
                .add(new BigDecimal("6.25"))
                .add(new BigDecimal("2.75"))
                .add(new BigDecimal("0.01"))
                .divide(BigDecimal.valueOf(5), 6, java.math.RoundingMode.HALF_EVEN);
        assertEquals(0, expected.compareTo(p.get("avg_cost").decimalValue()), "avg_cost " + p.get("avg_cost"));

        // Read one, with its models joined with the catalogue.
        Api.Reply one = Api.get(providers + "/" + id, token);
        assertEquals(200, one.status());
        JsonNode mini = modelOf(one.json(), "gpt-4o-mini");
        assertEquals(0, new BigDecimal("0.15").compareTo(mini.get("input_price").decimalValue()));
        assertEquals(0, new BigDecimal("0.6").compareTo(mini.get("output_price").decimalValue()));
        assertEquals(
                0,
                new BigDecimal("0.075").compareTo(mini.get("cached_input_price").decimalValue()));
        assertEquals("catalog", mini.get("price_source").asText());
        assertEquals(128000, mini.get("context_window").asInt());
        assertTrue(mini.get("quality").asInt() > 0);
        assertTrue(
                modelOf(one.json(), "text-embedding-3-small").get("in_catalog").asBoolean(),
                "an embedding model of the catalogue");

        // List.
        Api.Reply list = Api.get(providers, token);
        assertEquals(200, list.status());
        assertEquals(1, list.json().get("providers").size());
        assertEquals(id, list.json().get("providers").get(0).get("id").asText());

        // Update: rename, priority, a new key (tested again), disable.
        Api.Reply updated = Api.put(
                providers + "/" + id,
                token,
                Map.of("name", "OpenAI EU", "priority", 10, "apiKey", NEW_KEY, "enabled", false));
        assertEquals(200, updated.status(), updated.text());
        JsonNode u = updated.json().get("provider");
        assertEquals("OpenAI EU", u.get("name").asText());
        assertEquals(10, u.get("priority").asInt());
        assertEquals(
                "…" + NEW_KEY.substring(NEW_KEY.length() - 4),
                u.get("api_key_hint").asText());
        assertEquals("disabled", u.get("status").asText());
        assertTrue(
                vendors.requests().stream().anyMatch(r -> ("Bearer " + NEW_KEY).equals(r.authorization())),
                "the new key was tested against the vendor");

        // Admin override of a model's price and quality.
        Api.Reply override = Api.put(
                providers + "/" + id + "/models/gpt-4o-mini",
                token,
                Map.of("inputPrice", "0.10", "outputPrice", "0.40", "quality", 81));
        assertEquals(200, override.status(), override.text());
        assertEquals("admin", override.json().get("model").get("price_source").asText());
        JsonNode afterOverride = modelOf(Api.get(providers + "/" + id, token).json(), "gpt-4o-mini");
        assertEquals(
                0,
                new BigDecimal("0.1").compareTo(afterOverride.get("input_price").decimalValue()));
        assertEquals(81, afterOverride.get("quality").asInt());

        // Realm-wide model list.
        Api.Reply models = Api.get(Api.admin(realm.getName(), "/models"), token);
        assertEquals(200, models.status());
        assertEquals(5, models.json().get("total").asInt());
        assertEquals(
                "OpenAI EU",
                models.json().get("models").get(0).get("provider_name").asText());

        // Delete.
        Api.Reply deleted = Api.delete(providers + "/" + id, token);
        assertEquals(200, deleted.status(), deleted.text());
        assertEquals(404, Api.get(providers + "/" + id, token).status());
        assertEquals(0, Db.count("select count(*) from LLM_MODEL where PROVIDER_ID = ?", id));
        assertEquals(0, Api.get(providers, token).json().get("providers").size());
    }

    @Test
    void pinnedModelsUseVendorPricesAndDefaultsFollowTheOriginalClient() {
        String token = Api.masterAdminToken();
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                token,
                Map.of(
                        "type",
                        "openrouter",
                        "apiKey",
                        OPENROUTER_KEY,
                        "baseUrl",
                        vendors.baseUrl("openrouter"),
                        "models",
                        List.of("openai/gpt-4o-mini", "meta-llama/llama-3.1-8b-instruct")));
        assertEquals(201, created.status(), created.text());
        JsonNode p = created.json().get("provider");
        assertEquals(50, p.get("priority").asInt(), "default priority");
        assertTrue(p.get("auto_fallback").asBoolean(), "auto-fallback on by default");
        assertEquals(2, p.get("model_count").asInt(), "only the models the admin named");
        // OpenRouter states prices per token: gpt-4o-mini 0.15/0.60, llama 0.02/0.03 per 1M.
        BigDecimal expected =
                new BigDecimal("0.375").add(new BigDecimal("0.025")).divide(BigDecimal.valueOf(2));
        assertEquals(0, expected.compareTo(p.get("avg_cost").decimalValue()), "avg_cost " + p.get("avg_cost"));
        JsonNode llama = modelOf(
                Api.get(Api.admin(realm.getName(), "/providers/" + p.get("id").asText()), token)
                        .json(),
                "meta-llama/llama-3.1-8b-instruct");
        assertEquals("vendor", llama.get("price_source").asText());
        assertEquals(
                0, new BigDecimal("0.02").compareTo(llama.get("input_price").decimalValue()));
        Api.delete(Api.admin(realm.getName(), "/providers/" + p.get("id").asText()), token);
    }

    @Test
    void keysAreSealedAtRestAndNeverInEventsOrLogs() throws IOException {
        String token = Api.masterAdminToken();
        String key = "sk-test-secret-audit-Kx7Pq2Wm9Rt4";
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                token,
                Map.of("type", "custom", "name", "Audit", "apiKey", key, "baseUrl", vendors.baseUrl("custom")));
        assertEquals(201, created.status(), created.text());
        String id = created.json().get("provider").get("id").asText();
        Api.put(Api.admin(realm.getName(), "/providers/" + id), token, Map.of("priority", 99));
        Api.post(Api.admin(realm.getName(), "/providers/" + id + "/test"), token, Map.of());
        // A rejected key makes the vendor echo it in its error body; that body must not travel on.
        String rejected = "sk-test-invalid-Echo5Me6Back7";
        Api.Reply rejectedTest = Api.post(
                Api.admin(realm.getName(), "/test"),
                token,
                Map.of("provider", "custom", "api_key", rejected, "base_url", vendors.baseUrl("custom")));
        assertNoKeyIn(rejectedTest.text(), rejected);

        // The table holds the key only sealed.
        List<Map<String, Object>> rows = Db.query("select * from LLM_PROVIDER where ID = ?", id);
        assertEquals(1, rows.size());
        Map<String, Object> row = rows.get(0);
        String sealed = (String) row.get("API_KEY_SEALED");
        assertTrue(sealed.startsWith("v1."), "sealed format");
        for (Object value : row.values()) {
            if (value != null) {
                assertNoKeyIn(value.toString(), key);
            }
        }
        assertEquals("…" + key.substring(key.length() - 4), row.get("API_KEY_HINT"));

        // Admin events carry the masked representation only.
        List<AdminEventRepresentation> events = realm.admin().getAdminEvents();
        List<AdminEventRepresentation> ours = events.stream()
                .filter(e -> "LLM_PROVIDER".equals(e.getResourceType())
                        && e.getResourcePath().contains(id))
                .toList();
        assertTrue(ours.stream().anyMatch(e -> "CREATE".equals(e.getOperationType())), "create event recorded");
        assertTrue(ours.stream().anyMatch(e -> "UPDATE".equals(e.getOperationType())), "update event recorded");
        assertTrue(ours.stream().anyMatch(e -> "ACTION".equals(e.getOperationType())), "test event recorded");
        for (AdminEventRepresentation e : ours) {
            assertNotNull(e.getRepresentation());
            assertTrue(e.getRepresentation().contains("api_key_hint"), e.getRepresentation());
            assertNoKeyIn(e.getRepresentation(), key);
        }

        // The server log (our category at DEBUG) never saw a key.
        String log = Files.readString(LlmServerConfig.serverLog());
        assertTrue(
                log.contains("secrets encrypted with the configured key-encryption key"), "this is the server's log");
        assertNoKeyIn(log, key);
        assertNoKeyIn(log, rejected);
        assertNoKeyIn(log, OPENAI_KEY);
        Api.delete(Api.admin(realm.getName(), "/providers/" + id), token);
    }

    static void assertNoKeyIn(String text, String key) {
        assertFalse(text.contains(key), "the key appears in: " + abbreviate(text));
        // Nor a large part of it (the vendor's own masking, e.g. "sk-inva****Back7", would still give away 12 chars).
        assertFalse(
                text.contains(key.substring(0, key.length() - 4)), "most of the key appears in: " + abbreviate(text));
    }

    private static String abbreviate(String text) {
        return text.length() > 400 ? text.substring(0, 400) + "…" : text;
    }

    private static JsonNode modelOf(JsonNode provider, String id) {
        for (JsonNode m : provider.get("models")) {
            if (m.get("id").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no model " + id + " in " + provider);
    }
}
