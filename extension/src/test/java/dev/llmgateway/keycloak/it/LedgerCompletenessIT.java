package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Every call that reached a vendor is one ledger row, priced and counted against the budget, whatever the caller did:
 * a caller that gives up before the answer, a caller that leaves mid-stream (the gateway reads the rest for the usage),
 * a stream without usage (estimated from the text, and marked so).
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class LedgerCompletenessIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    /** An OpenAI provider offering one catalogue-priced model (each test its own); returns its id. */
    private String provider(String name, String key, String model) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "openai");
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl("openai"));
        body.put("models", List.of(model));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        return r.json().get("provider").get("id").asText();
    }

    private HttpRequest chat(String model, boolean stream, boolean includeUsage, Duration timeout) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", "Say hello")));
        body.put("stream", stream);
        if (includeUsage) {
            body.put("stream_options", Map.of("include_usage", true));
        }
        return HttpRequest.newBuilder(URI.create(Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions"))
                .timeout(timeout)
                .header("Authorization", "Bearer " + Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body)))
                .build();
    }

    private static String json(Object o) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The provider's ledger rows, once there are {@code n} of them (waits up to {@code seconds}). */
    private List<Map<String, Object>> rows(String providerId, int n, int seconds) {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (true) {
            List<Map<String, Object>> rows =
                    Db.query("select * from LLM_USAGE_EVENT where PROVIDER_ID = ?", providerId);
            if (rows.size() >= n) {
                return rows;
            }
            assertTrue(System.currentTimeMillis() < deadline, "no ledger row within " + seconds + " s");
            sleep(250);
        }
    }

    @Test
    void aCallerThatGivesUpBeforeTheAnswerLeavesARowWhenTheVendorAnswers() {
        String id = provider("Slow answer", "sk-test-answerslow-ledger", "gpt-4.1-nano");
        assertThrows(
                HttpTimeoutException.class,
                () -> http.send(
                        chat("gpt-4.1-nano", false, false, Duration.ofMillis(400)),
                        HttpResponse.BodyHandlers.ofString()));
        Map<String, Object> row = rows(id, 1, 15).get(0);
        assertEquals(200, ((Number) row.get("STATUS")).intValue());
        assertEquals("ok", row.get("OUTCOME"));
        assertEquals(FakeVendors.PROMPT_TOKENS, ((Number) row.get("PROMPT_TOKENS")).longValue());
        assertEquals(FakeVendors.COMPLETION_TOKENS, ((Number) row.get("COMPLETION_TOKENS")).longValue());
        assertTrue(((BigDecimal) row.get("COST")).signum() > 0, "priced: " + row.get("COST"));
        sleep(2_000);
        assertEquals(1, rows(id, 1, 1).size(), "exactly one row");
    }

    @Test
    void aCallerThatLeavesMidStreamStillGetsTheVendorsUsageRecorded() throws Exception {
        String id = provider("Slow stream", "sk-test-streamslow-ledger", "gpt-5-nano");
        HttpResponse<InputStream> r = http.send(
                chat("gpt-5-nano", true, false, Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.contains("\"content\":\"Hello\"")) {
                // until the first words
            }
        }
        // The caller has gone; the vendor keeps streaming (a piece every 2 s) and reports its usage at the end.
        Map<String, Object> row = rows(id, 1, 40).get(0);
        assertEquals("cancelled", row.get("OUTCOME"));
        assertEquals(FakeVendors.PROMPT_TOKENS, ((Number) row.get("PROMPT_TOKENS")).longValue());
        assertEquals(FakeVendors.COMPLETION_TOKENS, ((Number) row.get("COMPLETION_TOKENS")).longValue());
        assertEquals(Boolean.FALSE, row.get("USAGE_ESTIMATED"), "the vendor's own figures");
        assertTrue(((BigDecimal) row.get("COST")).signum() > 0, "priced: " + row.get("COST"));
    }

    @Test
    void aStreamWithoutUsageIsEstimatedFromItsTextAndMarked() throws Exception {
        String id = provider("No usage", "sk-test-streamnousage-ledger", "gpt-4o-mini");
        HttpResponse<String> r = http.send(
                chat("gpt-4o-mini", true, true, Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("[DONE]"), r.body());
        Map<String, Object> row = rows(id, 1, 15).get(0);
        assertEquals("ok", row.get("OUTCOME"));
        assertEquals(Boolean.TRUE, row.get("USAGE_ESTIMATED"));
        // "Say hello" (9 characters) and "Hello from openai." (18), about four characters a token, rounded up.
        assertEquals(3, ((Number) row.get("PROMPT_TOKENS")).longValue());
        assertEquals(5, ((Number) row.get("COMPLETION_TOKENS")).longValue());
        // gpt-4o-mini: (3 × 0.15 + 5 × 0.60) / 1M
        assertEquals(
                0, new BigDecimal("0.00000345").compareTo((BigDecimal) row.get("COST")), "cost " + row.get("COST"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
