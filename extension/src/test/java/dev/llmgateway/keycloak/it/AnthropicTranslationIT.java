package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicMessagesAdapter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * OpenAI features through an Anthropic provider, as the real server relays them: structured output (the clients'
 * parse() / generateObject / withStructuredOutput) emulated with a forced tool, streamed and not; what Anthropic cannot
 * do refused before any vendor call, or served by another provider that can; a conversation that starts with the
 * assistant given the user turn Anthropic requires.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class AnthropicTranslationIT {

    private static final String MODEL = "claude-sonnet-4-5";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    private String chatUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions";
    }

    private String user() {
        return Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
    }

    private String provider(String type, String name, String key, int priority, String model) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl(type));
        body.put("priority", priority);
        body.put("models", List.of(model));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        return r.json().get("provider").get("id").asText();
    }

    private List<JsonNode> bodiesSentWith(String key) {
        List<JsonNode> out = new ArrayList<>();
        for (FakeVendors.Recorded r : vendors.requests()) {
            boolean withKey = (r.apiKeyHeader() != null && r.apiKeyHeader().equals(key))
                    || (r.authorization() != null && r.authorization().equals("Bearer " + key));
            if (withKey && r.method().equals("POST")) {
                out.add(Api.parse(r.body()));
            }
        }
        return out;
    }

    private static Map<String, Object> structured(String model, boolean stream) {
        Map<String, Object> schema = Map.of(
                "type",
                "object",
                "properties",
                Map.of("city", Map.of("type", "string"), "temperature", Map.of("type", "number")),
                "required",
                List.of("city", "temperature"),
                "additionalProperties",
                false);
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", "The weather in Paris, as JSON")));
        body.put(
                "response_format",
                Map.of(
                        "type",
                        "json_schema",
                        "json_schema",
                        Map.of("name", "weather", "strict", true, "schema", schema)));
        body.put("stream", stream);
        return body;
    }

    @Test
    void structuredOutputComesBackAsTheMessageContentStreamedAndNot() {
        String key = "sk-test-structured-output";
        provider("anthropic", "Claude structured", key, 50, MODEL);

        Api.Reply plain = Api.post(chatUrl(), user(), structured(MODEL, false));
        assertEquals(200, plain.status(), plain.text());
        JsonNode message = plain.json().at("/choices/0/message");
        assertEquals(
                Api.parse("{\"city\":\"Paris\",\"temperature\":21}"),
                Api.parse(message.get("content").asText()));
        assertFalse(message.has("tool_calls"), "the emulating tool stays hidden: " + message);
        assertEquals("stop", plain.json().at("/choices/0/finish_reason").asText());
        JsonNode sent = bodiesSentWith(key).get(0);
        assertEquals(
                AnthropicMessagesAdapter.OUTPUT_TOOL, sent.at("/tools/0/name").asText(), sent.toString());
        assertEquals("tool", sent.at("/tool_choice/type").asText());
        assertEquals(
                "number",
                sent.at("/tools/0/input_schema/properties/temperature/type").asText());

        Api.Reply streamed = Api.post(chatUrl(), user(), structured(MODEL, true));
        assertEquals(200, streamed.status(), streamed.text());
        StringBuilder content = new StringBuilder();
        String finish = null;
        for (String line : streamed.text().split("\n")) {
            if (!line.startsWith("data: {")) {
                continue;
            }
            JsonNode chunk = Api.parse(line.substring(6));
            assertFalse(chunk.at("/choices/0/delta").has("tool_calls"), line);
            content.append(chunk.at("/choices/0/delta/content").asText(""));
            if (chunk.at("/choices/0/finish_reason").isTextual()) {
                finish = chunk.at("/choices/0/finish_reason").asText();
            }
        }
        assertEquals(Api.parse("{\"city\":\"Paris\",\"temperature\":21}"), Api.parse(content.toString()));
        assertEquals("stop", finish);
    }

    @Test
    void whatAnthropicCannotDoIsRefusedBeforeTheCallOrServedElsewhere() {
        String model = "claude-haiku-4-5";
        String key = "sk-test-anthropic-only";
        provider("anthropic", "Claude only", key, 50, model);
        Map<String, Object[]> refused = Map.of(
                "n", new Object[] {"n", 2},
                "logprobs", new Object[] {"logprobs", true},
                "temperature", new Object[] {"temperature", 1.5});
        for (Map.Entry<String, Object[]> e : refused.entrySet()) {
            Map<String, Object> body = new HashMap<>();
            body.put("model", model);
            body.put("messages", List.of(Map.of("role", "user", "content", "Hi")));
            body.put((String) e.getValue()[0], e.getValue()[1]);
            Api.Reply r = Api.post(chatUrl(), user(), body);
            assertEquals(400, r.status(), r.text());
            JsonNode error = r.json().get("error");
            assertEquals(e.getKey(), error.get("param").asText(), r.text());
            assertEquals("unsupported_parameter", error.get("code").asText());
            assertEquals("invalid_request_error", error.get("type").asText());
        }
        assertEquals(0, bodiesSentWith(key).size(), "no vendor call for a request Anthropic would mangle");

        // With an OpenAI-format provider offering the same model name, that one serves n = 2.
        provider("openai", "Same name elsewhere", "sk-test-anthropic-alternative", 10, model);
        Map<String, Object> two = new HashMap<>();
        two.put("model", model);
        two.put("messages", List.of(Map.of("role", "user", "content", "Hi")));
        two.put("n", 2);
        Api.Reply served = Api.post(chatUrl(), user(), two);
        assertEquals(200, served.status(), served.text());
        assertEquals("Same name elsewhere", served.header("X-LLM-Provider"));
    }

    @Test
    void aConversationStartingWithTheAssistantGetsAUserTurnFirst() {
        String model = "claude-3-5-haiku";
        String key = "sk-test-assistant-first";
        provider("anthropic", "Claude first turn", key, 50, model);
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put(
                "messages",
                List.of(
                        Map.of("role", "assistant", "content", "Hello! How can I help?"),
                        Map.of("role", "user", "content", "A joke, please")));
        Api.Reply r = Api.post(chatUrl(), user(), body);
        assertEquals(200, r.status(), r.text());
        JsonNode sent = bodiesSentWith(key).get(0);
        assertEquals("user", sent.at("/messages/0/role").asText(), sent.toString());
        assertEquals("assistant", sent.at("/messages/1/role").asText());
        assertTrue(sent.at("/messages/2/content").toString().contains("A joke"), sent.toString());
    }
}
