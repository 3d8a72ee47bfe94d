package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** What an OpenAI client sees on paths and methods the gateway does not serve, and on a body sent as a form. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class GatewayPathsIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private String v1(String path) {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/" + path;
    }

    private static JsonNode openAiError(Api.Reply r, int status) {
        assertEquals(status, r.status(), r.text());
        JsonNode error = r.json().get("error");
        assertTrue(error != null && error.isObject(), "OpenAI's error shape: " + r.text());
        assertEquals("invalid_request_error", error.get("type").asText(), r.text());
        assertTrue(error.has("param") && error.has("code"), r.text());
        return error;
    }

    @Test
    void unknownPathsAndMethodsAnswerInOpenAisErrorShape() {
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        Map<String, Object> body = Map.of("model", "text-embedding-3-small", "input", "hello");
        for (String path : new String[] {"completions", "audio/speech"}) {
            JsonNode error = openAiError(Api.post(v1(path), token, body), 404);
            assertEquals("unknown_url", error.get("code").asText());
            assertTrue(error.get("message").asText().contains("POST /v1/" + path), error.toString());
            assertTrue(error.get("message").asText().contains("/v1/chat/completions"), error.toString());
        }
        assertEquals(
                "unknown_url",
                openAiError(Api.get(v1("files"), token), 404).get("code").asText());
        assertEquals(
                "unknown_url",
                openAiError(Api.delete(v1("models/gpt-4o"), token), 404)
                        .get("code")
                        .asText());
        // A path that could be a pasted key is not echoed.
        String pasted = "sk-test-pasted-into-the-path-Zq7";
        Api.Reply echo = Api.get(v1(pasted), token);
        openAiError(echo, 404);
        ProviderCrudIT.assertNoKeyIn(echo.text(), pasted);

        Api.Reply get = Api.get(v1("chat/completions"), token);
        assertEquals("method_not_allowed", openAiError(get, 405).get("code").asText());
        assertEquals("POST", get.header("Allow"));
        assertEquals(
                "method_not_allowed",
                openAiError(Api.post(v1("models"), token, Map.of()), 405)
                        .get("code")
                        .asText());
    }

    /** {@code models.retrieve} of the SDKs: a model or alias of the caller's list, else OpenAI's model_not_found. */
    @Test
    void oneModelIsRetrievedAsItsListEntry() {
        Api.allowEveryModel(realm.getName());
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                Api.masterAdminToken(),
                Map.of(
                        "type",
                        "openrouter",
                        "name",
                        "Retrieve",
                        "apiKey",
                        "sk-test-retrieve",
                        "baseUrl",
                        FakeVendors.get().baseUrl("openrouter"),
                        "models",
                        java.util.List.of("openai/gpt-4o-mini")));
        assertEquals(201, created.status(), created.text());
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        Api.Reply model = Api.get(v1("models/openai/gpt-4o-mini"), token);
        assertEquals(200, model.status(), model.text());
        assertEquals("openai/gpt-4o-mini", model.json().get("id").asText());
        assertEquals("model", model.json().get("object").asText());
        assertEquals("openrouter", model.json().get("owned_by").asText());
        assertEquals(
                "alias",
                Api.get(v1("models/auto"), token).json().get("owned_by").asText());

        JsonNode missing = openAiError(Api.get(v1("models/gpt-9-imaginary"), token), 404);
        assertEquals("model_not_found", missing.get("code").asText());
        assertEquals("model", missing.get("param").asText());
        assertTrue(missing.get("message").asText().contains("'gpt-9-imaginary'"), missing.toString());
        Api.Reply anonymous = Api.get(v1("models/openai/gpt-4o-mini"), null);
        assertEquals(401, anonymous.status());
        assertEquals("Bearer", anonymous.header("WWW-Authenticate"), "RFC 6750's challenge");
    }

    /** curl -d without -H 'Content-Type: application/json' sends a form: the answer says what to add. */
    @Test
    void jsonSentAsAFormGetsAnAnswerThatNamesTheContentType() throws IOException, InterruptedException {
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(v1("chat/completions")))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = Api.parse(r.body()).get("error");
        assertTrue(error.get("message").asText().contains("Content-Type: application/json"), r.body());

        HttpResponse<String> admin = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(Api.admin(realm.getName(), "/routing/rules")))
                                .header("Authorization", "Bearer " + Api.masterAdminToken())
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .PUT(HttpRequest.BodyPublishers.ofString("{\"strategy\":\"cost\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(400, admin.statusCode(), admin.body());
        assertTrue(
                Api.parse(admin.body()).get("error").asText().contains("Content-Type: application/json"), admin.body());
    }
}
