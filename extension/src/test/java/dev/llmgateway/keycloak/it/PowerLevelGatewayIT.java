package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/**
 * The gateway enforces power levels (the realm's three default levels): models above the caller's level are refused
 * with a 403 naming the level, budgets are refused with a 429 naming the budget and the reset date, and
 * {@code /llm/me} tells the caller where they stand.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class PowerLevelGatewayIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    /**
     * One OpenAI provider: gpt-4o-mini (Balanced by price), gpt-4o (named by Precision), o3 and an unpriced model;
     * users at Precision and Eco by their own attribute.
     */
    @BeforeEach
    void providerAndUsers() {
        String admin = Api.masterAdminToken();
        if (Api.get(Api.admin(realm.getName(), "/providers"), admin)
                        .json()
                        .get("total")
                        .asInt()
                == 0) {
            Api.Reply r = Api.post(
                    Api.admin(realm.getName(), "/providers"),
                    admin,
                    Map.of(
                            "type",
                            "openai",
                            "name",
                            "Levels",
                            "apiKey",
                            "sk-test-levels",
                            "baseUrl",
                            vendors.baseUrl("openai"),
                            "models",
                            List.of("gpt-4o-mini", "gpt-4o", "o3", "homegrown-model")));
            assertEquals(201, r.status(), r.text());
        }
        // Users added by a test are removed after it: add them for each test.
        UPConfig profile = realm.admin().users().userProfile().getConfiguration();
        profile.setUnmanagedAttributePolicy(UPConfig.UnmanagedAttributePolicy.ENABLED);
        realm.admin().users().userProfile().update(profile);
        realm.addUser(UserBuilder.create("precise")
                .enabled(true)
                .email("precise@example.org")
                .name("Precise", "User")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD)
                .attribute("llm_power_level", "precision"));
        realm.addUser(UserBuilder.create("spender")
                .enabled(true)
                .email("spender@example.org")
                .name("Spender", "User")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD)
                .attribute("llm_power_level", "eco"));
    }

    private String chatUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions";
    }

    private Api.Reply chat(String user, String model) {
        return Api.post(
                chatUrl(),
                Api.token(realm.getName(), user, LlmRealmConfig.PASSWORD),
                Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "hi"))));
    }

    @Test
    void modelsAboveTheLevelAreRefusedNamingTheLevel() {
        assertEquals(200, chat("plainuser", "gpt-4o-mini").status(), "Balanced reaches $0.375 per 1M");

        Api.Reply above = chat("plainuser", "gpt-4o");
        assertEquals(403, above.status(), above.text());
        JsonNode error = above.json().get("error");
        assertEquals("model_not_allowed", error.get("code").asText());
        assertEquals("model", error.get("param").asText());
        assertTrue(
                error.get("message").asText().contains("'Balanced'"),
                error.get("message").asText());
        assertTrue(
                error.get("message").asText().contains("$1.00 per 1M tokens"),
                error.get("message").asText());

        Api.Reply unpriced = chat("plainuser", "homegrown-model");
        assertEquals(403, unpriced.status(), unpriced.text());
        assertTrue(unpriced.json().get("error").get("message").asText().contains("unpriced"), unpriced.text());

        assertEquals(200, chat("precise", "gpt-4o").status(), "Precision names gpt-4o");
        assertEquals(200, chat("precise", "gpt-4o-mini").status(), "and reaches what Balanced reaches");
        Api.Reply o3 = chat("precise", "o3");
        assertEquals(200, o3.status(), "o3 at $5.00 blended is within Precision's ceiling: " + o3.text());
        assertEquals(404, chat("precise", "no-such-model").status(), "a model nobody offers is still a 404");

        Api.Reply auto = chat("plainuser", "auto");
        assertEquals(200, auto.status(), auto.text());
        assertEquals("gpt-4o-mini", auto.header("X-LLM-Model"), "auto stays within the level");

        List<String> listed = new ArrayList<>();
        Api.get(
                        Api.BASE + "/realms/" + realm.getName() + "/llm/v1/models",
                        Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD))
                .json()
                .get("data")
                .forEach(m -> listed.add(m.get("id").asText()));
        assertTrue(listed.contains("gpt-4o-mini"), listed.toString());
        assertFalse(
                listed.contains("gpt-4o") || listed.contains("o3") || listed.contains("homegrown-model"),
                listed.toString());
    }

    @Test
    void anExhaustedBudgetIsRefusedWithTheBudgetAndTheResetDate() {
        // The default levels, with Eco given a budget smaller than one call and gpt-4o-mini among its models.
        String admin = Api.masterAdminToken();
        ObjectNode levels = (ObjectNode)
                Api.get(Api.admin(realm.getName(), "/power-levels"), admin).json();
        for (JsonNode level : levels.get("levels")) {
            if (level.get("id").asText().equals("eco")) {
                ((ObjectNode) level).put("monthly_budget", new BigDecimal("0.0001"));
                ((ArrayNode) level.get("models")).add("gpt-4o-mini");
            }
        }
        Api.Reply put = Api.put(Api.admin(realm.getName(), "/power-levels"), admin, levels.toString());
        assertEquals(200, put.status(), put.text());

        assertEquals(200, chat("spender", "gpt-4o-mini").status(), "the first call is within the budget");
        Api.Reply refused = chat("spender", "gpt-4o-mini");
        assertEquals(429, refused.status(), refused.text());
        assertEquals("false", refused.header("x-should-retry"), "OpenAI SDKs are told not to retry");
        JsonNode error = refused.json().get("error");
        assertEquals("budget_exceeded", error.get("code").asText());
        assertEquals("insufficient_quota", error.get("type").asText());
        String reset =
                LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1).toString();
        // One fake gpt-4o-mini call costs $0.000153: small amounts are shown as they are, never as "$0.00 of $0.00".
        assertTrue(
                error.get("message")
                        .asText()
                        .startsWith("You have used $0.000153 of your monthly LLM budget of $0.0001 (power level"),
                error.get("message").asText());
        assertTrue(
                error.get("message").asText().contains(reset),
                error.get("message").asText());
        assertEquals(200, chat("plainuser", "gpt-4o-mini").status(), "a level without a budget is not limited");

        // The refused call cost nothing and was not sent to a vendor; /me shows the month's spend from the ledger.
        Db.waitFor(
                1,
                "select * from LLM_USAGE_EVENT where REALM_ID = ? and USER_ID = ?",
                realm.getId(),
                realm.admin().users().search("spender").get(0).getId());
        JsonNode me = Api.get(
                        Api.BASE + "/realms/" + realm.getName() + "/llm/me",
                        Api.token(realm.getName(), "spender", LlmRealmConfig.PASSWORD))
                .json();
        assertEquals("eco", me.get("power_level").get("id").asText());
        JsonNode budget = me.get("budget");
        assertEquals(
                0,
                new BigDecimal("0.0001").compareTo(budget.get("monthly_budget").decimalValue()));
        // (200 * 0.15 + 1000 * 0.075 + 80 * 0.60) / 1M at the catalogue prices of gpt-4o-mini
        assertEquals(0, new BigDecimal("0.000153").compareTo(budget.get("spent").decimalValue()), me.toString());
        assertTrue(budget.get("exhausted").asBoolean());
        assertEquals(reset, budget.get("resets_on").asText());
        List<String> models = new ArrayList<>();
        me.get("models").forEach(m -> models.add(m.asText()));
        assertEquals(List.of("gpt-4o-mini"), models);
    }

    @Test
    void aModelWithoutAPriceIsRefusedToLevelsWithABudgetUntilItHasOne() {
        String admin = Api.masterAdminToken();
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                admin,
                Map.of(
                        "type",
                        "custom",
                        "name",
                        "House models",
                        "apiKey",
                        "sk-test-house",
                        "baseUrl",
                        vendors.baseUrl("custom"),
                        "models",
                        List.of("house-model")));
        assertEquals(201, created.status(), created.text());
        String providerId = created.json().get("provider").get("id").asText();
        String original =
                Api.get(Api.admin(realm.getName(), "/power-levels"), admin).text();
        ObjectNode levels = (ObjectNode) Api.parse(original);
        for (JsonNode level : levels.get("levels")) {
            if (level.get("id").asText().equals("eco")) {
                ((ObjectNode) level).put("monthly_budget", new BigDecimal("5"));
                ((ArrayNode) level.get("models")).add("house-model");
            }
        }
        try {
            assertEquals(
                    200,
                    Api.put(Api.admin(realm.getName(), "/power-levels"), admin, levels.toString())
                            .status());

            // Eco names the model, but a call without a price would never count against Eco's budget.
            Api.Reply refused = chat("spender", "house-model");
            assertEquals(403, refused.status(), refused.text());
            assertEquals(
                    "model_not_priced", refused.json().get("error").get("code").asText());
            assertTrue(
                    refused.json().get("error").get("message").asText().contains("has no price in this realm"),
                    refused.text());
            assertEquals(200, chat("plainuser", "house-model").status(), "levels without a budget may use it");

            Api.Reply priced = Api.put(
                    Api.admin(realm.getName(), "/providers/" + providerId + "/models/house-model"),
                    admin,
                    Map.of("inputPrice", "1", "outputPrice", "2"));
            assertEquals(200, priced.status(), priced.text());
            assertEquals(200, chat("spender", "house-model").status(), "priced now: counted like any other");
            String spender = realm.admin().users().search("spender").get(0).getId();
            List<Map<String, Object>> rows = Db.waitFor(
                    1, "select COST from LLM_USAGE_EVENT where USER_ID = ? and MODEL = ?", spender, "house-model");
            // 1,200 prompt tokens (no cached price and no catalogue entry: all at the input price) and 80 out.
            assertEquals(
                    0,
                    new BigDecimal("0.00136").compareTo((BigDecimal) rows.get(0).get("COST")),
                    rows.toString());
        } finally {
            Api.put(Api.admin(realm.getName(), "/power-levels"), admin, original);
            Api.delete(Api.admin(realm.getName(), "/providers/" + providerId), admin);
        }
    }

    @Test
    void meNeedsAToken() {
        Api.Reply anonymous = Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me", null);
        assertEquals(401, anonymous.status());
        assertEquals(
                "invalid_api_key", anonymous.json().get("error").get("code").asText());
    }
}
