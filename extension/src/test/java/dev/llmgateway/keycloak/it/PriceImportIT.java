package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * A realm admin imports a price table (LiteLLM's model_prices_and_context_window.json format, and the catalogue's
 * own), previews it first, and the gateway prices calls with it; a bad table changes nothing; only realm managers may
 * import; a reset returns to the built-in catalogue.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class PriceImportIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private String prices() {
        return Api.admin(realm.getName(), "/prices");
    }

    private static String resource(String path) {
        try (InputStream in = PriceImportIT.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a raw JSON body (a price table is sent as the file is). */
    private static Api.Reply send(String method, String url, String token, String json) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .header("Authorization", "Bearer " + token)
                                    .header("Content-Type", "application/json")
                                    .method(method, HttpRequest.BodyPublishers.ofString(json))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return new Api.Reply(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The cost the ledger recorded for one non-streamed call to the provider's model (usage 1941/50, 1800 cached). */
    private BigDecimal costOfACall(String providerId, int callsBefore) {
        Map<String, Object> chat = new HashMap<>();
        chat.put("model", "claude-sonnet-4-5");
        chat.put("messages", List.of(Map.of("role", "user", "content", "Price check")));
        Api.Reply r = Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD),
                chat);
        assertEquals(200, r.status(), r.text());
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            List<Map<String, Object>> rows =
                    Db.query("select COST from LLM_USAGE_EVENT where PROVIDER_ID = ? order by CREATED_AT", providerId);
            if (rows.size() > callsBefore) {
                return (BigDecimal) rows.get(callsBefore).get("COST");
            }
            assertTrue(System.currentTimeMillis() < deadline, "no ledger row");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void anImportedTableIsPreviewedThenPricesTheGatewaysCallsUntilReset() {
        Api.allowEveryModel(realm.getName());
        String admin = Api.masterAdminToken();
        JsonNode before = Api.get(prices(), admin).json();
        assertEquals("2026-12-01", before.path("catalog_date").asText(), "the built-in catalogue carries its date");
        assertTrue(before.path("catalog_models").asInt() > 50);
        assertEquals(0, before.path("imported_models").asInt());

        Map<String, Object> provider = new HashMap<>();
        provider.put("type", "anthropic");
        provider.put("name", "Anthropic prices");
        provider.put("apiKey", "sk-test-price-import");
        provider.put("baseUrl", vendors.baseUrl("anthropic"));
        provider.put("models", List.of("claude-sonnet-4-5"));
        Api.Reply created = Api.post(Api.admin(realm.getName(), "/providers"), admin, provider);
        assertEquals(201, created.status(), created.text());
        String providerId = created.json().get("provider").get("id").asText();
        vendors.script("sk-test-price-import", new VendorUsage(1941, 50, 1800, 0, 0, 0, null, null));
        try {
            // Built-in: 141 x $3 + 1800 x $0.30 + 50 x $15
            assertEquals(0, new BigDecimal("0.001713").compareTo(costOfACall(providerId, 0)));

            String table = resource("/prices/litellm-excerpt.json");
            Api.Reply preview = send("POST", prices() + "/preview", admin, table);
            assertEquals(200, preview.status(), preview.text());
            JsonNode p = preview.json();
            assertFalse(p.path("applied").asBoolean());
            assertEquals("litellm", p.path("format").asText());
            assertEquals(4, p.path("models").asInt(), "four chat models of the gateway's vendors");
            assertEquals(3, p.path("skipped").asInt(), "sample_spec, an embedding model, a Bedrock model");
            assertEquals(1, p.path("added").asInt(), "magistral-small-latest is not in the built-in catalogue");
            assertEquals(1, p.path("changed").asInt(), "Sonnet 4.5's price");
            assertEquals(2, p.path("unchanged").asInt(), "gpt-4o-mini and gpt-oss-120b as built in");
            assertEquals(1, p.path("affects_realm_models").asInt(), "the realm's provider offers Sonnet 4.5");
            JsonNode first = p.path("changes").get(0);
            assertEquals("claude-sonnet-4-5", first.path("model").asText(), "the realm's own models come first");
            assertTrue(first.path("in_realm").asBoolean());
            assertEquals(
                    0,
                    new BigDecimal("3")
                            .compareTo(first.path("before").path("input").decimalValue()));
            assertEquals(
                    0,
                    new BigDecimal("2.5")
                            .compareTo(first.path("after").path("input").decimalValue()));
            assertEquals(
                    0,
                    new BigDecimal("5")
                            .compareTo(first.path("after")
                                    .path("cache_write_1h_input")
                                    .decimalValue()));
            assertEquals(
                    0, Api.get(prices(), admin).json().path("imported_models").asInt(), "a preview stores nothing");

            Api.Reply imported = send("PUT", prices(), admin, table);
            assertEquals(200, imported.status(), imported.text());
            assertTrue(imported.json().path("applied").asBoolean());
            JsonNode after = Api.get(prices(), admin).json();
            assertEquals(4, after.path("imported_models").asInt());
            assertEquals("litellm", after.path("imported_format").asText());
            JsonNode model = Api.get(Api.admin(realm.getName(), "/providers/" + providerId), admin)
                    .json()
                    .path("models")
                    .get(0);
            assertEquals(
                    0, new BigDecimal("2.5").compareTo(model.path("input_price").decimalValue()), model.toString());
            assertEquals(
                    0,
                    new BigDecimal("0.25")
                            .compareTo(model.path("cached_input_price").decimalValue()));
            // Imported: 141 x $2.50 + 1800 x $0.25 + 50 x $12.50
            assertEquals(0, new BigDecimal("0.0014275").compareTo(costOfACall(providerId, 1)));

            // A bad table is refused naming the entry, and the import in place stays whole.
            Api.Reply bad = send(
                    "PUT",
                    prices(),
                    admin,
                    "{\"models\":[{\"vendor\":\"openai\",\"id\":\"gpt-4o\",\"input\":2,\"output\":8},"
                            + "{\"vendor\":\"openai\",\"id\":\"gpt-4o-mini\",\"input\":-1,\"output\":1}]}");
            assertEquals(400, bad.status(), bad.text());
            assertEquals("models[1].input", bad.json().path("field").asText(), bad.text());
            assertEquals(
                    4, Api.get(prices(), admin).json().path("imported_models").asInt());
            assertEquals(
                    400, send("PUT", prices(), admin, "{\"not\":\"a table\"}").status());

            // Only realm managers import; viewers see the table.
            String viewer = Api.token(realm.getName(), "viewer", LlmRealmConfig.PASSWORD);
            assertEquals(403, send("PUT", prices(), viewer, table).status());
            assertEquals(403, send("POST", prices() + "/preview", viewer, table).status());
            assertEquals(200, Api.get(prices(), viewer).status());
            assertEquals(
                    403,
                    Api.get(prices(), Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD))
                            .status());

            // The catalogue's own format, then a reset.
            Api.Reply own = send(
                    "PUT",
                    prices(),
                    Api.token(realm.getName(), "realmadmin", LlmRealmConfig.PASSWORD),
                    "{\"models\":[{\"vendor\":\"anthropic\",\"id\":\"claude-sonnet-4-5\",\"input\":2,\"output\":10}]}");
            assertEquals(200, own.status(), own.text());
            assertEquals(1, own.json().path("changed").asInt());
            assertEquals(1, own.json().path("removed").asInt(), "magistral-small-latest, which only the import had");
            // 141 x $2 + 1800 x $0.20 (the catalogue's 0.1x ratio) + 50 x $10
            assertEquals(0, new BigDecimal("0.001142").compareTo(costOfACall(providerId, 2)));

            Api.Reply reset = Api.delete(prices(), admin);
            assertEquals(200, reset.status(), reset.text());
            assertEquals(
                    0, Api.get(prices(), admin).json().path("imported_models").asInt());
            assertEquals(0, new BigDecimal("0.001713").compareTo(costOfACall(providerId, 3)));
            assertEquals(
                    0,
                    Db.query(
                                    "select count(*) AS N from LLM_PRICE where REALM_ID = ?",
                                    realm.admin().toRepresentation().getId())
                            .get(0)
                            .values()
                            .stream()
                            .mapToInt(v -> ((Number) v).intValue())
                            .sum());
        } finally {
            vendors.script("sk-test-price-import", null);
            Api.delete(prices(), Api.masterAdminToken());
        }
    }

    @Test
    void aTableAsLargeAsLiteLlmsWholeFileIsTaken() {
        StringBuilder table = new StringBuilder("{");
        for (int i = 0; i < 3_500; i++) {
            table.append(i == 0 ? "" : ",")
                    .append("\"groq/synthetic-model-")
                    .append(i)
                    .append("\":{\"input_cost_per_token\":1.5e-07,\"output_cost_per_token\":6e-07,")
                    .append("\"litellm_provider\":\"groq\",\"mode\":\"chat\",\"max_input_tokens\":131072,")
                    .append("\"supports_function_calling\":true,\"supports_tool_choice\":true,")
                    .append("\"source\":\"https://example.com/pricing/with/a/long/path/to/pad/the/entry\"}");
        }
        table.append("}");
        assertTrue(table.length() > 900_000, "about as large as LiteLLM's file: " + table.length());
        String admin = Api.masterAdminToken();
        long start = System.nanoTime();
        Api.Reply r = send("PUT", prices(), admin, table.toString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        try {
            assertEquals(200, r.status(), r.text());
            assertEquals(3_500, r.json().path("added").asInt());
            assertTrue(r.json().path("changes").size() <= 500, "the answer lists at most 500 changes");
            assertEquals(
                    3_500,
                    Api.get(prices(), admin).json().path("imported_models").asInt());
            System.out.println("price import of 3,500 models: " + millis + " ms");
        } finally {
            assertEquals(200, Api.delete(prices(), Api.masterAdminToken()).status());
        }
    }
}
