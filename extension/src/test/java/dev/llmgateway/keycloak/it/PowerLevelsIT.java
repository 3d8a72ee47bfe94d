package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** The power levels admin API: the three defaults, replacement, validation, permissions. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class PowerLevelsIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    @InjectAdminClient
    Keycloak adminClient;

    private String url(String realmName) {
        return Api.admin(realmName, "/power-levels");
    }

    @Test
    void everyRealmStartsWithEcoBalancedPrecision() {
        // A realm created now, and the master realm, which existed before any level was stored.
        RealmRepresentation fresh = new RealmRepresentation();
        fresh.setRealm("levels-fresh");
        fresh.setEnabled(true);
        adminClient.realms().create(fresh);
        try {
            assertEquals(
                    "llm-gateway",
                    adminClient.realm("levels-fresh").toRepresentation().getAccountTheme(),
                    "new realms get the account console with the LLM pages");
            assertNull(
                    adminClient.realm("master").toRepresentation().getAccountTheme(),
                    "the admin realm keeps the stock one");
            for (String name : List.of("levels-fresh", "master")) {
                JsonNode j = Api.get(url(name), Api.masterAdminToken()).json();
                assertEquals("balanced", j.get("default").asText(), name);
                JsonNode levels = j.get("levels");
                assertEquals(
                        List.of("eco", "balanced", "precision"),
                        List.of(
                                levels.get(0).get("id").asText(),
                                levels.get(1).get("id").asText(),
                                levels.get(2).get("id").asText()));
                assertEquals(
                        0,
                        new BigDecimal("0.20")
                                .compareTo(levels.get(0).get("price_ceiling").decimalValue()));
                assertEquals(
                        0,
                        new BigDecimal("1.00")
                                .compareTo(levels.get(1).get("price_ceiling").decimalValue()));
                assertEquals(
                        0,
                        new BigDecimal("5.00")
                                .compareTo(levels.get(2).get("price_ceiling").decimalValue()));
                assertTrue(levels.get(1).get("models").toString().contains("gpt-4o-mini"));
                // The User Profile declares the level attribute with the levels as its options.
                assertEquals(
                        List.of("eco", "balanced", "precision"),
                        adminClient
                                .realm(name)
                                .users()
                                .userProfile()
                                .getConfiguration()
                                .getAttribute("llm_power_level")
                                .getValidations()
                                .get("options")
                                .get("options"),
                        name);
            }
        } finally {
            adminClient.realm("levels-fresh").remove();
        }
    }

    @Test
    void adminsReplaceLevelsAndPickTheDefault() {
        String token = Api.masterAdminToken();
        Map<String, Object> body = Map.of(
                "default",
                "team",
                "levels",
                List.of(
                        Map.of("id", "intern", "name", "Intern", "price_ceiling", 0.1, "color", "#22C55E"),
                        Map.of(
                                "id",
                                "team",
                                "name",
                                "Team",
                                "price_ceiling",
                                "2",
                                "monthly_budget",
                                25,
                                "models",
                                List.of("claude-haiku-4-5"),
                                "description",
                                "Most of us")));
        Api.Reply r = Api.put(url(realm.getName()), token, body);
        assertEquals(200, r.status(), r.text());
        JsonNode j = Api.get(url(realm.getName()), token).json();
        assertEquals("team", j.get("default").asText());
        assertEquals(2, j.get("levels").size());
        assertEquals(
                0,
                new BigDecimal("25")
                        .compareTo(j.get("levels").get(1).get("monthly_budget").decimalValue()));
        assertEquals(2, Db.count("select count(*) from LLM_POWER_LEVEL where REALM_ID = ?", realm.getId()));
    }

    @Test
    void badLevelsAreRefusedWhole() {
        String token = Api.masterAdminToken();
        String before = Api.get(url(realm.getName()), token).text();
        assertRefused(
                "default",
                Api.put(
                        url(realm.getName()),
                        token,
                        Map.of(
                                "default",
                                "nope",
                                "levels",
                                List.of(Map.of("id", "a", "name", "A", "price_ceiling", 1)))));
        assertRefused(
                "levels[1].id",
                Api.put(
                        url(realm.getName()),
                        token,
                        Map.of(
                                "default",
                                "a",
                                "levels",
                                List.of(
                                        Map.of("id", "a", "name", "A", "price_ceiling", 1),
                                        Map.of("id", "a", "name", "B", "price_ceiling", 2)))));
        assertRefused(
                "levels[0]",
                Api.put(
                        url(realm.getName()),
                        token,
                        Map.of("default", "a", "levels", List.of(Map.of("id", "a", "name", "A")))));
        assertRefused(
                "levels[0].price_ceiling",
                Api.put(
                        url(realm.getName()),
                        token,
                        Map.of(
                                "default",
                                "a",
                                "levels",
                                List.of(Map.of("id", "a", "name", "A", "price_ceiling", -1)))));
        assertRefused(
                "levels[0].color",
                Api.put(
                        url(realm.getName()),
                        token,
                        Map.of(
                                "default",
                                "a",
                                "levels",
                                List.of(Map.of("id", "a", "name", "A", "price_ceiling", 1, "color", "blue")))));
        assertRefused("levels", Api.put(url(realm.getName()), token, Map.of("default", "a", "levels", List.of())));
        assertEquals(before, Api.get(url(realm.getName()), token).text());
    }

    @Test
    void permissions() {
        String viewer = Api.token(realm.getName(), "viewer", LlmRealmConfig.PASSWORD);
        assertEquals(200, Api.get(url(realm.getName()), viewer).status());
        assertEquals(
                403,
                Api.put(
                                url(realm.getName()),
                                viewer,
                                Map.of(
                                        "default",
                                        "a",
                                        "levels",
                                        List.of(Map.of("id", "a", "name", "A", "price_ceiling", 1))))
                        .status());
        assertEquals(
                403,
                Api.get(url(realm.getName()), Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD))
                        .status());
    }

    private static void assertRefused(String field, Api.Reply r) {
        assertEquals(400, r.status(), r.text());
        assertEquals(field, r.json().get("field").asText(), r.text());
    }
}
