package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * A service that holds a user's token exchanges it for one meant for the gateway with Keycloak's standard token
 * exchange (RFC 8693), as the demo realm sets it up: the user signs in to {@code llm-playground}, whose tokens name the
 * service {@code llm-agent} as an audience; {@code llm-agent} (confidential, standard token exchange on) exchanges
 * such a token for one with the audience {@code llm-gateway} and calls the gateway for the user.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class TokenExchangeIT {

    static final String SERVICE = "llm-agent";
    /** The demo realm's secret of llm-agent (demo/llm-demo-realm.json). */
    static final String SERVICE_SECRET = "llm-agent-demo-secret";

    private static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    private static Api.Reply exchange(String clientId, String secret, String subjectToken, String audience) {
        Map<String, String> form = new HashMap<>(Map.of(
                "grant_type", EXCHANGE,
                "client_id", clientId,
                "client_secret", secret,
                "subject_token", subjectToken,
                "subject_token_type", ACCESS_TOKEN_TYPE));
        if (audience != null) {
            form.put("audience", audience);
        }
        return Api.form(DemoGateway.TOKEN_ENDPOINT, form);
    }

    @Test
    void aServiceExchangesItsUsersTokenForOneMeantForTheGateway() {
        DemoGateway demo = DemoGateway.importWithProvider("sk-test-token-exchange-org-key");

        String userToken = DemoGateway.userToken("llm-playground");
        JsonNode userClaims = DemoGateway.claims(userToken);
        assertTrue(DemoGateway.hasAudience(userClaims, SERVICE), "the playground's tokens are for the service too");
        assertFalse(DemoGateway.hasAudience(userClaims, "llm-gateway"), "but not meant for the gateway");

        Api.Reply exchanged = exchange(SERVICE, SERVICE_SECRET, userToken, "llm-gateway");
        assertEquals(200, exchanged.status(), exchanged.text());
        assertEquals(
                ACCESS_TOKEN_TYPE, exchanged.json().path("issued_token_type").asText(), exchanged.text());
        String gatewayToken = exchanged.json().path("access_token").asText();
        JsonNode claims = DemoGateway.claims(gatewayToken);
        assertEquals(SERVICE, claims.path("azp").asText(), "issued to the service");
        assertEquals(userClaims.path("sub").asText(), claims.path("sub").asText(), "for the same user");
        assertTrue(DemoGateway.hasAudience(claims, "llm-gateway"), "aud " + claims.path("aud"));
        assertFalse(DemoGateway.hasAudience(claims, SERVICE), "only the audience asked for: " + claims.path("aud"));

        Api.Reply answer = DemoGateway.chat(gatewayToken);
        assertEquals(200, answer.status(), answer.text());
        assertFalse(answer.json().at("/choices/0/message/content").asText().isEmpty(), answer.text());
        List<Map<String, Object>> rows = demo.ledger(SERVICE, 1);
        assertEquals(1, rows.size(), rows.toString());
        assertEquals(DemoGateway.demoUserId(), rows.get(0).get("USER_ID"), "the call is the user's");
        assertEquals(SERVICE, rows.get(0).get("CLIENT_ID"), "through the service");

        // With the realm requiring the gateway's audience: the user's own token is refused by the gateway, the
        // exchanged one passes.
        Api.Reply gated = Api.put(
                Api.admin(DemoRealm.NAME, "/access"),
                Api.masterAdminToken(),
                Map.of("require_audience", "llm-gateway"));
        assertEquals(200, gated.status(), gated.text());
        assertEquals("llm-gateway", gated.json().path("require_audience").asText(), gated.text());
        Api.Reply refused = DemoGateway.chat(userToken);
        assertEquals(403, refused.status(), refused.text());
        assertEquals("permission_error", refused.json().at("/error/type").asText(), refused.text());
        assertEquals("gateway_access_denied", refused.json().at("/error/code").asText(), refused.text());
        assertTrue(
                refused.json().at("/error/message").asText().contains("a token for the audience 'llm-gateway'"),
                "the refusal names the audience: " + refused.text());
        assertEquals(200, DemoGateway.chat(gatewayToken).status());
        assertEquals(
                403,
                Api.get(Api.BASE + "/realms/" + DemoRealm.NAME + "/llm/me", userToken)
                        .status(),
                "the /me endpoints follow the same gate");
    }

    @Test
    void keycloakRefusesExchangesTheRealmDoesNotAllow() {
        DemoRealm.importFresh();
        String userToken = DemoGateway.userToken("llm-playground");

        // A confidential client without standard token exchange may not exchange.
        String admin = Api.masterAdminToken();
        Api.Reply created = Api.post(
                Api.BASE + "/admin/realms/" + DemoRealm.NAME + "/clients",
                admin,
                Map.of(
                        "clientId", "no-exchange",
                        "publicClient", false,
                        "secret", "no-exchange-secret",
                        "standardFlowEnabled", false,
                        "serviceAccountsEnabled", true));
        assertEquals(201, created.status(), created.text());
        Api.Reply notAllowed = exchange("no-exchange", "no-exchange-secret", userToken, "llm-gateway");
        assertEquals(400, notAllowed.status(), notAllowed.text());
        assertEquals("invalid_request", notAllowed.json().path("error").asText(), notAllowed.text());
        assertTrue(
                notAllowed.json().path("error_description").asText().contains("Standard token exchange is not enabled"),
                notAllowed.text());

        // The service with a wrong secret is not authenticated.
        Api.Reply wrongSecret = exchange(SERVICE, "not-the-secret", userToken, "llm-gateway");
        assertEquals(401, wrongSecret.status(), wrongSecret.text());
        assertEquals("unauthorized_client", wrongSecret.json().path("error").asText(), wrongSecret.text());

        // The service exchanges only tokens that name it as an audience: not one of admin-cli.
        Api.Reply otherToken = Api.form(
                DemoGateway.TOKEN_ENDPOINT,
                Map.of("grant_type", "password", "client_id", "admin-cli", "username", "demo", "password", "demo"));
        assertEquals(200, otherToken.status(), otherToken.text());
        Api.Reply notForTheService = exchange(
                SERVICE, SERVICE_SECRET, otherToken.json().path("access_token").asText(), "llm-gateway");
        assertEquals(403, notForTheService.status(), notForTheService.text());
        assertEquals("access_denied", notForTheService.json().path("error").asText(), notForTheService.text());

        // An audience the service's tokens cannot carry is refused.
        Api.Reply otherAudience = exchange(SERVICE, SERVICE_SECRET, userToken, "llm-playground");
        assertEquals(400, otherAudience.status(), otherAudience.text());
        assertEquals("invalid_request", otherAudience.json().path("error").asText(), otherAudience.text());
        assertTrue(
                otherAudience.json().path("error_description").asText().contains("Requested audience not available"),
                otherAudience.text());
    }
}
