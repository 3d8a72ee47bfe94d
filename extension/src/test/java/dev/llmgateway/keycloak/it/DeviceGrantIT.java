package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * A command-line tool signs in to the demo realm with the OAuth 2.0 Device Authorization Grant through its public
 * client {@code llm-cli} (RFC 8628 as Keycloak implements it): it asks for a device code, the user approves the code in
 * a browser ({@link DeviceApproval}: the same pages), the tool polls the token endpoint and calls the gateway with
 * the token it gets; then it refreshes the token as a long-running agent does.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class DeviceGrantIT {

    private static final String CLIENT = "llm-cli";
    private static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

    /** The device authorization request of the CLI. */
    private static JsonNode deviceCode(String scope) {
        Map<String, String> form =
                scope == null ? Map.of("client_id", CLIENT) : Map.of("client_id", CLIENT, "scope", scope);
        Api.Reply r = Api.form(DemoGateway.OIDC + "/auth/device", form);
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    /** One poll of the token endpoint, after waiting the interval the device authorization answer asked for. */
    private static Api.Reply poll(JsonNode device) throws InterruptedException {
        Thread.sleep(device.get("interval").asLong() * 1000);
        return Api.form(
                DemoGateway.TOKEN_ENDPOINT,
                Map.of(
                        "grant_type",
                        DEVICE_GRANT,
                        "client_id",
                        CLIENT,
                        "device_code",
                        device.get("device_code").asText()));
    }

    private static void assertOAuthError(String error, Api.Reply r) {
        assertEquals(400, r.status(), r.text());
        assertEquals(error, r.json().path("error").asText(), r.text());
    }

    @Test
    void aCliSignsInWithADeviceCodeAndCallsTheGateway() throws InterruptedException {
        DemoGateway demo = DemoGateway.importWithProvider("sk-test-device-grant-org-key");

        JsonNode device = deviceCode(null);
        String realmUrl = Api.BASE + "/realms/" + DemoRealm.NAME;
        assertEquals(realmUrl + "/device", device.path("verification_uri").asText(), device.toString());
        String link = device.path("verification_uri_complete").asText();
        assertEquals(realmUrl + "/device?user_code=" + device.path("user_code").asText(), link);
        assertEquals(600, device.path("expires_in").asInt(), "the demo client's device codes live 10 minutes");
        assertEquals(5, device.path("interval").asInt(), "polling interval");

        // The tool polls while the user has not approved yet.
        assertOAuthError("authorization_pending", poll(device));

        // The user opens the link, signs in and grants access.
        DeviceApproval.approve(link, "demo", "demo");

        Api.Reply tokens = poll(device);
        assertEquals(200, tokens.status(), tokens.text());
        String access = tokens.json().path("access_token").asText();
        String refresh = tokens.json().path("refresh_token").asText();
        assertFalse(refresh.isEmpty(), "a refresh token for the long-running tool: " + tokens.text());
        JsonNode claims = DemoGateway.claims(access);
        assertEquals(CLIENT, claims.path("azp").asText());
        assertEquals("demo", claims.path("preferred_username").asText());
        assertTrue(DemoGateway.hasAudience(claims, "llm-gateway"), "meant for the gateway: aud " + claims.path("aud"));
        assertEquals("balanced", claims.path("llm_power_level").asText(), "the power-level claim of the llm scope");

        // A device code is spent once.
        assertOAuthError("invalid_grant", poll(device));

        // The token calls the gateway; the ledger names the user and the CLI's client.
        Api.Reply answer = DemoGateway.chat(access);
        assertEquals(200, answer.status(), answer.text());
        assertFalse(answer.json().at("/choices/0/message/content").asText().isEmpty(), "an answer: " + answer.text());
        List<Map<String, Object>> rows = demo.ledger(CLIENT, 1);
        assertEquals(1, rows.size(), rows.toString());
        assertEquals(DemoGateway.demoUserId(), rows.get(0).get("USER_ID"));
        assertEquals(CLIENT, rows.get(0).get("CLIENT_ID"));
        assertEquals("ok", rows.get(0).get("OUTCOME"));

        // A long-running agent renews its access token with the refresh token, without the user.
        Api.Reply refreshed = Api.form(
                DemoGateway.TOKEN_ENDPOINT,
                Map.of("grant_type", "refresh_token", "client_id", CLIENT, "refresh_token", refresh));
        assertEquals(200, refreshed.status(), refreshed.text());
        String renewed = refreshed.json().path("access_token").asText();
        assertTrue(DemoGateway.hasAudience(DemoGateway.claims(renewed), "llm-gateway"));
        assertEquals(200, DemoGateway.chat(renewed).status());
        assertEquals(2, demo.ledger(CLIENT, 2).size());

        // With the realm requiring the gateway's audience, the CLI's tokens still pass; a token without it does not.
        String admin = Api.masterAdminToken();
        Api.Reply gated =
                Api.put(Api.admin(DemoRealm.NAME, "/access"), admin, Map.of("require_audience", "llm-gateway"));
        assertEquals(200, gated.status(), gated.text());
        assertEquals(200, DemoGateway.chat(renewed).status());
        Api.Reply refused = DemoGateway.chat(DemoGateway.userToken("llm-playground"));
        assertEquals(403, refused.status(), refused.text());
        assertTrue(
                refused.json().at("/error/message").asText().contains("'llm-gateway'"),
                "the refusal names the audience: " + refused.text());
    }

    @Test
    void aSignInTheUserDeclinesEndsWithAccessDenied() throws InterruptedException {
        DemoRealm.importFresh();
        JsonNode device = deviceCode(null);
        DeviceApproval.Outcome declined =
                DeviceApproval.deny(device.path("verification_uri_complete").asText(), "demo", "demo");
        assertFalse(declined.approved(), "declined, the browser is not told the device is signed in");
        assertOAuthError("access_denied", poll(device));
    }

    @Test
    void onlyClientsWithTheDeviceGrantMayAskForADeviceCode() {
        DemoRealm.importFresh();
        Api.Reply r = Api.form(DemoGateway.OIDC + "/auth/device", Map.of("client_id", "llm-playground"));
        assertEquals(400, r.status(), r.text());
        assertEquals("unauthorized_client", r.json().path("error").asText(), r.text());
    }

    @Test
    void anAgentAsksForAnOfflineTokenAndRenewsItsAccessTokenWithIt() throws InterruptedException {
        DemoGateway.importWithProvider("sk-test-device-offline-org-key");
        JsonNode device = deviceCode("offline_access");
        DeviceApproval.approve(device.path("verification_uri_complete").asText(), "demo", "demo");
        Api.Reply tokens = poll(device);
        assertEquals(200, tokens.status(), tokens.text());
        assertEquals(
                "Offline",
                DemoGateway.claims(tokens.json().path("refresh_token").asText())
                        .path("typ")
                        .asText(),
                "an offline token: " + tokens.text());
        assertTrue(List.of(tokens.json().path("scope").asText().split(" ")).contains("offline_access"), tokens.text());
        Api.Reply renewed = Api.form(
                DemoGateway.TOKEN_ENDPOINT,
                Map.of(
                        "grant_type",
                        "refresh_token",
                        "client_id",
                        CLIENT,
                        "refresh_token",
                        tokens.json().path("refresh_token").asText()));
        assertEquals(200, renewed.status(), renewed.text());
        assertEquals(
                200,
                DemoGateway.chat(renewed.json().path("access_token").asText()).status(),
                "the renewed access token calls the gateway");
    }
}
