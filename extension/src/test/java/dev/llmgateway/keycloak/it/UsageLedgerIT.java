package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** Every gateway call leaves a usage event with exact cost, and the daily rollups add up. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class UsageLedgerIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    /** Routing, not power levels, is under test here: every model is reachable. */
    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    private final FakeVendors vendors = FakeVendors.get();

    /** A provider offering one model, priced by the admin: 0.15 in, 0.60 out, 0.075 cached per 1M tokens. */
    private String pricedProvider(String name, String key, String model) {
        String token = Api.masterAdminToken();
        Api.Reply r = Api.post(
                Api.admin(realm.getName(), "/providers"),
                token,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        name,
                        "apiKey",
                        key,
                        "baseUrl",
                        vendors.baseUrl("openai"),
                        "models",
                        List.of(model)));
        assertEquals(201, r.status(), r.text());
        String id = r.json().get("provider").get("id").asText();
        Api.Reply o = Api.put(
                Api.admin(realm.getName(), "/providers/" + id + "/models/" + model),
                token,
                Map.of("inputPrice", "0.15", "outputPrice", "0.60", "cachedInputPrice", "0.075"));
        assertEquals(200, o.status(), o.text());
        return id;
    }

    private Api.Reply call(String model, boolean stream) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", "hi")));
        body.put("stream", stream);
        return Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD),
                body);
    }

    private List<Map<String, Object>> events(String requestedModel, int expected) {
        return Db.waitFor(
                expected,
                "select * from LLM_USAGE_EVENT where REALM_ID = ? and REQUESTED_MODEL = ? order by CREATED_AT",
                realm.getId(),
                requestedModel);
    }

    @Test
    void callsAreRecordedWithExactCostAndRolledUpPerDay() throws InterruptedException {
        String model = "ledger-model";
        String providerId = pricedProvider("Ledger", "sk-test-ledger", model);
        assertEquals(200, call(model, false).status());
        Api.Reply streamed = call(model, true);
        assertEquals(200, streamed.status());
        assertTrue(streamed.text().endsWith("data: [DONE]\n\n"));

        List<Map<String, Object>> rows = events(model, 2);
        String userId = realm.admin().users().search("plainuser").get(0).getId();
        for (Map<String, Object> e : rows) {
            assertEquals(userId, e.get("USER_ID"));
            assertEquals("admin-cli", e.get("CLIENT_ID"));
            assertEquals(providerId, e.get("PROVIDER_ID"));
            assertEquals(model, e.get("MODEL"));
            assertEquals("gateway", e.get("SOURCE"));
            assertEquals("ok", e.get("OUTCOME"));
            assertEquals(200, ((Number) e.get("STATUS")).intValue());
            assertEquals(1, ((Number) e.get("ATTEMPTS")).intValue());
            assertEquals(FakeVendors.PROMPT_TOKENS, ((Number) e.get("PROMPT_TOKENS")).longValue());
            assertEquals(FakeVendors.COMPLETION_TOKENS, ((Number) e.get("COMPLETION_TOKENS")).longValue());
            assertEquals(FakeVendors.CACHED_TOKENS, ((Number) e.get("CACHED_TOKENS")).longValue());
            // (200 * 0.15 + 1000 * 0.075 + 80 * 0.60) / 1M, exactly
            assertEquals(0, new BigDecimal("0.000153").compareTo((BigDecimal) e.get("COST")), "cost " + e.get("COST"));
        }
        assertEquals(Boolean.FALSE, rows.get(0).get("STREAMED"));
        assertEquals(
                Boolean.TRUE,
                rows.get(1).get("STREAMED"),
                "a stream's usage is captured although the caller did not ask");

        int today = Integer.parseInt(Instant.ofEpochMilli(((Number) rows.get(0).get("CREATED_AT")).longValue())
                .atZone(ZoneOffset.UTC)
                .toLocalDate()
                .toString()
                .replace("-", ""));
        List<Map<String, Object>> daily =
                Db.query("select * from LLM_USAGE_DAILY where REALM_ID = ? and MODEL = ?", realm.getId(), model);
        assertEquals(1, daily.size());
        Map<String, Object> d = daily.get(0);
        assertEquals(today, ((Number) d.get("USAGE_DAY")).intValue());
        assertEquals(2L, ((Number) d.get("CALLS")).longValue());
        assertEquals(0L, ((Number) d.get("ERRORS")).longValue());
        assertEquals(2 * FakeVendors.PROMPT_TOKENS, ((Number) d.get("PROMPT_TOKENS")).longValue());
        assertEquals(
                0, new BigDecimal("0.000306").compareTo((BigDecimal) d.get("COST")), "rollup cost " + d.get("COST"));
    }

    @Test
    void failedCallsAreRecordedWithoutCost() throws InterruptedException {
        String model = "ledger-failing-model";
        pricedProvider("Ledger failing", "sk-test-ledger-fail503", model);
        assertEquals(502, call(model, false).status());
        Map<String, Object> e = events(model, 1).get(0);
        assertEquals("error", e.get("OUTCOME"));
        assertEquals(502, ((Number) e.get("STATUS")).intValue());
        assertNull(e.get("COST"));
        assertNull(e.get("PROVIDER_ID"), "no provider served it");
    }

    @Test
    void anthropicCacheWritesAndReadsArePricedAsAnthropicBillsThem() throws InterruptedException {
        String model = "claude-sonnet-4-5";
        String token = Api.masterAdminToken();
        Api.Reply r = Api.post(
                Api.admin(realm.getName(), "/providers"),
                token,
                Map.of(
                        "type",
                        "anthropic",
                        "name",
                        "Ledger Claude",
                        "apiKey",
                        "sk-test-ledger-claude",
                        "baseUrl",
                        vendors.baseUrl("anthropic"),
                        "models",
                        List.of(model)));
        assertEquals(201, r.status(), r.text());
        assertEquals(200, call(model, false).status());
        assertEquals(200, call(model, true).status());

        for (Map<String, Object> e : events(model, 2)) {
            assertEquals(21L + 188 + 1800, ((Number) e.get("PROMPT_TOKENS")).longValue());
            assertEquals(1800L, ((Number) e.get("CACHED_TOKENS")).longValue());
            assertEquals(188L, ((Number) e.get("CACHE_WRITE_TOKENS")).longValue());
            assertEquals(27L, ((Number) e.get("COMPLETION_TOKENS")).longValue());
            // Catalogue prices of Claude Sonnet 4.5 per 1M: input 3, cache write 3.75, cache read 0.30, output 15:
            // (21 * 3 + 188 * 3.75 + 1800 * 0.30 + 27 * 15) / 1M, exactly
            assertEquals(0, new BigDecimal("0.001713").compareTo((BigDecimal) e.get("COST")), "cost " + e.get("COST"));
        }
    }
}
