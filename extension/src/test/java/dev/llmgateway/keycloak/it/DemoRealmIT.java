package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * The demo realm as {@code ./run} imports it works for every user it names: the end user opens both account pages and
 * gets tokens with the power-level claim from every client, and the demo realm admin manages the gateway.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class DemoRealmIT {

    private static final String DEMO_KEY = "sk-test-demo-user-own-key-7Qx";

    private static JsonNode payload(String jwt) {
        return Api.parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    private static Api.Reply password(String client, String user, String password) {
        return Api.form(
                Api.BASE + "/realms/" + DemoRealm.NAME + "/protocol/openid-connect/token",
                Map.of("grant_type", "password", "client_id", client, "username", user, "password", password));
    }

    @Test
    void everyUserOfTheDemoRealmCanDoWhatTheReadmeSays() throws IOException, InterruptedException {
        DemoRealm.importFresh();
        String master = Api.masterAdminToken();

        // Every OpenID Connect client of the realm, those the import created included, has the llm scope by default.
        List<String> without = new ArrayList<>();
        for (JsonNode client : Api.get(Api.BASE + "/admin/realms/" + DemoRealm.NAME + "/clients", master)
                .json()) {
            if (!"openid-connect".equals(client.path("protocol").asText("openid-connect"))) {
                continue;
            }
            JsonNode scopes = Api.get(
                            Api.BASE + "/admin/realms/" + DemoRealm.NAME + "/clients/"
                                    + client.get("id").asText() + "/default-client-scopes",
                            master)
                    .json();
            boolean hasLlm = false;
            for (JsonNode s : scopes) {
                hasLlm |= "llm".equals(s.path("name").asText());
            }
            if (!hasLlm) {
                without.add(client.get("clientId").asText());
            }
        }
        assertTrue(without.isEmpty(), "clients of the demo realm without the llm scope: " + without);

        // The end user's tokens carry the level (the realm default) from the playground client and admin-cli alike.
        for (String client : List.of("llm-playground", "admin-cli")) {
            Api.Reply token = password(client, "demo", "demo");
            assertEquals(200, token.status(), client + ": " + token.text());
            assertEquals(
                    "balanced",
                    payload(token.json().get("access_token").asText())
                            .path("llm_power_level")
                            .asText(),
                    "llm_power_level in demo's access token from " + client);
        }

        // The demo realm admin manages the gateway with a token of the demo realm itself.
        Api.Reply adminToken = password("admin-cli", "demo-admin", "demo-admin");
        assertEquals(200, adminToken.status(), adminToken.text());
        String demoAdmin = adminToken.json().get("access_token").asText();
        Api.Reply created = Api.post(
                Api.admin(DemoRealm.NAME, "/providers"),
                demoAdmin,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        "OpenAI",
                        "apiKey",
                        "sk-test-demo-org-key-0001",
                        "baseUrl",
                        FakeVendors.get().baseUrl("openai"),
                        "models",
                        List.of("gpt-4o-mini")));
        assertEquals(201, created.status(), "demo-admin creates a provider: " + created.text());
        Api.Reply levels = Api.get(Api.admin(DemoRealm.NAME, "/power-levels"), demoAdmin);
        assertEquals(200, levels.status(), levels.text());

        // The end user opens both account pages ("LLM API keys": add, test, delete a key; "My LLM usage").
        Path screenshots = LlmServerConfig.workDir().resolve("screenshots-demo").toAbsolutePath();
        AccountConsoleIT.runBrowser(DemoRealm.NAME, "demo", "demo", DEMO_KEY, screenshots);
        for (String shot : List.of("01-keys.png", "05-usage.png")) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 10_000, shot + " is missing or empty");
        }
        assertFalse(
                Files.readString(LlmServerConfig.serverLog()).contains(DEMO_KEY),
                "the demo user's key is not in the log");
    }
}
