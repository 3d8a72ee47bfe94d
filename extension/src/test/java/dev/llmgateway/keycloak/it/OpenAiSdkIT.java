package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** The official OpenAI Java SDK works against the gateway unchanged: base URL and the access token as API key. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class OpenAiSdkIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    /** Routing, not power levels, is under test here: every model is reachable. */
    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    private OpenAIClient client(String token) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(Api.BASE + "/realms/" + realm.getName() + "/llm/v1")
                .apiKey(token)
                .maxRetries(0)
                .build();
    }

    private void provider() {
        if (Api.get(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken())
                        .json()
                        .get("total")
                        .asInt()
                > 0) {
            return;
        }
        Api.Reply r = Api.post(
                Api.admin(realm.getName(), "/providers"),
                Api.masterAdminToken(),
                Map.of(
                        "type",
                        "together",
                        "apiKey",
                        "sk-test-sdk",
                        "baseUrl",
                        FakeVendors.get().baseUrl("together"),
                        "models",
                        List.of("sdk-model")));
        assertEquals(201, r.status(), r.text());
    }

    private static ChatCompletionCreateParams params(String model) {
        return ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("Say hello")
                .build();
    }

    @Test
    void completionStreamAndModelsThroughTheSdk() {
        provider();
        OpenAIClient client = client(Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD));

        ChatCompletion completion = client.chat().completions().create(params("sdk-model"));
        assertEquals(
                "Hello from together.",
                completion.choices().get(0).message().content().orElseThrow());
        assertEquals(FakeVendors.PROMPT_TOKENS, completion.usage().orElseThrow().promptTokens());

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params("sdk-model"))) {
            stream.stream()
                    .forEach(chunk ->
                            chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
        }
        assertEquals("Hello from together.", streamed.toString());

        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertTrue(ids.contains("sdk-model") && ids.contains("auto"), ids.toString());
    }

    @Test
    void errorsSurfaceAsTheSdksOwnExceptions() {
        provider();
        OpenAIClient client = client(Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD));
        NotFoundException notFound = assertThrows(
                NotFoundException.class, () -> client.chat().completions().create(params("no-such-model")));
        assertEquals("model_not_found", notFound.code().orElseThrow());

        assertThrows(
                UnauthorizedException.class,
                () -> client("not-a-token").chat().completions().create(params("sdk-model")));
    }
}
