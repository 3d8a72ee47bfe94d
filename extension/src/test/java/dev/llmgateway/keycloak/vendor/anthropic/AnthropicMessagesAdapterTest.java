package dev.llmgateway.keycloak.vendor.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.gateway.ChatAdapters;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;
import dev.llmgateway.keycloak.vendor.VendorError;
import dev.llmgateway.keycloak.vendor.openai.OpenAiChatAdapter;
import org.junit.jupiter.api.Test;

class AnthropicMessagesAdapterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AnthropicMessagesAdapter adapter = new AnthropicMessagesAdapter();

    static byte[] fixture(String file) {
        try (InputStream in = AnthropicMessagesAdapterTest.class.getResourceAsStream("/vendors/anthropic/" + file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ChatRequest chat(boolean stream, String json) {
        try {
            return new ChatRequest("claude", stream, (ObjectNode) JSON.readTree(json));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode translated(String json) {
        return AnthropicMessagesAdapter.body("claude-sonnet-4-5", chat(false, json));
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    @Test
    void systemAndDeveloperMessagesBecomeTheSystemPrompt() throws IOException {
        JsonNode body = translated("{\"model\":\"claude\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"Answer in French.\"}]},"
                + "{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals("You are terse.\n\nAnswer in French.", body.get("system").asText());
        assertEquals(json("[{\"role\":\"user\",\"content\":\"Hi\"}]"), body.get("messages"));
        assertEquals("claude-sonnet-4-5", body.get("model").asText());
    }

    @Test
    void consecutiveTurnsOfOneRoleAreMergedAndImagesTranslated() throws IOException {
        JsonNode body = translated("{\"model\":\"claude\",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Look:\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.jpg\",\"detail\":\"high\"}},"
                + "{\"type\":\"text\",\"text\":\"What is it?\"}]},"
                + "{\"role\":\"assistant\",\"content\":\"A cat.\"},"
                + "{\"role\":\"assistant\",\"content\":\"A tabby.\"},"
                + "{\"role\":\"user\",\"content\":\"Thanks\"}]}");
        assertEquals(
                json("[{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"text\",\"text\":\"Look:\"},"
                        + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
                        + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.jpg\"}},"
                        + "{\"type\":\"text\",\"text\":\"What is it?\"}]},"
                        + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"A cat.\"},{\"type\":\"text\",\"text\":\"A tabby.\"}]},"
                        + "{\"role\":\"user\",\"content\":\"Thanks\"}]"),
                body.get("messages"));
        assertFalse(body.has("system"));
    }

    @Test
    void maxTokensComesFromEitherFieldOrTheDefault() {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
        assertEquals(
                AnthropicMessagesAdapter.DEFAULT_MAX_TOKENS,
                translated("{" + messages + "}").get("max_tokens").asInt());
        assertEquals(4096, AnthropicMessagesAdapter.DEFAULT_MAX_TOKENS);
        assertEquals(
                100,
                translated("{" + messages + ",\"max_tokens\":100}")
                        .get("max_tokens")
                        .asInt());
        assertEquals(
                300,
                translated("{" + messages + ",\"max_tokens\":100,\"max_completion_tokens\":300}")
                        .get("max_tokens")
                        .asInt());
    }

    @Test
    void samplingOptionsPassStopBecomesStopSequencesAndOpenAiOnlyFieldsAreDropped() throws IOException {
        JsonNode body = translated("{\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"temperature\":0.2,\"top_p\":0.9,\"stop\":\"END\",\"user\":\"alice\",\"n\":1,\"presence_penalty\":0.5,"
                + "\"frequency_penalty\":0.1,\"logprobs\":false,\"seed\":7,\"response_format\":{\"type\":\"text\"},"
                + "\"stream_options\":{\"include_usage\":true}}");
        assertEquals(
                json("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4096,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"temperature\":0.2,\"top_p\":0.9,"
                        + "\"stop_sequences\":[\"END\"],\"metadata\":{\"user_id\":\"alice\"}}"),
                json(body.toString()));
        assertEquals(
                json("[\"a\",\"b\"]"),
                translated("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + "\"stop\":[\"a\",\"b\"]}")
                        .get("stop_sequences"));
    }

    @Test
    void whatTheMessagesApiCannotExpressIsRefusedNamingTheParameter() {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
        assertEquals(
                "n",
                assertThrows(UnsupportedRequestException.class, () -> translated("{" + messages + ",\"n\":2}"))
                        .param());
        assertEquals(
                "logprobs",
                assertThrows(
                                UnsupportedRequestException.class,
                                () -> translated("{" + messages + ",\"logprobs\":true,\"top_logprobs\":2}"))
                        .param());
        assertEquals(
                "temperature",
                assertThrows(
                                UnsupportedRequestException.class,
                                () -> translated("{" + messages + ",\"temperature\":1.5}"))
                        .param());
    }

    @Test
    void aConversationStartingWithTheAssistantGetsAUserTurnFirst() throws IOException {
        JsonNode body = translated("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello, how can I help?\"},"
                + "{\"role\":\"user\",\"content\":\"Tell me a joke\"}]}");
        assertEquals("user", body.at("/messages/0/role").asText());
        assertEquals("assistant", body.at("/messages/1/role").asText());
        assertEquals("user", body.at("/messages/2/role").asText());
    }

    @Test
    void structuredOutputIsAForcedToolWhoseInputComesBackAsTheContent() throws IOException {
        JsonNode body = translated("{\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"weather\","
                + "\"strict\":true,\"schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                + "\"required\":[\"city\"],\"additionalProperties\":false}}}}");
        assertEquals(
                AnthropicMessagesAdapter.OUTPUT_TOOL, body.at("/tools/0/name").asText());
        assertEquals(
                "string", body.at("/tools/0/input_schema/properties/city/type").asText());
        assertEquals(
                json("{\"type\":\"tool\",\"name\":\"" + AnthropicMessagesAdapter.OUTPUT_TOOL + "\"}"),
                json(body.get("tool_choice").toString()));

        ChatResult answer = adapter.parse(("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                        + "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"Here you go: \"},{\"type\":\"tool_use\",\"id\":\"toolu_1\","
                        + "\"name\":\"" + AnthropicMessagesAdapter.OUTPUT_TOOL + "\",\"input\":{\"city\":\"Paris\"}}],"
                        + "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":20,\"output_tokens\":9}}")
                .getBytes(StandardCharsets.UTF_8));
        JsonNode message = answer.response().at("/choices/0/message");
        assertEquals(json("{\"city\":\"Paris\"}"), json(message.get("content").asText()));
        assertFalse(message.has("tool_calls"), message.toString());
        assertEquals("stop", answer.response().at("/choices/0/finish_reason").asText());

        JsonNode jsonObject = translated("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"response_format\":{\"type\":\"json_object\"}}");
        assertEquals("object", jsonObject.at("/tools/0/input_schema/type").asText());
    }

    @Test
    void streamingIsAskedForWhenTheCallerStreams() {
        ChatRequest request = chat(
                true, "{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertTrue(AnthropicMessagesAdapter.body("claude-sonnet-4-5", request)
                .get("stream")
                .asBoolean());
        assertFalse(translated("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .has("stream"));
    }

    @Test
    void toolsToolChoiceToolCallsAndToolResults() throws IOException {
        String tools =
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Current weather\","
                        + "\"parameters\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},\"required\":[\"location\"]}}},"
                        + "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]";
        JsonNode body = translated("{\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"toolu_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}},"
                + "{\"id\":\"toolu_2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Rome\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":\"21 °C\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"toolu_2\",\"content\":[{\"type\":\"text\",\"text\":\"25 °C\"}]},"
                + "{\"role\":\"user\",\"content\":\"Which is warmer?\"}],"
                + tools + ",\"tool_choice\":\"required\"}");
        assertEquals(
                json("[{\"name\":\"get_weather\",\"description\":\"Current weather\",\"input_schema\":"
                        + "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},\"required\":[\"location\"]}},"
                        + "{\"name\":\"now\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}]"),
                body.get("tools"));
        assertEquals(json("{\"type\":\"any\"}"), body.get("tool_choice"));
        assertEquals(
                json("[{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
                        + "{\"role\":\"assistant\",\"content\":["
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"location\":\"Paris\"}},"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"get_weather\",\"input\":{\"location\":\"Rome\"}}]},"
                        + "{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"21 °C\"},"
                        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"content\":[{\"type\":\"text\",\"text\":\"25 °C\"}]},"
                        + "{\"type\":\"text\",\"text\":\"Which is warmer?\"}]}]"),
                body.get("messages"));

        String prefix = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + tools + ",\"tool_choice\":";
        assertEquals(
                json("{\"type\":\"auto\"}"), translated(prefix + "\"auto\"}").get("tool_choice"));
        assertEquals(
                json("{\"type\":\"none\"}"), translated(prefix + "\"none\"}").get("tool_choice"));
        assertEquals(
                json("{\"type\":\"tool\",\"name\":\"now\"}"),
                translated(prefix + "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}}")
                        .get("tool_choice"));
        assertEquals(
                json("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}"),
                translated(prefix + "\"auto\",\"parallel_tool_calls\":false}").get("tool_choice"));
    }

    @Test
    void theRequestGoesToMessagesWithAnthropicsHeadersAndLeavesTheCallersBodyAlone() throws IOException {
        ProviderEndpoint endpoint = new ProviderEndpoint(
                "p1", "Anthropic", ProviderType.ANTHROPIC, "https://api.anthropic.com/v1/", "sealed", "ctx");
        ChatRequest request = chat(
                false,
                "{\"model\":\"claude\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                        + "{\"role\":\"user\",\"content\":\"Hi\"}]}");
        String before = request.body().toString();
        HttpRequest http =
                adapter.request(endpoint, "sk-ant-test", "claude-sonnet-4-5", request, Duration.ofSeconds(42));
        assertEquals("https://api.anthropic.com/v1/messages", http.uri().toString());
        assertEquals("POST", http.method());
        assertEquals(Duration.ofSeconds(42), http.timeout().orElseThrow());
        assertEquals("sk-ant-test", http.headers().firstValue("x-api-key").orElseThrow());
        assertEquals(
                ProviderType.ANTHROPIC_VERSION,
                http.headers().firstValue("anthropic-version").orElseThrow());
        assertEquals(
                "application/json", http.headers().firstValue("content-type").orElseThrow());
        assertFalse(http.headers().firstValue("Authorization").isPresent());
        assertEquals(before, request.body().toString());
        assertTrue(http.bodyPublisher().orElseThrow().contentLength() > 0);
    }

    @Test
    void aMessageBecomesAChatCompletionWithPromptTokensIncludingTheCache() throws IOException {
        ChatResult result = adapter.parse(fixture("message.json"));
        JsonNode r = result.response();
        assertEquals("msg_01HCk2sM8qBv6vHXqW3jJ7Xr", r.get("id").asText());
        assertEquals("chat.completion", r.get("object").asText());
        assertEquals("claude-sonnet-4-5-20250929", r.get("model").asText());
        assertTrue(Math.abs(r.get("created").asLong() - System.currentTimeMillis() / 1000) < 60);
        JsonNode choice = r.get("choices").get(0);
        assertEquals("assistant", choice.at("/message/role").asText());
        assertEquals(
                "Bonjour ! À Paris il fait 21 °C ☀️ — parfait pour une promenade.",
                choice.at("/message/content").asText());
        assertFalse(choice.get("message").has("tool_calls"));
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals(
                json("{\"prompt_tokens\":2009,\"completion_tokens\":27,\"total_tokens\":2036,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":1800,\"cache_creation_input_tokens\":188}}"),
                json(r.get("usage").toString()));
        assertEquals(new Usage(21 + 1800 + 188, 27, 1800, 0, 188), result.usage());
        assertEquals(result.usage(), Usage.fromOpenAi(r.get("usage")));
    }

    @Test
    void toolUseBlocksBecomeToolCalls() throws IOException {
        JsonNode r = adapter.parse(fixture("message-tool-use.json")).response();
        JsonNode message = r.at("/choices/0/message");
        assertEquals(
                "I'll look up the current weather in Paris.",
                message.get("content").asText());
        JsonNode call = message.get("tool_calls").get(0);
        assertEquals("toolu_01A09q90qw90lq917835lq9", call.get("id").asText());
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.at("/function/name").asText());
        assertTrue(call.at("/function/arguments").isTextual());
        assertEquals(
                json("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"),
                json(call.at("/function/arguments").asText()));
        assertEquals("tool_calls", r.at("/choices/0/finish_reason").asText());
        assertEquals(
                new Usage(412, 71, 0, 0, 0),
                adapter.parse(fixture("message-tool-use.json")).usage());
    }

    @Test
    void stopReasonsMapToFinishReasons() throws IOException {
        Map<String, String> expected = Map.of(
                "end_turn",
                "stop",
                "stop_sequence",
                "stop",
                "max_tokens",
                "length",
                "tool_use",
                "tool_calls",
                "refusal",
                "content_filter",
                "pause_turn",
                "stop");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ObjectNode message = (ObjectNode) JSON.readTree(fixture("message.json"));
            message.put("stop_reason", e.getKey());
            assertEquals(
                    e.getValue(),
                    adapter.parse(JSON.writeValueAsBytes(message))
                            .response()
                            .at("/choices/0/finish_reason")
                            .asText(),
                    e.getKey());
        }
    }

    @Test
    void aMessageWithoutTextHasNullContent() throws IOException {
        ObjectNode message = (ObjectNode) JSON.readTree(fixture("message-tool-use.json"));
        ((ArrayNode) message.get("content")).remove(0);
        JsonNode content =
                adapter.parse(JSON.writeValueAsBytes(message)).response().at("/choices/0/message/content");
        assertTrue(content.isNull());
    }

    @Test
    void whatIsNotAnAnthropicMessageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> adapter.parse(fixture("error-401.json")));
        assertThrows(
                IllegalArgumentException.class,
                () -> adapter.parse("{\"choices\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> adapter.parse("not json".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void errorsAreReadInOpenAisTerms() {
        VendorError auth = VendorError.parse(fixture("error-401.json"), true);
        assertEquals("invalid x-api-key", auth.message());
        assertEquals("authentication_error", auth.type());
        VendorError limited = VendorError.parse(fixture("error-429.json"), true);
        assertEquals("Number of request tokens has exceeded your per-minute rate limit", limited.message());
        assertEquals("rate_limit_error", limited.type());
        VendorError tooLong = VendorError.parse(
                ("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                                + "\"message\":\"prompt is too long: 210123 tokens > 200000 maximum\"}}")
                        .getBytes(StandardCharsets.UTF_8),
                true);
        assertEquals("context_length_exceeded", tooLong.code());
        assertEquals("messages", tooLong.param());
        assertNull(VendorError.parse("<html>".getBytes(StandardCharsets.UTF_8), true)
                .message());
        // OpenAI-format vendors' code and param are kept; one that is not an identifier (a key echoed) is dropped.
        VendorError openAi = VendorError.parse(
                ("{\"error\":{\"message\":\"This model's maximum context length is 128000 tokens.\","
                                + "\"type\":\"invalid_request_error\",\"param\":\"messages\","
                                + "\"code\":\"context_length_exceeded\"}}")
                        .getBytes(StandardCharsets.UTF_8),
                false);
        assertEquals("context_length_exceeded", openAi.code());
        assertEquals("messages", openAi.param());
        assertNull(VendorError.parse(
                        "{\"error\":{\"message\":\"m\",\"code\":\"sk-proj abc def\"}}".getBytes(StandardCharsets.UTF_8),
                        false)
                .code());
    }

    @Test
    void anthropicProvidersGetThisAdapter() {
        assertInstanceOf(AnthropicMessagesAdapter.class, ChatAdapters.forType(ProviderType.ANTHROPIC));
        assertSame(ChatAdapters.forType(ProviderType.ANTHROPIC), ChatAdapters.forType(ProviderType.ANTHROPIC));
        assertInstanceOf(OpenAiChatAdapter.class, ChatAdapters.forType(ProviderType.OPENAI));
    }
}
