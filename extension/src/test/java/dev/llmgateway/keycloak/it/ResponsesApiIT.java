package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ToolChoiceFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * OpenAI's Responses API through the gateway with the official OpenAI Java SDK as the caller: an OpenAI provider gets
 * the request itself ({@code /responses}, with {@code store: false}), an Anthropic provider its Chat Completions
 * equivalent translated to Messages, the answer coming back as a response object or the Responses events; text,
 * instructions, a function tool round trip, streamed and not; what needs state or OpenAI's built-in tools refused with
 * a clear 400; every call in the ledger as kind {@code responses}, with its exact cost.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ResponsesApiIT {

    private static final String GPT = "gpt-responses-test";
    private static final String CLAUDE = "claude-sonnet-4-5";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    private String responsesUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/responses";
    }

    private String user() {
        return Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
    }

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(Api.BASE + "/realms/" + realm.getName() + "/llm/v1")
                .apiKey(user())
                .maxRetries(0)
                .build();
    }

    private String provider(String type, String name, String key, String model) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl(type));
        body.put("models", List.of(model));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        return r.json().get("provider").get("id").asText();
    }

    /** An OpenAI provider of {@code model}, priced by the admin: 0.15 in, 0.60 out, 0.075 cached per 1M tokens. */
    private void openAi(String key, String model) {
        String id = provider("openai", "OpenAI " + key, key, model);
        Api.Reply o = Api.put(
                Api.admin(realm.getName(), "/providers/" + id + "/models/" + model),
                Api.masterAdminToken(),
                Map.of("inputPrice", "0.15", "outputPrice", "0.60", "cachedInputPrice", "0.075"));
        assertEquals(200, o.status(), o.text());
    }

    private List<FakeVendors.Recorded> sentWith(String key) {
        List<FakeVendors.Recorded> out = new ArrayList<>();
        for (FakeVendors.Recorded r : vendors.requests()) {
            boolean withKey = (r.apiKeyHeader() != null && r.apiKeyHeader().equals(key))
                    || (r.authorization() != null && r.authorization().equals("Bearer " + key));
            if (withKey && r.method().equals("POST")) {
                out.add(r);
            }
        }
        return out;
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder()
                .name("get_weather")
                .description("The weather in a city")
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .strict(false)
                .build();
    }

    private static ResponseCreateParams text(String model) {
        return ResponseCreateParams.builder()
                .model(model)
                .instructions("Answer in one sentence.")
                .input("What is the weather in Paris?")
                .build();
    }

    private static ResponseCreateParams forcedTool(String model) {
        return ResponseCreateParams.builder()
                .model(model)
                .input("What is the weather in Paris?")
                .addTool(weatherTool())
                .toolChoice(ToolChoiceFunction.builder().name("get_weather").build())
                .build();
    }

    /** The user's question, the model's function call as it came back, and the function's output. */
    private static ResponseCreateParams toolResult(String model, ResponseFunctionToolCall call) {
        return ResponseCreateParams.builder()
                .model(model)
                .inputOfResponse(List.of(
                        ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder()
                                .role(EasyInputMessage.Role.USER)
                                .content("What is the weather in Paris?")
                                .build()),
                        ResponseInputItem.ofFunctionCall(call),
                        ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                                .callId(call.callId())
                                .output("21 °C and sunny")
                                .build())))
                .addTool(weatherTool())
                .build();
    }

    private static String outputText(Response r) {
        StringBuilder s = new StringBuilder();
        r.output()
                .forEach(o -> o.message()
                        .ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> s.append(t.text())))));
        return s.toString();
    }

    private static ResponseFunctionToolCall onlyCall(Response r) {
        assertEquals(1, r.output().size(), r.toString());
        return r.output().get(0).asFunctionCall();
    }

    /** A streamed call: its text deltas, its function call (from output_item.done) and the completed response. */
    private record Streamed(String text, ResponseFunctionToolCall call, String arguments, Response completed) {}

    private Streamed stream(OpenAIClient client, ResponseCreateParams params) {
        StringBuilder text = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        ResponseFunctionToolCall[] call = new ResponseFunctionToolCall[1];
        Response[] completed = new Response[1];
        List<Long> sequence = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> events = client.responses().createStreaming(params)) {
            events.stream().forEach(e -> {
                e.validate();
                e.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                e.functionCallArgumentsDelta().ifPresent(d -> arguments.append(d.delta()));
                e.outputItemDone().ifPresent(d -> d.item().functionCall().ifPresent(c -> call[0] = c));
                e.completed().ifPresent(c -> completed[0] = c.response());
                sequence.add(sequenceNumber(e));
            });
        }
        for (int i = 0; i < sequence.size(); i++) {
            assertEquals(i, sequence.get(i), "events are numbered from 0, in order");
        }
        assertTrue(completed[0] != null, "the stream ends with response.completed");
        return new Streamed(text.toString(), call[0], arguments.toString(), completed[0]);
    }

    private static long sequenceNumber(ResponseStreamEvent e) {
        try {
            return Api.parse(ObjectMappers.jsonMapper().writeValueAsString(e))
                    .get("sequence_number")
                    .asLong();
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new AssertionError(x);
        }
    }

    private List<Map<String, Object>> ledger(String model, int expected) {
        return Db.waitFor(
                expected,
                "select * from LLM_USAGE_EVENT where REALM_ID = ? and REQUESTED_MODEL = ? order by CREATED_AT",
                realm.getId(),
                model);
    }

    private static void cost(String expected, Map<String, Object> row) {
        assertEquals(0, new BigDecimal(expected).compareTo((BigDecimal) row.get("COST")), "cost " + row);
    }

    @Test
    void anOpenAiProviderGetsTheRequestItselfAndTheCallerItsAnswer() {
        String key = "sk-test-responses-openai";
        openAi(key, GPT);
        OpenAIClient client = client();

        // store: true, as OpenAI's own examples send it: served, and stored nowhere.
        Response plain =
                client.responses().create(text(GPT).toBuilder().store(true).build());
        assertEquals(FakeResponses.TEXT, outputText(plain));
        assertEquals("resp_68a5c6e1b0a08190b4a2b2f6f3a4c5d60e1f2a3b4c5d6e7f", plain.id(), "OpenAI's own answer");
        assertEquals(FakeVendors.PROMPT_TOKENS, plain.usage().orElseThrow().inputTokens());
        JsonNode sent = Api.parse(sentWith(key).get(0).body());
        assertEquals("/openai/v1/responses", sentWith(key).get(0).path());
        assertEquals(GPT, sent.get("model").asText());
        assertEquals("Answer in one sentence.", sent.get("instructions").asText());
        assertEquals("What is the weather in Paris?", sent.get("input").asText());
        assertFalse(sent.get("store").asBoolean(true), "nothing is kept at OpenAI that the gateway cannot serve");

        Streamed streamed = stream(client, text(GPT));
        assertEquals(FakeResponses.TEXT, streamed.text());
        assertEquals(
                FakeVendors.COMPLETION_TOKENS,
                streamed.completed().usage().orElseThrow().outputTokens());

        // A function tool round trip: the forced call, then its output sent back as input items.
        ResponseFunctionToolCall call = onlyCall(client.responses().create(forcedTool(GPT)));
        assertEquals(FakeResponses.CALL_ID, call.callId());
        assertEquals("get_weather", call.name());
        assertEquals(Api.parse("{\"city\":\"Paris\"}"), Api.parse(call.arguments()));
        Streamed streamedCall = stream(client, forcedTool(GPT));
        assertEquals(call.arguments(), streamedCall.arguments());
        assertEquals(FakeResponses.CALL_ID, streamedCall.call().callId());
        Response answer = client.responses().create(toolResult(GPT, call));
        assertEquals(FakeResponses.TEXT, outputText(answer));
        JsonNode input = Api.parse(sentWith(key).get(4).body()).get("input");
        assertEquals("function_call", input.get(1).get("type").asText(), input.toString());
        assertEquals("function_call_output", input.get(2).get("type").asText());
        assertEquals("21 °C and sunny", input.get(2).get("output").asText());

        List<Map<String, Object>> rows = ledger(GPT, 5);
        assertEquals(5, rows.size());
        for (Map<String, Object> row : rows) {
            assertEquals("responses", row.get("CALL_KIND"));
            assertEquals("ok", row.get("OUTCOME"));
            assertEquals(FakeVendors.PROMPT_TOKENS, ((Number) row.get("PROMPT_TOKENS")).longValue());
            assertEquals(FakeVendors.COMPLETION_TOKENS, ((Number) row.get("COMPLETION_TOKENS")).longValue());
            assertEquals(FakeVendors.CACHED_TOKENS, ((Number) row.get("CACHED_TOKENS")).longValue());
            // (200 * 0.15 + 1000 * 0.075 + 80 * 0.60) / 1M, exactly
            cost("0.000153", row);
        }
        assertEquals(
                List.of(false, true, false, true, false),
                rows.stream().map(r -> (Boolean) r.get("STREAMED")).toList());
    }

    @Test
    void anAnthropicProviderGetsTheChatEquivalentAndTheCallerAResponse() {
        String key = "sk-test-responses-anthropic";
        provider("anthropic", "Claude responses", key, CLAUDE);
        OpenAIClient client = client();

        Response plain = client.responses().create(text(CLAUDE));
        assertEquals(FakeVendors.ANTHROPIC_TEXT, outputText(plain));
        assertTrue(plain.id().startsWith("resp_"), plain.id());
        assertEquals(21L + 188 + 1800, plain.usage().orElseThrow().inputTokens());
        assertEquals(1800L, plain.usage().orElseThrow().inputTokensDetails().cachedTokens());
        FakeVendors.Recorded first = sentWith(key).get(0);
        assertEquals("/anthropic/v1/messages", first.path());
        JsonNode sent = Api.parse(first.body());
        assertEquals("Answer in one sentence.", sent.get("system").asText(), sent.toString());
        assertEquals(
                "What is the weather in Paris?", sent.at("/messages/0/content").asText());

        Streamed streamed = stream(client, text(CLAUDE));
        assertEquals(FakeVendors.ANTHROPIC_TEXT, streamed.text());
        assertEquals(FakeVendors.ANTHROPIC_TEXT, outputText(streamed.completed()));
        assertEquals(27L, streamed.completed().usage().orElseThrow().outputTokens());

        ResponseFunctionToolCall call = onlyCall(client.responses().create(forcedTool(CLAUDE)));
        assertEquals("toolu_forced", call.callId());
        assertEquals("get_weather", call.name());
        assertEquals(Api.parse("{\"city\":\"Paris\"}"), Api.parse(call.arguments()));
        JsonNode forced = Api.parse(sentWith(key).get(2).body());
        assertEquals("get_weather", forced.at("/tool_choice/name").asText(), forced.toString());
        Streamed streamedCall = stream(client, forcedTool(CLAUDE));
        assertEquals(Api.parse("{\"city\":\"Paris\"}"), Api.parse(streamedCall.arguments()));
        assertEquals("toolu_forced", streamedCall.call().callId());
        assertEquals("get_weather", streamedCall.call().name());

        Response answer = client.responses().create(toolResult(CLAUDE, call));
        assertEquals(FakeVendors.ANTHROPIC_TEXT, outputText(answer));
        JsonNode roundTrip = Api.parse(sentWith(key).get(4).body());
        JsonNode messages = roundTrip.get("messages");
        assertEquals("tool_use", messages.at("/1/content/0/type").asText(), roundTrip.toString());
        assertEquals("toolu_forced", messages.at("/1/content/0/id").asText());
        assertEquals("tool_result", messages.at("/2/content/0/type").asText());
        assertEquals("toolu_forced", messages.at("/2/content/0/tool_use_id").asText());

        List<Map<String, Object>> rows = ledger(CLAUDE, 5);
        assertEquals(5, rows.size());
        rows.forEach(r -> assertEquals("responses", r.get("CALL_KIND")));
        // Catalogue prices of Claude Sonnet 4.5 per 1M: input 3, cache write 3.75, cache read 0.30, output 15.
        // The recorded answer: (21 * 3 + 188 * 3.75 + 1800 * 0.30 + 27 * 15) / 1M; a forced tool call: (120 * 3 +
        // 18 * 15) / 1M.
        for (int i : new int[] {0, 1, 4}) {
            assertEquals(27L, ((Number) rows.get(i).get("COMPLETION_TOKENS")).longValue());
            cost("0.001713", rows.get(i));
        }
        for (int i : new int[] {2, 3}) {
            assertEquals(120L, ((Number) rows.get(i).get("PROMPT_TOKENS")).longValue());
            assertEquals(18L, ((Number) rows.get(i).get("COMPLETION_TOKENS")).longValue());
            cost("0.000630", rows.get(i));
        }
    }

    @Test
    void anOpenAiFormatProviderIsTranslatedToo() {
        String key = "sk-test-responses-groq";
        String model = "llama-responses-test";
        provider("groq", "Groq responses", key, model);
        OpenAIClient client = client();

        assertEquals("Hello from groq.", outputText(client.responses().create(text(model))));
        Streamed streamed = stream(client, text(model));
        assertEquals("Hello from groq.", streamed.text());
        assertEquals(
                FakeVendors.PROMPT_TOKENS,
                streamed.completed().usage().orElseThrow().inputTokens());
        assertEquals(
                FakeVendors.CACHED_TOKENS,
                streamed.completed().usage().orElseThrow().inputTokensDetails().cachedTokens());
        Streamed call = stream(client, forcedTool(model));
        assertEquals("call_fake_1", call.call().callId());
        assertEquals(Api.parse("{\"city\":\"Paris\"}"), Api.parse(call.arguments()));
        FakeVendors.Recorded sent = sentWith(key).get(2);
        assertEquals("/groq/openai/v1/chat/completions", sent.path());
        JsonNode body = Api.parse(sent.body());
        assertEquals("get_weather", body.at("/tool_choice/function/name").asText(), body.toString());
        assertTrue(body.at("/stream_options/include_usage").asBoolean(), "usage is always asked for");

        for (Map<String, Object> row : ledger(model, 3)) {
            assertEquals("responses", row.get("CALL_KIND"));
            assertEquals(FakeVendors.PROMPT_TOKENS, ((Number) row.get("PROMPT_TOKENS")).longValue());
            assertEquals(FakeVendors.COMPLETION_TOKENS, ((Number) row.get("COMPLETION_TOKENS")).longValue());
            assertEquals(FakeVendors.CACHED_TOKENS, ((Number) row.get("CACHED_TOKENS")).longValue());
        }
    }

    private JsonNode refused(Map<String, Object> body) {
        Api.Reply r = Api.post(responsesUrl(), user(), body);
        assertEquals(400, r.status(), r.text());
        return r.json().get("error");
    }

    @Test
    void whatNeedsStateOrOpenAisOwnToolsIsRefusedClearly() {
        String claudeKey = "sk-test-responses-refusals";
        provider("anthropic", "Claude refusals", claudeKey, "claude-haiku-4-5");
        OpenAIClient client = client();

        BadRequestException previous = assertThrows(
                BadRequestException.class,
                () -> client.responses()
                        .create(ResponseCreateParams.builder()
                                .model("claude-haiku-4-5")
                                .input("And tomorrow?")
                                .previousResponseId("resp_123")
                                .build()));
        assertEquals("previous_response_id", previous.param().orElseThrow());
        assertEquals("unsupported_parameter", previous.code().orElseThrow());
        assertTrue(previous.getMessage().contains("stores no responses"), previous.getMessage());

        for (Map.Entry<String, Object> e : Map.<String, Object>of("background", true, "conversation", "conv_1")
                .entrySet()) {
            JsonNode error = refused(Map.of("model", "claude-haiku-4-5", "input", "Hi", e.getKey(), e.getValue()));
            assertEquals(e.getKey(), error.get("param").asText());
            assertEquals("invalid_request_error", error.get("type").asText());
        }
        JsonNode role = refused(
                Map.of("model", "claude-haiku-4-5", "input", List.of(Map.of("role", "robot", "content", "Hi"))));
        assertEquals("input[0].role", role.get("param").asText());
        assertTrue(role.get("message").asText().contains("user, system, developer, assistant"), role.toString());

        // OpenAI's built-in tools: only OpenAI providers run them.
        Map<String, Object> search =
                Map.of("model", "claude-haiku-4-5", "input", "News?", "tools", List.of(Map.of("type", "web_search")));
        JsonNode builtIn = refused(search);
        assertEquals("tools[0].type", builtIn.get("param").asText());
        assertEquals("unsupported_parameter", builtIn.get("code").asText());
        assertTrue(builtIn.get("message").asText().contains("only by OpenAI providers"), builtIn.toString());
        assertEquals(0, sentWith(claudeKey).size(), "no vendor call for a request it cannot serve");

        String openAiKey = "sk-test-responses-builtin";
        openAi(openAiKey, "gpt-builtin-tools");
        Api.Reply passed = Api.post(
                responsesUrl(),
                user(),
                Map.of("model", "gpt-builtin-tools", "input", "News?", "tools", List.of(Map.of("type", "web_search"))));
        assertEquals(200, passed.status(), passed.text());
        assertEquals(
                "web_search",
                Api.parse(sentWith(openAiKey).get(0).body()).at("/tools/0/type").asText());

        // Nothing is stored, so nothing is found.
        NotFoundException notFound =
                assertThrows(NotFoundException.class, () -> client.responses().retrieve("resp_123"));
        assertEquals("response_not_found", notFound.code().orElseThrow());
        assertTrue(notFound.getMessage().contains("stores no responses"), notFound.getMessage());
        assertThrows(NotFoundException.class, () -> client.responses().delete("resp_123"));
        Api.Reply list = Api.get(responsesUrl(), user());
        assertEquals(405, list.status(), list.text());
        assertEquals("POST", list.header("Allow"));
        Api.Reply items = Api.get(responsesUrl() + "/resp_123/input_items", user());
        assertEquals(404, items.status());
        assertEquals("response_not_found", items.json().at("/error/code").asText());
    }
}
