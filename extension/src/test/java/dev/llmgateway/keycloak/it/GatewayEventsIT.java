package dev.llmgateway.keycloak.it;

import static dev.llmgateway.keycloak.it.ProviderCrudIT.assertNoKeyIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/**
 * Refused gateway calls as Keycloak admin events: a spent budget, a model above the level and a user's own key refused
 * by its vendor are stored (when the realm keeps admin events) with their details, read back through Keycloak's
 * admin-events API, reach the realm's event listener (jboss-logging, into the server log), never hold a key, and a
 * user hammering a refused call makes one event per interval with the count of the others.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class GatewayEventsIT {

    private static final String ORG_KEY = "sk-test-events-org-Ev3ntOrg9";
    private static final String REFUSED_OWN_KEY = "sk-test-fail401-Evt9Key4Zed7";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @BeforeEach
    void providerLevelsUsersAndEvents() {
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
                            "Events OpenAI",
                            "apiKey",
                            ORG_KEY,
                            "baseUrl",
                            vendors.baseUrl("openai"),
                            "models",
                            List.of("gpt-4o-mini", "gpt-4o")));
            assertEquals(201, r.status(), r.text());
        }
        Map<String, Object> spent = new HashMap<>(Map.of("id", "spent", "name", "Spent", "models", List.of("*")));
        // Less than one fake call costs ($0.000153): the second call of the month is refused.
        spent.put("monthly_budget", new BigDecimal("0.0001"));
        Api.Reply levels = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                admin,
                Map.of(
                        "default",
                        "open",
                        "levels",
                        // From the bottom up: a level reaches what the levels below it reach.
                        List.of(
                                Map.of("id", "narrow", "name", "Narrow", "models", List.of("gpt-4o-mini")),
                                Map.of("id", "open", "name", "Open", "models", List.of("*")),
                                spent)));
        assertEquals(200, levels.status(), levels.text());
        Api.Reply byok = Api.put(
                Api.admin(realm.getName(), "/byok/settings"),
                admin,
                "{\"provider_types\":null,\"fallback_to_organization_key\":false}");
        assertEquals(200, byok.status(), byok.text());
        eventsConfig(true);
    }

    /** Keycloak's own switches, through its admin API: admin events with representations, the jboss-logging listener. */
    private void eventsConfig(boolean adminEvents) {
        Api.Reply r = Api.put(
                Api.BASE + "/admin/realms/" + realm.getName() + "/events/config",
                Api.masterAdminToken(),
                Map.of(
                        "adminEventsEnabled",
                        adminEvents,
                        "adminEventsDetailsEnabled",
                        adminEvents,
                        "eventsListeners",
                        List.of("jboss-logging")));
        assertEquals(204, r.status(), r.text());
    }

    private String user(String name, String level) {
        UserBuilder u = UserBuilder.create(name)
                .enabled(true)
                .email(name + "@example.org")
                .name(name, "Test")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD);
        if (level != null) {
            u.attribute("llm_power_level", level);
        }
        realm.addUser(u);
        return realm.admin().users().search(name, true).get(0).getId();
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

    /** Keycloak's admin-events API, by resource path and by the user who called. */
    private JsonNode adminEvents(String reason, String userId) {
        Api.Reply r = Api.get(
                Api.BASE + "/admin/realms/" + realm.getName() + "/admin-events?max=1000&resourcePath="
                        + URLEncoder.encode("llm/refusals/" + reason, StandardCharsets.UTF_8) + "&authUser="
                        + userId,
                Api.masterAdminToken());
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    /** Waits (bounded) for the number of stored events of a user and reason; events are written before the answer. */
    private JsonNode awaitEvents(String reason, String userId, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        JsonNode events = adminEvents(reason, userId);
        while (events.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            events = adminEvents(reason, userId);
        }
        assertEquals(count, events.size(), events.toString());
        return events;
    }

    /** Waits (bounded) for the listener's line about this user and reason in the server log. */
    private static String awaitLogLine(String userId, String reason) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            for (String line : Files.readAllLines(LlmServerConfig.serverLog(), StandardCharsets.UTF_8)) {
                if (line.contains("resourceType=\"LLM_GATEWAY_REFUSAL\"")
                        && line.contains("userId=\"" + userId + "\"")
                        && line.contains("resourcePath=\"llm/refusals/" + reason + "\"")) {
                    return line;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no jboss-logging line for user " + userId + " and reason " + reason);
            }
            Thread.sleep(200);
        }
    }

    /** The part of the event every refusal shares, and its details (asserting they equal the representation). */
    private Map<String, String> common(JsonNode event, String userId, String reason) {
        assertEquals("LLM_GATEWAY_REFUSAL", event.get("resourceType").asText(), event.toString());
        assertEquals("ACTION", event.get("operationType").asText());
        assertEquals("llm/refusals/" + reason, event.get("resourcePath").asText());
        assertEquals("llm_" + reason, event.get("error").asText());
        assertEquals(realm.getId(), event.get("realmId").asText());
        assertEquals(userId, event.at("/authDetails/userId").asText());
        assertEquals(realm.getId(), event.at("/authDetails/realmId").asText());
        String adminCli =
                realm.admin().clients().findByClientId("admin-cli").get(0).getId();
        assertEquals(adminCli, event.at("/authDetails/clientId").asText(), "the client the token was issued for");
        Map<String, String> details = new HashMap<>();
        event.get("details")
                .fields()
                .forEachRemaining(e -> details.put(e.getKey(), e.getValue().asText()));
        assertEquals(reason, details.get("reason"));
        assertEquals("admin-cli", details.get("client"));
        String ip = event.at("/authDetails/ipAddress").asText();
        assertTrue(ip.matches("[0-9a-fA-F.:]+"), "the caller's address, not " + ip);
        // The realm keeps representations (adminEventsDetailsEnabled): the same facts, for the console's view.
        assertEquals(Api.parse(event.get("representation").asText()), event.get("details"));
        return details;
    }

    @Test
    void budgetLevelAndOwnKeyRefusalsAreAdminEventsWithTheirDetailsAndReachTheListener() throws Exception {
        // A spent budget.
        String spenderId = user("spender", "spent");
        String spender = token("spender");
        assertEquals(200, chat(spender, "gpt-4o-mini").status(), "the first call is within the budget");
        Api.Reply overBudget = chat(spender, "gpt-4o-mini");
        assertEquals(429, overBudget.status(), overBudget.text());
        Map<String, String> budget = common(awaitEvents("budget", spenderId, 1).get(0), spenderId, "budget");
        assertEquals("budget_exceeded", budget.get("code"));
        assertEquals("gpt-4o-mini", budget.get("model"));
        assertEquals("Spent", budget.get("powerLevel"));
        assertEquals("monthly_budget", budget.get("limit"));
        assertEquals("0.0001", budget.get("limitValue"));
        assertEquals(
                LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1).toString(), budget.get("reset"));
        assertFalse(budget.containsKey("suppressed"), "a first refusal stands for itself");

        // A model above the level, and one nobody offers (not a refusal of the level: no event).
        String narrowId = user("narrow", "narrow");
        String narrow = token("narrow");
        Api.Reply above = chat(narrow, "gpt-4o");
        assertEquals(403, above.status(), above.text());
        assertEquals(404, chat(narrow, "no-such-model-at-all").status());
        Map<String, String> level = common(awaitEvents("level", narrowId, 1).get(0), narrowId, "level");
        assertEquals("model_not_allowed", level.get("code"));
        assertEquals("gpt-4o", level.get("model"));
        assertEquals("Narrow", level.get("powerLevel"));

        // The user's own key, refused by the vendor.
        String keyholderId = user("keyholder", null);
        String keyholder = token("keyholder");
        Api.Reply stored = Api.put(
                Api.BASE + "/realms/" + realm.getName() + "/llm/me/keys/openai",
                keyholder,
                Map.of("apiKey", REFUSED_OWN_KEY));
        assertEquals(200, stored.status(), stored.text());
        Api.Reply refusedKey = chat(keyholder, "gpt-4o-mini");
        assertEquals(403, refusedKey.status(), refusedKey.text());
        Map<String, String> own =
                common(awaitEvents("byok_key_rejected", keyholderId, 1).get(0), keyholderId, "byok_key_rejected");
        assertEquals("byok_key_rejected", own.get("code"));
        assertEquals("openai", own.get("providerType"));
        assertEquals("…Zed7", own.get("keyHint"), "the key's hint, as the user sees it");
        assertTrue(own.get("vendorAnswer").contains("HTTP 401"), own.toString());

        // Never a key or a prompt, in the events or in what the listener wrote.
        String all = Api.get(
                        Api.BASE + "/admin/realms/" + realm.getName() + "/admin-events?max=1000",
                        Api.masterAdminToken())
                .text();
        assertNoKeyIn(all, REFUSED_OWN_KEY);
        assertNoKeyIn(all, ORG_KEY);
        assertFalse(all.contains("\"content\""), "no prompt");

        // The realm's listener (jboss-logging) got each of them.
        String budgetLine = awaitLogLine(spenderId, "budget");
        assertTrue(budgetLine.contains("error=\"llm_budget\""), budgetLine);
        awaitLogLine(narrowId, "level");
        awaitLogLine(keyholderId, "byok_key_rejected");
        String log = Files.readString(LlmServerConfig.serverLog(), StandardCharsets.UTF_8);
        assertNoKeyIn(log, REFUSED_OWN_KEY);
    }

    @Test
    void aUserHammeringARefusedCallMakesOneEventPerIntervalAndTheNextCarriesTheCount() throws Exception {
        String hammerId = user("hammer", "spent");
        String hammer = token("hammer");
        assertEquals(200, chat(hammer, "gpt-4o-mini").status());

        long first = System.currentTimeMillis();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            statuses.add(chat(hammer, "gpt-4o-mini").status());
        }
        long took = System.currentTimeMillis() - first;
        assertEquals(List.of(429), statuses.stream().distinct().toList());
        assertTrue(
                took < LlmServerConfig.REFUSAL_EVENT_INTERVAL_MS,
                "the 20 refusals must fall within one interval for this check; they took " + took + " ms");
        JsonNode one = awaitEvents("budget", hammerId, 1);
        assertFalse(one.get(0).get("details").has("suppressed"));

        // After the interval, the next refusal is an event again, with the count of those left out.
        Thread.sleep(Math.max(0, first + LlmServerConfig.REFUSAL_EVENT_INTERVAL_MS + 500 - System.currentTimeMillis()));
        assertEquals(429, chat(hammer, "gpt-4o-mini").status());
        JsonNode two = awaitEvents("budget", hammerId, 2);
        JsonNode newest =
                two.get(0).get("time").asLong() >= two.get(1).get("time").asLong() ? two.get(0) : two.get(1);
        assertEquals("19", newest.at("/details/suppressed").asText(), newest.toString());
        assertTrue(newest.at("/details/suppressedSince").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));
    }

    @Test
    void aRateLimitRefusalIsAnEventNamingTheLimit() throws Exception {
        String pacedId = user("paced", null);
        Api.Reply limited = Api.put(
                Api.admin(realm.getName(), "/limits/users/" + pacedId),
                Api.masterAdminToken(),
                Map.of("requests_per_minute", 1));
        assertEquals(200, limited.status(), limited.text());
        String paced = token("paced");
        assertEquals(200, chat(paced, "gpt-4o-mini").status());
        Api.Reply refused = chat(paced, "gpt-4o-mini");
        assertEquals(429, refused.status(), refused.text());
        Map<String, String> details =
                common(awaitEvents("rate_limit", pacedId, 1).get(0), pacedId, "rate_limit");
        assertEquals("rate_limit_exceeded", details.get("code"));
        assertEquals("requests_per_minute", details.get("limit"));
        assertEquals("1", details.get("limitValue"));
        assertEquals("gpt-4o-mini", details.get("model"));
        long reset = Long.parseLong(details.get("reset"));
        assertTrue(reset >= 1 && reset <= 61, "seconds until the call would be admitted: " + reset);
    }

    @Test
    void withoutAdminEventsNothingIsStoredButTheListenerStillHearsIt() throws Exception {
        eventsConfig(false);
        String quietId = user("quiet", "narrow");
        assertEquals(403, chat(token("quiet"), "gpt-4o").status());
        String line = awaitLogLine(quietId, "level");
        assertTrue(line.contains("error=\"llm_level\""), line);
        eventsConfig(true);
        assertEquals(0, adminEvents("level", quietId).size(), "not stored while the realm keeps no admin events");
    }
}
