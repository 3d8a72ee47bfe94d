package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Rows 10 and 11 of the hardening issue: who may call the gateway (the realm's gate, users and service accounts
 * alike), and key tests bounded per administrator and per user.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class GatewayAccessIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private String url(String path) {
        return Api.BASE + "/realms/" + realm.getName() + "/llm" + path;
    }

    private String access() {
        return Api.admin(realm.getName(), "/access");
    }

    /** A confidential client with a service account and no roles, and its client-credentials token. */
    private String serviceAccountToken(String clientId, String scope) {
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId(clientId);
        client.setSecret("secret-" + clientId);
        client.setPublicClient(false);
        client.setServiceAccountsEnabled(true);
        client.setStandardFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(true);
        if (realm.admin().clients().findByClientId(clientId).isEmpty()) {
            try (Response r = realm.admin().clients().create(client)) {
                assertEquals(201, r.getStatus());
            }
        }
        Map<String, String> form = new HashMap<>(Map.of(
                "grant_type", "client_credentials", "client_id", clientId, "client_secret", "secret-" + clientId));
        if (scope != null) {
            form.put("scope", scope);
        }
        Api.Reply token = Api.form(Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/token", form);
        assertEquals(200, token.status(), token.text());
        return token.json().get("access_token").asText();
    }

    private static void assertGate(int status, Api.Reply r) {
        assertEquals(status, r.status(), r.text());
        if (status == 403) {
            assertEquals("gateway_access_denied", r.json().at("/error/code").asText(), r.text());
            assertEquals("permission_error", r.json().at("/error/type").asText(), r.text());
        }
    }

    private void assertEverywhere(int status, String token) {
        assertGate(status, Api.get(url("/v1/models"), token));
        assertGate(status, Api.get(url("/me"), token));
        assertGate(status, Api.get(url("/me/keys"), token));
    }

    @Test
    void theGateLetsOnlyWhomTheRealmNames() {
        String admin = Api.masterAdminToken();
        String user = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        String service = serviceAccountToken("gate-service", null);

        // Default: any authenticated caller, a service account without roles included (today's behaviour).
        Api.Reply open = Api.get(access(), admin);
        assertEquals(200, open.status(), open.text());
        assertTrue(open.json().get("open").asBoolean(), open.text());
        assertEverywhere(200, user);
        assertEverywhere(200, service);

        // A role that does not exist is refused, so a typo cannot lock everyone out; nothing is stored.
        Api.Reply typo = Api.put(access(), admin, Map.of("require_role", "llm-usr"));
        assertEquals(400, typo.status(), typo.text());
        assertEquals("require_role", typo.json().get("field").asText());
        assertTrue(Api.get(access(), admin).json().get("open").asBoolean());
        // Only manage-realm may change it; view-realm may read it.
        String viewer = Api.token(realm.getName(), "viewer", LlmRealmConfig.PASSWORD);
        assertEquals(200, Api.get(access(), viewer).status());
        assertEquals(
                403,
                Api.put(access(), viewer, Map.of("require_role", "llm-user")).status());
        assertEquals(403, Api.get(access(), user).status());

        RoleRepresentation role = new RoleRepresentation();
        role.setName("llm-user");
        realm.admin().roles().create(role);
        Api.Reply gated = Api.put(access(), admin, Map.of("require_role", "llm-user"));
        assertEquals(200, gated.status(), gated.text());
        assertFalse(gated.json().get("open").asBoolean());
        assertEquals("llm-user", gated.json().get("require_role").asText());

        assertEverywhere(403, user);
        assertEverywhere(403, service);
        Api.Reply refused = Api.post(
                url("/v1/chat/completions"),
                user,
                Map.of("model", "gpt-4o", "messages", List.of(Map.of("role", "user", "content", "hi"))));
        assertGate(403, refused);
        assertTrue(refused.json().at("/error/message").asText().contains("the realm role 'llm-user'"), refused.text());
        assertGate(401, Api.get(url("/v1/models"), null));

        // Granting the role opens the gateway to the user (a fresh token is not needed: the role is read live).
        String userId = realm.admin().users().search("plainuser").get(0).getId();
        realm.admin()
                .users()
                .get(userId)
                .roles()
                .realmLevel()
                .add(List.of(realm.admin().roles().get("llm-user").toRepresentation()));
        assertEverywhere(200, user);
        // The service account follows the same rule.
        String saId = realm.admin()
                .clients()
                .get(realm.admin()
                        .clients()
                        .findByClientId("gate-service")
                        .get(0)
                        .getId())
                .getServiceAccountUser()
                .getId();
        realm.admin()
                .users()
                .get(saId)
                .roles()
                .realmLevel()
                .add(List.of(realm.admin().roles().get("llm-user").toRepresentation()));
        assertEverywhere(200, service);

        // A scope as well: both must hold. The client asks for the optional scope 'llm-calls' (not the realm's 'llm'
        // scope of the power-level claim: that one is a default scope of every client).
        ClientScopeRepresentation scope = new ClientScopeRepresentation();
        scope.setName("llm-calls");
        scope.setProtocol("openid-connect");
        scope.setAttributes(Map.of("include.in.token.scope", "true"));
        String scopeId;
        try (Response r = realm.admin().clientScopes().create(scope)) {
            assertEquals(201, r.getStatus());
            scopeId = r.getLocation().getPath().replaceAll(".*/", "");
        }
        String clientUuid =
                realm.admin().clients().findByClientId("gate-service").get(0).getId();
        realm.admin().clients().get(clientUuid).addOptionalClientScope(scopeId);
        assertEquals(
                200,
                Api.put(access(), admin, Map.of("require_scope", "llm-calls")).status());
        assertEverywhere(403, serviceAccountToken("gate-service", null));
        assertEverywhere(200, serviceAccountToken("gate-service", "llm-calls"));

        // null removes a condition; with none left the gateway is open again.
        Map<String, Object> none = new HashMap<>();
        none.put("require_role", null);
        none.put("require_scope", null);
        Api.Reply reopened = Api.put(access(), admin, none);
        assertEquals(200, reopened.status(), reopened.text());
        assertTrue(reopened.json().get("open").asBoolean(), reopened.text());
        assertEverywhere(200, serviceAccountToken("gate-service", null));
        assertTrue(
                Db.count(
                                "select count(*) from ADMIN_EVENT_ENTITY where REALM_ID = ? and RESOURCE_TYPE = ?",
                                realm.getId(),
                                "LLM_GATEWAY_ACCESS")
                        >= 3,
                "every change is an admin event");
    }

    /** Row 11: key tests are vendor calls; past the bound an administrator or a user gets 429 with Retry-After. */
    @Test
    void keyTestsAreBoundedPerAdministratorAndPerUser() {
        String admin = Api.token(realm.getName(), "realmadmin", LlmRealmConfig.PASSWORD);
        Map<String, Object> test = Map.of(
                "provider", "openai", "api_key", "sk-test-key-test-limit", "base_url", vendors.baseUrl("openai"));
        int limit = LlmServerConfig.KEY_TESTS_PER_MINUTE;
        for (int i = 0; i < limit; i++) {
            Api.Reply ok = Api.post(Api.admin(realm.getName(), "/test"), admin, test);
            assertEquals(200, ok.status(), "test " + (i + 1) + ": " + ok.text());
        }
        int calls = vendors.requests().size();
        Api.Reply refused = Api.post(Api.admin(realm.getName(), "/test"), admin, test);
        assertEquals(429, refused.status(), refused.text());
        assertTrue(refused.json().get("error").asText().contains("per administrator"), refused.text());
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(calls, vendors.requests().size(), "a refused test never reaches the vendor");
        // Another administrator is not held back by the first.
        assertEquals(
                200,
                Api.post(Api.admin(realm.getName(), "/test"), Api.masterAdminToken(), test)
                        .status());

        // A user's own key: the same bound, per user.
        Map<String, Object> provider = new HashMap<>(
                Map.of("type", "openai", "apiKey", "sk-test-key-test-org", "baseUrl", vendors.baseUrl("openai")));
        assertEquals(
                201,
                Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), provider)
                        .status());
        String user = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        assertEquals(
                200,
                Api.put(url("/me/keys/openai"), user, Map.of("apiKey", "sk-test-key-test-own"))
                        .status());
        for (int i = 0; i < limit; i++) {
            Api.Reply ok = Api.post(url("/me/keys/openai/test"), user, Map.of());
            assertEquals(200, ok.status(), "user test " + (i + 1) + ": " + ok.text());
        }
        Api.Reply userRefused = Api.post(url("/me/keys/openai/test"), user, Map.of());
        assertEquals(429, userRefused.status(), userRefused.text());
        assertTrue(userRefused.json().get("error").asText().contains("per user"), userRefused.text());
        assertNotNull(userRefused.header("Retry-After"));
    }
}
