package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** The routing rules admin API: strategy, aliases, retry settings; defaults, validation, permissions. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class RoutingRulesIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    /** Touched by no test but the defaults check. */
    @InjectRealm(ref = "untouched")
    ManagedRealm untouched;

    private String url() {
        return Api.admin(realm.getName(), "/routing/rules");
    }

    @Test
    void defaultsThenChangesAsTheOriginalConsoleSendsThem() {
        String token = Api.masterAdminToken();
        JsonNode defaults =
                Api.get(Api.admin(untouched.getName(), "/routing/rules"), token).json();
        assertEquals("balanced", defaults.get("strategy").asText());
        assertEquals(0, defaults.get("aliases").size());
        assertEquals(3, defaults.get("retry").get("max_attempts").asInt());

        Api.Reply r = Api.put(url(), token, Map.of("strategy", "cost"));
        assertEquals(200, r.status(), r.text());
        assertTrue(r.json().get("success").asBoolean());
        assertEquals("cost", r.json().get("strategy").asText());

        Api.Reply full = Api.put(
                url(),
                token,
                Map.of(
                        "aliases",
                                Map.of(
                                        "fast-chat",
                                        List.of("gpt-4o-mini", "llama-3.1-8b-instant"),
                                        "smart",
                                        "claude-opus-4-1"),
                        "retry", Map.of("max_attempts", 2, "cooldown_seconds", 90)));
        assertEquals(200, full.status(), full.text());
        JsonNode rules = Api.get(url(), token).json();
        assertEquals("cost", rules.get("strategy").asText(), "absent parts stay");
        assertEquals(
                List.of("gpt-4o-mini", "llama-3.1-8b-instant"),
                List.of(
                        rules.get("aliases").get("fast-chat").get(0).asText(),
                        rules.get("aliases").get("fast-chat").get(1).asText()));
        assertEquals("claude-opus-4-1", rules.get("aliases").get("smart").get(0).asText());
        assertEquals(2, rules.get("retry").get("max_attempts").asInt());
        assertEquals(3, rules.get("retry").get("cooldown_after_failures").asInt(), "absent retry fields stay");
        assertEquals(90, rules.get("retry").get("cooldown_seconds").asInt());

        // Replacing the aliases drops the old ones.
        Api.put(url(), token, Map.of("aliases", Map.of("cheap", "llama-3.1-8b-instant")));
        JsonNode after = Api.get(url(), token).json();
        assertEquals(1, after.get("aliases").size());
        assertFalse(after.get("aliases").has("fast-chat"));
        assertEquals(1, Db.count("select count(*) from LLM_MODEL_ALIAS where REALM_ID = ?", realm.getId()));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        String token = Api.masterAdminToken();
        Api.put(url(), token, Map.of("strategy", "quality"));
        String before = Api.get(url(), token).text();

        assertRefused("strategy", Api.put(url(), token, Map.of("strategy", "cheapest")));
        assertRefused(
                "retry.max_attempts",
                Api.put(url(), token, Map.of("strategy", "cost", "retry", Map.of("max_attempts", 0))));
        assertRefused("aliases", Api.put(url(), token, Map.of("aliases", Map.of("auto", "gpt-4o"))));
        assertRefused("aliases", Api.put(url(), token, Map.of("aliases", Map.of("loop", "loop"))));
        assertRefused("aliases", Api.put(url(), token, Map.of("aliases", Map.of("empty", List.of()))));
        assertRefused("policy", Api.put(url(), token, Map.of("policy", "x")));
        assertEquals(400, Api.put(url(), token, "{\"strategy\":").status(), "malformed JSON");
        assertEquals(before, Api.get(url(), token).text());
    }

    @Test
    void permissions() {
        String viewer = Api.token(realm.getName(), "viewer", LlmRealmConfig.PASSWORD);
        String plain = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        assertEquals(200, Api.get(url(), viewer).status());
        assertEquals(403, Api.put(url(), viewer, Map.of("strategy", "cost")).status());
        assertEquals(403, Api.get(url(), plain).status());
        assertEquals(401, Api.get(url(), null).status());
    }

    private static void assertRefused(String field, Api.Reply r) {
        assertEquals(400, r.status(), r.text());
        assertEquals(field, r.json().get("field").asText(), r.text());
    }
}
