package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.annotations.InjectKeycloakUrls;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.server.KeycloakUrls;

/**
 * The gateway trusts a bearer token it verified in full for {@code token-cache-ms} ({@link
 * LlmServerConfig#TOKEN_CACHE_MS} in this suite): what must still be refused at once, and what within that bound.
 * Each test first calls twice with the token, so the second call is answered from the node's memory.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class TokenCacheIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    @InjectRealm(ref = "other", config = LlmRealmConfig.class)
    ManagedRealm other;

    @InjectKeycloakUrls
    KeycloakUrls urls;

    /** {@code llm_gateway_token_checks_total} of one result, from the management port's /metrics. */
    private double tokenChecks(String result) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(urls.getMetric())).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Matcher m = Pattern.compile("(?m)^llm_gateway_token_checks_total\\{[^}]*result=\"" + result + "\"[^}]*} (\\S+)")
                .matcher(r.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private String models() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/models";
    }

    /** A user of their own, so disabling or signing them out touches no other test. */
    private String newUser(String name) {
        UserRepresentation u = new UserRepresentation();
        u.setUsername(name);
        u.setEnabled(true);
        u.setEmail(name + "@example.org");
        u.setFirstName(name);
        u.setLastName("Test");
        u.setEmailVerified(true);
        CredentialRepresentation password = new CredentialRepresentation();
        password.setType(CredentialRepresentation.PASSWORD);
        password.setValue(LlmRealmConfig.PASSWORD);
        password.setTemporary(false);
        u.setCredentials(List.of(password));
        try (Response r = realm.admin().users().create(u)) {
            assertEquals(201, r.getStatus());
        }
        return realm.admin().users().search(name, true).get(0).getId();
    }

    private void assertAnswers(int status, String token) {
        Api.Reply r = Api.get(models(), token);
        assertEquals(status, r.status(), r.text());
        if (status == 401) {
            assertEquals("invalid_api_key", r.json().at("/error/code").asText(), r.text());
        }
    }

    /** Called twice: the first call verifies in full, the second is answered from memory. */
    private void assertAcceptedTwice(String token) {
        assertAnswers(200, token);
        assertAnswers(200, token);
    }

    @Test
    void aRepeatedTokenIsVerifiedOnceThenRemembered() throws Exception {
        newUser("cache-counted");
        String token = Api.token(realm.getName(), "cache-counted", LlmRealmConfig.PASSWORD);
        double verified = tokenChecks("verified");
        double remembered = tokenChecks("remembered");
        assertAnswers(200, token);
        assertEquals(verified + 1, tokenChecks("verified"), "a new token is verified in full");
        assertAnswers(200, token);
        assertEquals(remembered + 1, tokenChecks("remembered"), "the same token again is remembered");
        assertEquals(verified + 1, tokenChecks("verified"));
        // The /me endpoints always verify in full and are not counted here.
        assertEquals(
                200,
                Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me", token)
                        .status());
        assertEquals(verified + 1, tokenChecks("verified"));
        assertEquals(remembered + 1, tokenChecks("remembered"));
    }

    @Test
    void aDisabledUserIsRefusedAtOnce() {
        String id = newUser("cache-disabled");
        String token = Api.token(realm.getName(), "cache-disabled", LlmRealmConfig.PASSWORD);
        assertAcceptedTwice(token);

        UserRepresentation rep = realm.admin().users().get(id).toRepresentation();
        rep.setEnabled(false);
        realm.admin().users().get(id).update(rep);
        assertAnswers(401, token);
        // Enabled again, the session is gone with the disabling? Keycloak keeps it: the token works again.
        rep.setEnabled(true);
        realm.admin().users().get(id).update(rep);
        Api.Reply again = Api.get(models(), token);
        assertEquals(
                Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me", token)
                        .status(),
                again.status(),
                "the gateway answers as Keycloak's own full check does: " + again.text());
    }

    @Test
    void aDeletedUserIsRefusedAtOnce() {
        String id = newUser("cache-deleted");
        String token = Api.token(realm.getName(), "cache-deleted", LlmRealmConfig.PASSWORD);
        assertAcceptedTwice(token);
        try (Response r = realm.admin().users().delete(id)) {
            assertEquals(204, r.getStatus());
        }
        assertAnswers(401, token);
    }

    @Test
    void aDisabledClientIsRefusedAtOnce() {
        ClientRepresentation client = new ClientRepresentation();
        client.setClientId("cache-cli");
        client.setPublicClient(true);
        client.setDirectAccessGrantsEnabled(true);
        client.setStandardFlowEnabled(false);
        try (Response r = realm.admin().clients().create(client)) {
            assertEquals(201, r.getStatus());
        }
        newUser("cache-client-user");
        Api.Reply grant = Api.form(
                Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/token",
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "cache-cli",
                        "username",
                        "cache-client-user",
                        "password",
                        LlmRealmConfig.PASSWORD));
        assertEquals(200, grant.status(), grant.text());
        String token = grant.json().get("access_token").asText();
        assertAcceptedTwice(token);

        String id = realm.admin().clients().findByClientId("cache-cli").get(0).getId();
        ClientRepresentation rep = realm.admin().clients().get(id).toRepresentation();
        rep.setEnabled(false);
        realm.admin().clients().get(id).update(rep);
        assertAnswers(401, token);
    }

    @Test
    void theRealmsNotBeforeRefusesEarlierTokensAtOnce() {
        newUser("cache-not-before");
        String token = Api.token(realm.getName(), "cache-not-before", LlmRealmConfig.PASSWORD);
        assertAcceptedTwice(token);
        // "Revocation" in the admin console: every token issued before now is refused. Token times are whole
        // seconds, so the not-before is one second ahead of the token's issue time at least.
        RealmRepresentation rep = realm.admin().toRepresentation();
        rep.setNotBefore((int) (System.currentTimeMillis() / 1000) + 1);
        realm.admin().update(rep);
        try {
            assertAnswers(401, token);
        } finally {
            rep.setNotBefore(0);
            realm.admin().update(rep);
        }
    }

    @Test
    void anAdministratorsSignOutOfTheUserIsRefusedAtOnce() throws InterruptedException {
        String id = newUser("cache-signed-out");
        String token = Api.token(realm.getName(), "cache-signed-out", LlmRealmConfig.PASSWORD);
        assertAcceptedTwice(token);
        // "Sign out" sets the user's not-before to the current second: let the token's second pass first.
        Thread.sleep(1_100);
        realm.admin().users().get(id).logout();
        assertAnswers(401, token);
    }

    @Test
    void aSessionEndedOtherwiseIsRefusedOnceTheBoundHasPassed() throws InterruptedException {
        String id = newUser("cache-session-ended");
        String token = Api.token(realm.getName(), "cache-session-ended", LlmRealmConfig.PASSWORD);
        assertAcceptedTwice(token);
        // One session deleted on its own (as the user's own sign-out or its expiry ends it): no not-before is set.
        String sessionId =
                realm.admin().users().get(id).getUserSessions().get(0).getId();
        realm.admin().deleteSession(sessionId, false);
        // Keycloak's own endpoints, which verify in full every time, refuse it at once.
        assertEquals(
                401,
                Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me", token)
                        .status());
        // The gateway may answer from memory until the entry ends, never later.
        Thread.sleep(LlmServerConfig.TOKEN_CACHE_MS + 500);
        assertAnswers(401, token);
    }

    @Test
    void aTokenIsNeverTakenForAnotherRealm() {
        newUser("cache-realm");
        String token = Api.token(realm.getName(), "cache-realm", LlmRealmConfig.PASSWORD);
        assertAcceptedTwice(token);
        Api.Reply elsewhere = Api.get(Api.BASE + "/realms/" + other.getName() + "/llm/v1/models", token);
        assertEquals(401, elsewhere.status(), elsewhere.text());
        // Still good where it was issued.
        assertAnswers(200, token);
    }

    @Test
    void aBadTokenIsRefusedEveryTime() {
        newUser("cache-forged");
        String token = Api.token(realm.getName(), "cache-forged", LlmRealmConfig.PASSWORD);
        assertAcceptedTwice(token);
        // The same token with its signature altered is another token: verified in full, refused.
        int dot = token.lastIndexOf('.');
        char last = token.charAt(token.length() - 2);
        String forged =
                token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
        assertAnswers(401, forged);
        assertAnswers(401, token.substring(0, dot));
        assertAnswers(200, token);
    }
}
