package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The demo realm as the sign-in tests use it: freshly imported, an OpenAI provider on the fake vendor, the realm's
 * OpenID Connect endpoints, calls to its gateway and the ledger rows they leave.
 */
final class DemoGateway {

    static final String MODEL = "gpt-4o-mini";
    static final String OIDC = Api.BASE + "/realms/" + DemoRealm.NAME + "/protocol/openid-connect";
    static final String TOKEN_ENDPOINT = OIDC + "/token";

    final String realmId;

    private DemoGateway(String realmId) {
        this.realmId = realmId;
    }

    /** Imports the demo realm afresh and gives it a provider on the fake OpenAI vendor with the given key. */
    static DemoGateway importWithProvider(String orgKey) {
        DemoRealm.importFresh();
        String admin = Api.masterAdminToken();
        Api.Reply created = Api.post(
                Api.admin(DemoRealm.NAME, "/providers"),
                admin,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        "OpenAI",
                        "apiKey",
                        orgKey,
                        "baseUrl",
                        FakeVendors.get().baseUrl("openai"),
                        "models",
                        List.of(MODEL)));
        assertEquals(201, created.status(), created.text());
        Api.Reply realm = Api.get(Api.BASE + "/admin/realms/" + DemoRealm.NAME, admin);
        assertEquals(200, realm.status(), realm.text());
        return new DemoGateway(realm.json().get("id").asText());
    }

    /** A chat completion through the realm's gateway with this bearer token. */
    static Api.Reply chat(String token) {
        return Api.post(
                Api.BASE + "/realms/" + DemoRealm.NAME + "/llm/v1/chat/completions",
                token,
                Map.of("model", MODEL, "messages", List.of(Map.of("role", "user", "content", "Say hello"))));
    }

    /** The access token of the demo end user from the password grant of a public client. */
    static String userToken(String clientId) {
        Api.Reply r = Api.form(
                TOKEN_ENDPOINT,
                Map.of("grant_type", "password", "client_id", clientId, "username", "demo", "password", "demo"));
        assertEquals(200, r.status(), r.text());
        return r.json().get("access_token").asText();
    }

    /** The id of the demo end user. */
    static String demoUserId() {
        Api.Reply users = Api.get(
                Api.BASE + "/admin/realms/" + DemoRealm.NAME + "/users?exact=true&username=demo",
                Api.masterAdminToken());
        assertEquals(200, users.status(), users.text());
        return users.json().get(0).get("id").asText();
    }

    /** The ledger rows of calls through this client, once {@code expected} of them are written. */
    List<Map<String, Object>> ledger(String clientId, int expected) {
        return Db.waitFor(
                expected,
                "select * from LLM_USAGE_EVENT where REALM_ID = ? and CLIENT_ID = ? order by CREATED_AT",
                realmId,
                clientId);
    }

    /** The claims of a JWT (not verified: the gateway and Keycloak do that). */
    static JsonNode claims(String jwt) {
        return Api.parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    /** Whether the token's {@code aud} claim (a string or an array) names this client. */
    static boolean hasAudience(JsonNode claims, String clientId) {
        JsonNode aud = claims.path("aud");
        if (aud.isTextual()) {
            return aud.asText().equals(clientId);
        }
        for (JsonNode a : aud) {
            if (a.asText().equals(clientId)) {
                return true;
            }
        }
        return false;
    }
}
