package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/** The route and usage-report APIs for services that call vendors themselves, and their role check. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ServiceApiIT {

    private static final String ROUTE_KEY_1 = "sk-test-route-primary-Q7w8";
    private static final String ROUTE_KEY_2 = "sk-test-route-backup-E4r5";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @BeforeEach
    void servicesAndProviders() {
        Api.allowEveryModel(realm.getName());
        if (!realm.admin().clients().findByClientId("router-svc").isEmpty()) {
            return;
        }
        RoleRepresentation role = new RoleRepresentation("llm-service", "May ask for routes and report usage", false);
        realm.admin().roles().create(role);
        for (String clientId : List.of("router-svc", "plain-svc")) {
            ClientRepresentation c = new ClientRepresentation();
            c.setClientId(clientId);
            c.setSecret(clientId + "-secret");
            c.setPublicClient(false);
            c.setServiceAccountsEnabled(true);
            c.setStandardFlowEnabled(false);
            realm.admin().clients().create(c).close();
        }
        String routerId =
                realm.admin().clients().findByClientId("router-svc").get(0).getId();
        String saId =
                realm.admin().clients().get(routerId).getServiceAccountUser().getId();
        realm.admin()
                .users()
                .get(saId)
                .roles()
                .realmLevel()
                .add(List.of(realm.admin().roles().get("llm-service").toRepresentation()));

        String admin = Api.masterAdminToken();
        for (Object[] p : new Object[][] {{"Route primary", ROUTE_KEY_1, 80}, {"Route backup", ROUTE_KEY_2, 20}}) {
            Api.Reply r = Api.post(
                    Api.admin(realm.getName(), "/providers"),
                    admin,
                    Map.of(
                            "type",
                            "openai",
                            "name",
                            p[0],
                            "apiKey",
                            p[1],
                            "baseUrl",
                            vendors.baseUrl("openai"),
                            "priority",
                            p[2],
                            "models",
                            List.of("route-model")));
            assertEquals(201, r.status(), r.text());
            String id = r.json().get("provider").get("id").asText();
            assertEquals(
                    200,
                    Api.put(
                                    Api.admin(realm.getName(), "/providers/" + id + "/models/route-model"),
                                    admin,
                                    Map.of("inputPrice", 1, "outputPrice", 2))
                            .status());
        }
    }

    private String serviceToken(String clientId) {
        Api.Reply r = Api.form(
                Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/token",
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        clientId,
                        "client_secret",
                        clientId + "-secret"));
        assertEquals(200, r.status(), r.text());
        return r.json().get("access_token").asText();
    }

    private String url(String path) {
        return Api.BASE + "/realms/" + realm.getName() + "/llm" + path;
    }

    @Test
    void routeAnswersTheOrderedCandidatesWithoutKeys() {
        Api.Reply r = Api.post(url("/route"), serviceToken("router-svc"), Map.of("model", "route-model"));
        assertEquals(200, r.status(), r.text());
        JsonNode j = r.json();
        assertEquals("balanced", j.get("strategy").asText());
        JsonNode candidates = j.get("candidates");
        assertEquals(2, candidates.size());
        assertEquals(
                "Route primary",
                candidates.get(0).get("provider_name").asText(),
                "same price and quality: priority decides");
        assertEquals("Route backup", candidates.get(1).get("provider_name").asText());
        assertEquals(
                vendors.baseUrl("openai"), candidates.get(0).get("base_url").asText());
        assertFalse(candidates.get(0).get("cooling_down").asBoolean());
        ProviderCrudIT.assertNoKeyIn(r.text(), ROUTE_KEY_1);
        ProviderCrudIT.assertNoKeyIn(r.text(), ROUTE_KEY_2);
        assertEquals(
                404,
                Api.post(url("/route"), serviceToken("router-svc"), Map.of("model", "nope"))
                        .status());
    }

    @Test
    void routeAppliesThePowerLevelOfTheUserItIsAskedFor() {
        Api.Reply levels = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                Api.masterAdminToken(),
                Map.of(
                        "default",
                        "unlimited",
                        "levels",
                        List.of(
                                Map.of("id", "tiny", "name", "Tiny", "price_ceiling", "0.5"),
                                Map.of("id", "unlimited", "name", "Unlimited", "models", List.of("*")))));
        assertEquals(200, levels.status(), levels.text());
        realm.addUser(UserBuilder.create("tinyuser")
                .enabled(true)
                .email("tiny@example.org")
                .name("Tiny", "User")
                .password(LlmRealmConfig.PASSWORD)
                .attribute("llm_power_level", "tiny"));
        String tinyId = realm.admin().users().search("tinyuser", true).get(0).getId();
        String service = serviceToken("router-svc");

        Api.Reply forTiny = Api.post(url("/route"), service, Map.of("model", "route-model", "user_id", tinyId));
        assertEquals(403, forTiny.status(), forTiny.text());
        assertEquals("model", forTiny.json().get("field").asText());
        assertTrue(forTiny.json().get("error").asText().contains("'Tiny'"), forTiny.text());
        assertEquals(
                200,
                Api.post(url("/route"), service, Map.of("model", "route-model")).status(),
                "without user_id, the service account's own level (the default, unlimited)");
        Api.Reply unknown = Api.post(url("/route"), service, Map.of("model", "route-model", "user_id", "no-such-user"));
        assertEquals(400, unknown.status(), unknown.text());
        assertEquals("user_id", unknown.json().get("field").asText());
    }

    @Test
    void bothEndpointsNeedTheServiceRole() {
        for (String path : List.of("/route", "/usage/events")) {
            assertEquals(
                    401,
                    Api.post(url(path), null, Map.of("model", "route-model")).status());
            assertEquals(
                    403,
                    Api.post(url(path), serviceToken("plain-svc"), Map.of("model", "route-model"))
                            .status());
            assertEquals(
                    403,
                    Api.post(
                                    url(path),
                                    Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD),
                                    Map.of("model", "route-model"))
                            .status());
        }
    }

    @Test
    void reportedUsageIsPricedAndRecorded() throws InterruptedException {
        String userId = realm.admin().users().search("plainuser").get(0).getId();
        Api.Reply r = Api.post(
                url("/usage/events"),
                serviceToken("router-svc"),
                Map.of(
                        "events",
                        List.of(
                                Map.of(
                                        "model",
                                        "route-model",
                                        "user_id",
                                        userId,
                                        "prompt_tokens",
                                        1000,
                                        "completion_tokens",
                                        500,
                                        "latency_ms",
                                        321),
                                Map.of(
                                        "model",
                                        "route-model",
                                        "prompt_tokens",
                                        10,
                                        "completion_tokens",
                                        0,
                                        "status",
                                        500))));
        assertEquals(202, r.status(), r.text());
        assertEquals(2, r.json().get("accepted").asInt());

        List<Map<String, Object>> rows = Db.waitFor(
                2,
                "select * from LLM_USAGE_EVENT where REALM_ID = ? and SOURCE = 'reported' order by PROMPT_TOKENS desc",
                realm.getId());
        Map<String, Object> first = rows.get(0);
        assertEquals(userId, first.get("USER_ID"));
        assertEquals("router-svc", first.get("CLIENT_ID"));
        // 1000 * 1 + 500 * 2 per 1M
        assertEquals(0, new BigDecimal("0.002").compareTo((BigDecimal) first.get("COST")));
        assertEquals(321L, ((Number) first.get("LATENCY_MS")).longValue());
        assertEquals("error", rows.get(1).get("OUTCOME"));
    }

    @Test
    void badReportsAreRefusedWhole() throws InterruptedException {
        Api.Reply r = Api.post(
                url("/usage/events"),
                serviceToken("router-svc"),
                Map.of(
                        "events",
                        List.of(
                                Map.of("model", "bad-report-model", "prompt_tokens", 5, "completion_tokens", 5),
                                Map.of("model", "bad-report-model", "prompt_tokens", -5, "completion_tokens", 5))));
        assertEquals(400, r.status(), r.text());
        assertEquals("events[1].prompt_tokens", r.json().get("field").asText());
        assertEquals(
                400,
                Api.post(
                                url("/usage/events"),
                                serviceToken("router-svc"),
                                Map.of(
                                        "events",
                                        List.of(Map.of(
                                                "model",
                                                "bad-report-model",
                                                "prompt_tokens",
                                                5,
                                                "completion_tokens",
                                                5,
                                                "user_id",
                                                "no-such-user"))))
                        .status());
        assertEquals(
                400,
                Api.post(url("/usage/events"), serviceToken("router-svc"), Map.of("events", List.of()))
                        .status());
        Thread.sleep(2_500);
        assertEquals(
                0,
                Db.count(
                        "select count(*) from LLM_USAGE_EVENT where REALM_ID = ? and MODEL = ?",
                        realm.getId(),
                        "bad-report-model"),
                "nothing of a refused report was written");
    }
}
