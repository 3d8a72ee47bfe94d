package dev.llmgateway.keycloak.it;

import static dev.llmgateway.keycloak.it.ProviderCrudIT.assertNoKeyIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/**
 * Users' own provider keys (BYOK): the user API under {@code /llm/me/keys}, the gateway calling vendors with them,
 * BYOK usage counted as saved and outside budgets, the admin overview and settings, and removal with the user.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ByokIT {

    private static final String ORG_KEY = "sk-test-organisation-Org1Key2";
    private static final String ALICE_KEY = "sk-test-alice-Own7Key8Qw3e";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    /** One OpenAI provider with the organisation's key, every model reachable, default BYOK settings; alice and bob. */
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
                            "Org OpenAI",
                            "apiKey",
                            ORG_KEY,
                            "baseUrl",
                            vendors.baseUrl("openai"),
                            "models",
                            List.of("gpt-4o-mini", "gpt-4o")));
            assertEquals(201, r.status(), r.text());
        }
        Api.allowEveryModel(realm.getName());
        Api.Reply settings = Api.put(
                Api.admin(realm.getName(), "/byok/settings"),
                admin,
                "{\"provider_types\":null,\"fallback_to_organization_key\":false}");
        assertEquals(200, settings.status(), settings.text());
        for (String name : List.of("alice", "bob")) {
            realm.addUser(UserBuilder.create(name)
                    .enabled(true)
                    .email(name + "@example.org")
                    .name(name, "Test")
                    .emailVerified(true)
                    .password(LlmRealmConfig.PASSWORD));
        }
        vendors.clear();
    }

    private String keysUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/me/keys";
    }

    private String token(String user) {
        return Api.token(realm.getName(), user, LlmRealmConfig.PASSWORD);
    }

    private Api.Reply chat(String token, String model) {
        return Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                token,
                Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "hi"))));
    }

    private static JsonNode row(Api.Reply list, String type) {
        for (JsonNode r : list.json()) {
            if (r.get("provider_type").asText().equals(type)) {
                return r;
            }
        }
        return null;
    }

    private static boolean absent(JsonNode n) {
        return n.isMissingNode() || n.isNull();
    }

    /** The realm's BYOK savings so far this month (other tests of this class add to them). */
    private static JsonNode saved(String realmName) {
        return Api.get(Api.admin(realmName, "/byok"), Api.masterAdminToken())
                .json()
                .get("cost_saved");
    }

    private String userId(String username) {
        return realm.admin().users().search(username, true).get(0).getId();
    }

    /** The chat calls the fake OpenAI saw, by the key they carried. */
    private List<String> chatKeysSeen() {
        return vendors.requests().stream()
                .filter(r -> r.path().endsWith("/chat/completions"))
                .map(r -> r.authorization().substring("Bearer ".length()))
                .toList();
    }

    @Test
    void aUserSetsTestsReplacesAndDeletesTheirKey() throws IOException {
        String alice = token("alice");
        Api.Reply empty = Api.get(keysUrl(), alice);
        assertEquals(200, empty.status(), empty.text());
        JsonNode openai = row(empty, "openai");
        assertNotNull(openai, "the realm has an OpenAI provider, so it takes OpenAI keys: " + empty.text());
        assertFalse(openai.get("set").asBoolean());
        assertEquals("OpenAI", openai.get("display_name").asText());

        Api.Reply put = Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", ALICE_KEY));
        assertEquals(200, put.status(), put.text());
        assertTrue(put.json().get("set").asBoolean());
        assertEquals(
                "…" + ALICE_KEY.substring(ALICE_KEY.length() - 4),
                put.json().get("hint").asText());
        assertNoKeyIn(put.text(), ALICE_KEY);

        Api.Reply listed = Api.get(keysUrl(), alice);
        JsonNode set = row(listed, "openai");
        assertTrue(set.get("set").asBoolean());
        assertTrue(set.get("created_at").asLong() > 0);
        assertTrue(absent(set.path("last_used_at")));
        assertTrue(absent(set.path("last_test")));
        assertNoKeyIn(listed.text(), ALICE_KEY);

        // At rest: sealed, bound to the user; no column holds the key.
        List<Map<String, Object>> rows = Db.query("select * from LLM_USER_KEY where USER_ID = ?", userId("alice"));
        assertEquals(1, rows.size());
        assertTrue(rows.get(0).get("KEY_SEALED").toString().startsWith("v1."));
        rows.get(0).values().stream().filter(v -> v != null).forEach(v -> assertNoKeyIn(v.toString(), ALICE_KEY));

        // A real list-models call through the realm's OpenAI provider, with her key.
        Api.Reply test = Api.post(keysUrl() + "/openai/test", alice, Map.of());
        assertEquals(200, test.status(), test.text());
        assertTrue(test.json().get("success").asBoolean(), test.text());
        assertEquals(
                FakeVendors.expectedModelCount("openai"),
                test.json().get("models_available").asInt());
        assertTrue(test.json().get("latency_ms").asLong() >= 0);
        assertTrue(
                vendors.requests().stream()
                        .anyMatch(r ->
                                r.path().endsWith("/v1/models") && ("Bearer " + ALICE_KEY).equals(r.authorization())),
                "the vendor saw her key");
        JsonNode tested = row(Api.get(keysUrl(), alice), "openai").get("last_test");
        assertTrue(tested.get("success").asBoolean());

        // Replaced by a key the vendor refuses: the test says so in plain words, without echoing the key.
        String bad = "sk-test-invalid-Alice9Bad0Key1";
        assertEquals(
                200,
                Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", bad)).status());
        Api.Reply refused = Api.post(keysUrl() + "/openai/test", alice, Map.of());
        assertEquals(200, refused.status(), refused.text());
        assertFalse(refused.json().get("success").asBoolean());
        assertEquals("invalid_key", refused.json().get("error_code").asText(), refused.text());
        assertNoKeyIn(refused.text(), bad);
        JsonNode failed = row(Api.get(keysUrl(), alice), "openai");
        assertEquals("…" + bad.substring(bad.length() - 4), failed.get("hint").asText());
        assertFalse(failed.get("last_test").get("success").asBoolean());

        Api.Reply deleted = Api.delete(keysUrl() + "/openai", alice);
        assertEquals(204, deleted.status(), deleted.text());
        assertFalse(row(Api.get(keysUrl(), alice), "openai").get("set").asBoolean());
        assertEquals(0, Db.count("select count(*) from LLM_USER_KEY where USER_ID = ?", userId("alice")));
        assertEquals(404, Api.delete(keysUrl() + "/openai", alice).status(), "nothing left to delete");

        // Bad input: clear 4xx naming the problem, nothing written.
        Api.Reply unknown = Api.put(keysUrl() + "/nosuchvendor", alice, Map.of("apiKey", ALICE_KEY));
        assertEquals(404, unknown.status(), unknown.text());
        assertTrue(unknown.json().get("error").asText().contains("known types: openrouter, openai"), unknown.text());
        // A key pasted into the path by mistake is not echoed back.
        Api.Reply pasted = Api.delete(keysUrl() + "/" + ALICE_KEY, alice);
        assertEquals(404, pasted.status(), pasted.text());
        assertNoKeyIn(pasted.text(), ALICE_KEY);
        Api.Reply notOffered = Api.put(keysUrl() + "/anthropic", alice, Map.of("apiKey", ALICE_KEY));
        assertEquals(400, notOffered.status(), notOffered.text());
        assertTrue(notOffered.json().get("error").asText().contains("Anthropic"), notOffered.text());
        Api.Reply blank = Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", " "));
        assertEquals(400, blank.status());
        assertEquals("apiKey", blank.json().get("field").asText());
        Api.Reply extra = Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", ALICE_KEY, "owner", "bob"));
        assertEquals(400, extra.status());
        assertEquals("owner", extra.json().get("field").asText());
        assertEquals(400, Api.put(keysUrl() + "/openai", alice, "{not json").status());
        assertEquals(0, Db.count("select count(*) from LLM_USER_KEY where USER_ID = ?", userId("alice")));
        assertEquals(401, Api.get(keysUrl(), null).status(), "a token is required");

        String log = Files.readString(LlmServerConfig.serverLog());
        assertNoKeyIn(log, ALICE_KEY);
        assertNoKeyIn(log, bad);
    }

    @Test
    void nobodyElseCanReadOrChangeAKey() {
        assertEquals(
                200,
                Api.put(keysUrl() + "/openai", token("alice"), Map.of("apiKey", ALICE_KEY))
                        .status());

        String bob = token("bob");
        assertFalse(row(Api.get(keysUrl(), bob), "openai").get("set").asBoolean(), "bob sees his own keys only");
        assertEquals(404, Api.delete(keysUrl() + "/openai", bob).status(), "and cannot delete hers");
        assertEquals(404, Api.post(keysUrl() + "/openai/test", bob, Map.of()).status());

        // The realm's administrator: the user API shows their own keys; the admin API never shows a key.
        String realmAdmin = token("realmadmin");
        assertFalse(row(Api.get(keysUrl(), realmAdmin), "openai").get("set").asBoolean());
        Api.Reply overview = Api.get(Api.admin(realm.getName(), "/byok"), realmAdmin);
        assertEquals(200, overview.status(), overview.text());
        assertEquals(1, overview.json().get("users_with_keys").asInt());
        JsonNode listed = overview.json().get("users").get(0);
        assertEquals("alice", listed.get("username").asText());
        assertEquals("openai", listed.get("provider_types").get(0).asText());
        assertNoKeyIn(overview.text(), ALICE_KEY);
        assertFalse(overview.text().contains("v1."), "nor the sealed form");
        // A master-realm admin token is not a user of this realm.
        assertEquals(401, Api.get(keysUrl(), Api.masterAdminToken()).status());
        // Users without admin roles cannot see the overview or change the settings.
        assertEquals(403, Api.get(Api.admin(realm.getName(), "/byok"), bob).status());
        assertEquals(
                403,
                Api.put(
                                Api.admin(realm.getName(), "/byok/settings"),
                                token("viewer"),
                                Map.of("fallback_to_organization_key", true))
                        .status());

        assertTrue(row(Api.get(keysUrl(), token("alice")), "openai").get("set").asBoolean(), "her key is untouched");
    }

    @Test
    void theGatewayCallsWithTheUsersKeyAndCountsItAsSavedNotAgainstTheBudget() {
        String alice = token("alice");
        assertEquals(
                200,
                Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", ALICE_KEY))
                        .status());
        JsonNode savedBefore = saved(realm.getName());

        Api.Reply own = chat(alice, "gpt-4o-mini");
        assertEquals(200, own.status(), own.text());
        Api.Reply org = chat(token("bob"), "gpt-4o-mini");
        assertEquals(200, org.status(), org.text());
        assertEquals(
                List.of(ALICE_KEY, ORG_KEY),
                chatKeysSeen(),
                "alice's call went out with her key, bob's with the organisation's");

        String aliceId = userId("alice");
        Map<String, Object> event = Db.waitFor(1, "select * from LLM_USAGE_EVENT where USER_ID = ?", aliceId)
                .get(0);
        assertEquals(Boolean.TRUE, event.get("BYOK"));
        assertEquals("chat", event.get("CALL_KIND"), "a Chat Completions call's kind in the ledger");
        BigDecimal cost = new BigDecimal(event.get("COST").toString());
        // The cost of a BYOK call is still computed, at gpt-4o-mini's list price: it is what the organisation saved.
        // 200 x $0.15 + 1000 cached x $0.075 + 80 x $0.60, worked out by hand.
        assertEquals(0, new BigDecimal("0.000153").compareTo(cost), "cost " + cost);
        Map<String, Object> bobs = Db.waitFor(1, "select * from LLM_USAGE_EVENT where USER_ID = ?", userId("bob"))
                .get(0);
        assertEquals(Boolean.FALSE, bobs.get("BYOK"));

        JsonNode savedAfter = saved(realm.getName());
        assertEquals(
                0,
                cost.compareTo(savedAfter
                        .get("amount")
                        .decimalValue()
                        .subtract(savedBefore.get("amount").decimalValue())),
                savedBefore + " then " + savedAfter);
        assertEquals(
                1, savedAfter.get("calls").asInt() - savedBefore.get("calls").asInt());

        // Her own usage page: today's BYOK call, its cost shown as saved, not spent.
        Api.Reply usage = Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me/usage?days=30", alice);
        assertEquals(200, usage.status(), usage.text());
        JsonNode days = usage.json().get("days");
        assertEquals(30, days.size());
        JsonNode today = days.get(29);
        assertEquals(
                java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString(),
                today.get("day").asText());
        assertEquals(1, today.get("calls").asInt());
        assertEquals(1, today.get("byok_calls").asInt());
        assertEquals(0, cost.compareTo(today.get("saved").decimalValue()), today.toString());
        assertEquals(0, today.get("cost").decimalValue().signum());
        for (String bad : List.of("0", "abc", "2147483648", "1.5")) {
            Api.Reply refused = Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me/usage?days=" + bad, alice);
            assertEquals(400, refused.status(), "days=" + bad + ": " + refused.text());
            assertEquals("days", refused.json().path("field").asText(), refused.text());
        }

        long deadline = System.currentTimeMillis() + 15_000;
        JsonNode used;
        do {
            used = row(Api.get(keysUrl(), alice), "openai").path("last_used_at");
        } while (absent(used) && System.currentTimeMillis() < deadline);
        assertEquals(((Number) event.get("CREATED_AT")).longValue(), used.asLong(), "last used: the call's time");

        // A budget smaller than one call: bob (organisation key) is refused after his first call; alice is not,
        // and once bob brings his own key, neither is he.
        Map<String, Object> unlimited =
                new HashMap<>(Map.of("id", "unlimited", "name", "Unlimited", "models", List.of("*")));
        unlimited.put("monthly_budget", new BigDecimal("0.0001"));
        assertEquals(
                200,
                Api.put(
                                Api.admin(realm.getName(), "/power-levels"),
                                Api.masterAdminToken(),
                                Map.of("default", "unlimited", "levels", List.of(unlimited)))
                        .status());
        String bob = token("bob");
        Api.Reply overBudget = chat(bob, "gpt-4o-mini");
        assertEquals(429, overBudget.status(), overBudget.text());
        assertEquals(
                "budget_exceeded", overBudget.json().get("error").get("code").asText());
        assertEquals(200, chat(alice, "gpt-4o-mini").status(), "BYOK calls do not count and are not refused");
        assertEquals(200, chat(alice, "gpt-4o").status());

        String bobKey = "sk-test-bob-Own3Key4Zx5c";
        assertEquals(
                200,
                Api.put(keysUrl() + "/openai", bob, Map.of("apiKey", bobKey)).status());
        Api.Reply bobsOwn = chat(bob, "gpt-4o-mini");
        assertEquals(200, bobsOwn.status(), bobsOwn.text());
        List<String> seen = chatKeysSeen();
        assertEquals(bobKey, seen.get(seen.size() - 1));
        assertEquals(
                ORG_KEY,
                seen.stream().filter(k -> !k.equals(ALICE_KEY)).findFirst().orElseThrow());
        assertEquals(
                1,
                seen.stream().filter(ORG_KEY::equals).count(),
                "no organisation-key call after the budget was spent");
    }

    @Test
    void aRefusedOwnKeyIsReportedAndFallsBackOnlyWhenTheRealmAllowsIt() {
        String alice = token("alice");
        String refusedKey = "sk-test-fail401-Alice2Gone3";
        assertEquals(
                200,
                Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", refusedKey))
                        .status());

        Api.Reply refused = chat(alice, "gpt-4o-mini");
        assertEquals(403, refused.status(), refused.text());
        JsonNode error = refused.json().get("error");
        assertEquals("byok_key_rejected", error.get("code").asText());
        assertEquals("permission_error", error.get("type").asText());
        String message = error.get("message").asText();
        assertTrue(message.contains("Your own OpenAI API key (…one3)") && message.contains("account console"), message);
        assertNoKeyIn(refused.text(), refusedKey);
        assertEquals(List.of(refusedKey), chatKeysSeen(), "no fallback to the organisation's key by default");

        JsonNode lastTest = row(Api.get(keysUrl(), alice), "openai").get("last_test");
        assertFalse(lastTest.get("success").asBoolean(), "the refusal is shown to her as the key's last test");
        assertTrue(lastTest.get("error").asText().contains("HTTP 401"), lastTest.toString());

        // Her key failing says nothing about the provider: bob's call right after is not held back by a cooldown.
        assertEquals(200, chat(token("bob"), "gpt-4o-mini").status());

        assertEquals(
                200,
                Api.put(
                                Api.admin(realm.getName(), "/byok/settings"),
                                Api.masterAdminToken(),
                                Map.of("fallback_to_organization_key", true))
                        .status());
        vendors.clear();
        Api.Reply fellBack = chat(alice, "gpt-4o-mini");
        assertEquals(200, fellBack.status(), fellBack.text());
        assertEquals("2", fellBack.header("X-LLM-Attempts"));
        assertEquals(List.of(refusedKey, ORG_KEY), chatKeysSeen());
        List<Map<String, Object>> events =
                Db.waitFor(2, "select * from LLM_USAGE_EVENT where USER_ID = ? order by CREATED_AT", userId("alice"));
        assertEquals(Boolean.FALSE, events.get(events.size() - 1).get("BYOK"), "paid with the organisation's key");
    }

    @Test
    void settingsNarrowTheTypes() {
        String alice = token("alice");
        assertEquals(
                200,
                Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", ALICE_KEY))
                        .status());

        String admin = Api.masterAdminToken();
        Api.Reply narrowed = Api.put(
                Api.admin(realm.getName(), "/byok/settings"), admin, Map.of("provider_types", List.of("anthropic")));
        assertEquals(200, narrowed.status(), narrowed.text());
        assertEquals(0, narrowed.json().get("offered_types").size(), "the realm has no Anthropic provider");
        JsonNode kept = row(Api.get(keysUrl(), alice), "openai");
        assertTrue(
                kept.get("set").asBoolean() && !kept.get("offered").asBoolean(), "she still sees (and may delete) it");
        assertEquals(
                400,
                Api.put(keysUrl() + "/openai", alice, Map.of("apiKey", ALICE_KEY))
                        .status());
        assertEquals(200, chat(alice, "gpt-4o-mini").status());
        assertEquals(
                List.of(ORG_KEY),
                chatKeysSeen(),
                "a type the realm no longer takes is called with the organisation's key");

        Api.Reply badType =
                Api.put(Api.admin(realm.getName(), "/byok/settings"), admin, Map.of("provider_types", List.of("nope")));
        assertEquals(400, badType.status());
        assertEquals("provider_types", badType.json().get("field").asText());
        assertEquals(
                400,
                Api.put(Api.admin(realm.getName(), "/byok/settings"), admin, Map.of("fallback", true))
                        .status());
        assertEquals(
                400,
                Api.put(
                                Api.admin(realm.getName(), "/byok/settings"),
                                admin,
                                Map.of("fallback_to_organization_key", "yes"))
                        .status());
        JsonNode settings =
                Api.get(Api.admin(realm.getName(), "/byok/settings"), admin).json();
        assertEquals("anthropic", settings.get("provider_types").get(0).asText(), "bad input changed nothing");
        assertFalse(settings.get("fallback_to_organization_key").asBoolean());
    }

    @Test
    void disabledUsersCannotUseTheirKeysAndDeletedUsersLoseThem() {
        // Created through the admin API (not the test framework), because this test deletes the user itself.
        UserRepresentation dora = UserBuilder.create("dora")
                .enabled(true)
                .email("dora@example.org")
                .name("Dora", "Test")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD)
                .build();
        assertEquals(201, realm.admin().users().create(dora).getStatus());
        String doraId = userId("dora");
        String token = token("dora");
        assertEquals(
                200,
                Api.put(keysUrl() + "/openai", token, Map.of("apiKey", ALICE_KEY))
                        .status());
        assertEquals(200, chat(token, "gpt-4o-mini").status());

        UserRepresentation rep = realm.admin().users().get(doraId).toRepresentation();
        rep.setEnabled(false);
        realm.admin().users().get(doraId).update(rep);
        assertEquals(401, chat(token, "gpt-4o-mini").status(), "a disabled user's token no longer works");
        assertEquals(401, Api.get(keysUrl(), token).status());
        assertEquals(1, chatKeysSeen().size(), "no call went out after she was disabled");

        assertEquals(1, Db.count("select count(*) from LLM_USER_KEY where USER_ID = ?", doraId));
        realm.admin().users().get(doraId).remove();
        assertEquals(
                0,
                Db.count("select count(*) from LLM_USER_KEY where USER_ID = ?", doraId),
                "her keys went with her, in the same transaction");
    }
}
