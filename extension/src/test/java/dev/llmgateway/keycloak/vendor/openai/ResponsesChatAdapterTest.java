package dev.llmgateway.keycloak.vendor.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseStreamEvent;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.SseParser;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicMessagesAdapter;
import org.junit.jupiter.api.Test;

/**
 * The Responses API served through Chat Completions: the vendors' answers (OpenAI chat completions and chunks, and
 * Anthropic's stream through its own translator) become response objects and Responses events that the official
 * OpenAI Java SDK reads and validates.
 */
class ResponsesChatAdapterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String REQUEST = "{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":\"Weather?\","
            + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}],"
            + "\"metadata\":{\"team\":\"a\"}";

    private static ResponsesRequest request(boolean stream) {
        return ResponsesRequestTest.read(REQUEST + (stream ? ",\"stream\":true}" : "}"));
    }

    static byte[] fixture(String vendor, String file) throws IOException {
        try (InputStream in = ResponsesChatAdapterTest.class.getResourceAsStream("/vendors/" + vendor + "/" + file)) {
            return in.readAllBytes();
        }
    }

    /** The SDK's own reading of a response object, validated (every required member present and typed). */
    private static Response sdkResponse(JsonNode response) throws IOException {
        return ObjectMappers.jsonMapper()
                .readValue(JSON.writeValueAsBytes(response), Response.class)
                .validate();
    }

    @Test
    void aCompletionBecomesAResponseWithTheSameUsage() throws IOException {
        String completion = new String(fixture("openai", "chat-completion.json"), StandardCharsets.UTF_8)
                .replace("{MODEL}", "gpt-test")
                .replace("{VENDOR}", "together");
        ResponsesChatAdapter adapter = new ResponsesChatAdapter(new OpenAiChatAdapter(), request(false));
        ChatResult result = adapter.parse(completion.getBytes(StandardCharsets.UTF_8));
        assertEquals(new Usage(1200, 80, 1000, 0).withServiceTier("default"), result.usage());
        assertEquals(null, result.body(), "written from the response object");
        JsonNode r = result.response();
        assertTrue(r.get("id").asText().startsWith("resp_"));
        assertEquals("response", r.get("object").asText());
        assertEquals("completed", r.get("status").asText());
        assertEquals("Be brief.", r.get("instructions").asText());
        assertEquals("a", r.at("/metadata/team").asText());
        assertFalse(r.get("store").asBoolean());
        assertEquals(
                JSON.readTree("{\"input_tokens\":1200,\"input_tokens_details\":{\"cached_tokens\":1000},"
                        + "\"output_tokens\":80,\"output_tokens_details\":{\"reasoning_tokens\":0},"
                        + "\"total_tokens\":1280}"),
                JSON.readTree(r.get("usage").toString()));

        Response sdk = sdkResponse(r);
        assertEquals("Hello from together.", outputText(sdk));
        assertEquals("gpt-test", sdk.model().asString());
        assertEquals(1000, sdk.usage().orElseThrow().inputTokensDetails().cachedTokens());
    }

    private static String outputText(Response r) {
        StringBuilder s = new StringBuilder();
        r.output()
                .forEach(o -> o.message()
                        .ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> s.append(t.text())))));
        return s.toString();
    }

    @Test
    void toolCallsBecomeFunctionCallItemsAndLengthMakesItIncomplete() throws IOException {
        String completion = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741569952,"
                + "\"model\":\"mistral-large\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":null,\"tool_calls\":[{\"id\":\"call_abc\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9,"
                + "\"total_tokens\":39}}";
        ResponsesChatAdapter adapter = new ResponsesChatAdapter(new OpenAiChatAdapter(), request(false));
        JsonNode r = adapter.parse(completion.getBytes(StandardCharsets.UTF_8)).response();
        assertEquals(1, r.get("output").size());
        JsonNode call = r.at("/output/0");
        assertEquals("function_call", call.get("type").asText());
        assertEquals("call_abc", call.get("call_id").asText());
        assertEquals("get_weather", call.get("name").asText());
        assertEquals("{\"city\":\"Paris\"}", call.get("arguments").asText());
        assertTrue(call.get("id").asText().startsWith("fc_"));
        Response sdk = sdkResponse(r);
        assertEquals("call_abc", sdk.output().get(0).asFunctionCall().callId());

        String cut = completion.replace("\"tool_calls\"}", "\"length\"}");
        JsonNode incomplete =
                adapter.parse(cut.getBytes(StandardCharsets.UTF_8)).response();
        assertEquals("incomplete", incomplete.get("status").asText());
        assertEquals(
                "max_output_tokens", incomplete.at("/incomplete_details/reason").asText());
    }

    @Test
    void aRequestChatCannotExpressSkipsTheCandidate() {
        ResponsesRequest r = ResponsesRequestTest.read(
                "{\"model\":\"m\",\"input\":\"x\",\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[\"vs\"]}]}");
        ResponsesChatAdapter adapter = new ResponsesChatAdapter(new OpenAiChatAdapter(), r);
        ProviderEndpoint endpoint =
                new ProviderEndpoint("p", "Groq", ProviderType.GROQ, "https://api.groq.com/openai/v1", "s", "c");
        UnsupportedRequestException e = assertThrows(
                UnsupportedRequestException.class,
                () -> adapter.request(endpoint, "k", "llama", r.chat(), Duration.ofSeconds(5)));
        assertEquals("tools[0].type", e.param());
    }

    /** A stream's events: each validated by the SDK, returned as JSON. */
    static List<JsonNode> events(StreamTranslator t, byte[] vendor, int split) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < vendor.length; i += split) {
            out.addAll(t.translate(ByteBuffer.wrap(vendor, i, Math.min(split, vendor.length - i))));
        }
        out.add(t.finish());
        SseParser parser = new SseParser();
        List<JsonNode> events = new ArrayList<>();
        StringBuilder raw = new StringBuilder();
        for (byte[] b : out) {
            raw.append(new String(b, StandardCharsets.UTF_8));
            for (String data : parser.feed(ByteBuffer.wrap(b))) {
                JsonNode e = JSON.readTree(data);
                events.add(e);
                ObjectMappers.jsonMapper()
                        .readValue(data, ResponseStreamEvent.class)
                        .validate();
            }
        }
        // Each event is announced by its type, as OpenAI streams them.
        for (JsonNode e : events) {
            assertTrue(
                    raw.toString()
                            .contains("event: " + e.get("type").asText() + "\ndata: {\"type\":\""
                                    + e.get("type").asText() + "\",\"sequence_number\":"
                                    + e.get("sequence_number").asInt() + ","),
                    e.toString());
        }
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).get("sequence_number").asInt(), "sequence numbers count from 0");
        }
        assertFalse(raw.toString().contains("[DONE]"));
        return events;
    }

    static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    @Test
    void aChunkStreamBecomesTheResponsesEvents() throws IOException {
        String stream = ""
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"llama-3\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"llama-3\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}],\"usage\":null}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"llama-3\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" wörld\"},\"finish_reason\":null}],\"usage\":null}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"llama-3\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\"llama-3\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,\"prompt_tokens_details\":{\"cached_tokens\":8}}}\n\n"
                + "data: [DONE]\n\n";
        ResponsesRequest r = request(true);
        StreamTranslator t = new ResponsesChatAdapter(new OpenAiChatAdapter(), r).streamTranslator(r.chat());
        List<JsonNode> events = events(t, stream.getBytes(StandardCharsets.UTF_8), 7);
        assertEquals(
                List.of(
                        "response.created",
                        "response.in_progress",
                        "response.output_item.added",
                        "response.content_part.added",
                        "response.output_text.delta",
                        "response.output_text.delta",
                        "response.output_text.done",
                        "response.content_part.done",
                        "response.output_item.done",
                        "response.completed"),
                types(events));
        assertEquals("in_progress", events.get(0).at("/response/status").asText());
        assertEquals("llama-3", events.get(0).at("/response/model").asText());
        assertEquals(" wörld", events.get(5).get("delta").asText());
        assertEquals("Hello wörld", events.get(6).get("text").asText());
        String item = events.get(2).at("/item/id").asText();
        assertTrue(item.startsWith("msg_"));
        assertEquals(item, events.get(4).get("item_id").asText());
        JsonNode completed = events.get(9).get("response");
        assertEquals("completed", completed.get("status").asText());
        assertEquals(events.get(0).at("/response/id"), completed.get("id"));
        assertEquals("Hello wörld", completed.at("/output/0/content/0/text").asText());
        assertEquals(12, completed.at("/usage/input_tokens").asLong());
        assertEquals(
                8, completed.at("/usage/input_tokens_details/cached_tokens").asLong());
        assertEquals(3, completed.at("/usage/output_tokens").asLong());
        assertEquals(new Usage(12, 3, 8, 0), t.usage());
        assertTrue(t.usageFinal());
        assertEquals(11, t.textChars());
    }

    @Test
    void anAnthropicStreamWithAToolCallBecomesTextAndAFunctionCall() throws IOException {
        ResponsesRequest r = request(true);
        StreamTranslator t = new ResponsesChatAdapter(new AnthropicMessagesAdapter(), r).streamTranslator(r.chat());
        List<JsonNode> events = events(t, fixture("anthropic", "stream-tool-use.txt"), 13);
        assertEquals(
                List.of(
                        "response.created",
                        "response.in_progress",
                        "response.output_item.added",
                        "response.content_part.added",
                        "response.output_text.delta",
                        "response.output_text.done",
                        "response.content_part.done",
                        "response.output_item.done",
                        "response.output_item.added",
                        "response.function_call_arguments.delta",
                        "response.function_call_arguments.delta",
                        "response.function_call_arguments.done",
                        "response.output_item.done",
                        "response.completed"),
                types(events));
        JsonNode added = events.get(8);
        assertEquals(1, added.get("output_index").asInt());
        assertEquals("function_call", added.at("/item/type").asText());
        assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", added.at("/item/call_id").asText());
        assertEquals("get_weather", added.at("/item/name").asText());
        JsonNode args = events.get(11);
        assertEquals("get_weather", args.get("name").asText());
        assertEquals(
                JSON.readTree("{\"location\": \"Paris, France\", \"unit\": \"celsius\"}"),
                JSON.readTree(args.get("arguments").asText()));
        JsonNode completed = events.get(13).get("response");
        assertEquals(2, completed.get("output").size());
        assertEquals("completed", completed.at("/output/1/status").asText());
        assertEquals(
                t.usage().promptTokens(), completed.at("/usage/input_tokens").asLong());
        assertEquals(
                t.usage().completionTokens(),
                completed.at("/usage/output_tokens").asLong());
        assertTrue(t.usageFinal());
        assertTrue(t.usage().completionTokens() > 0);
    }

    @Test
    void aStreamWithoutUsageStillCompletesWhenItEnds() throws IOException {
        String stream = ""
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
                + "data: [DONE]\n\n";
        ResponsesRequest r = request(true);
        StreamTranslator t = new ResponsesChatAdapter(new OpenAiChatAdapter(), r).streamTranslator(r.chat());
        List<JsonNode> events = events(t, stream.getBytes(StandardCharsets.UTF_8), 1000);
        JsonNode last = events.get(events.size() - 1);
        assertEquals("response.incomplete", last.get("type").asText());
        assertEquals(
                "max_output_tokens",
                last.at("/response/incomplete_details/reason").asText());
        assertFalse(t.usageFinal());
    }

    @Test
    void aVendorErrorMidStreamIsAnErrorEvent() throws IOException {
        String stream = ""
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"error\":{\"message\":\"Overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
        ResponsesRequest r = request(true);
        StreamTranslator t = new ResponsesChatAdapter(new OpenAiChatAdapter(), r).streamTranslator(r.chat());
        List<JsonNode> events = events(t, stream.getBytes(StandardCharsets.UTF_8), 1000);
        JsonNode last = events.get(events.size() - 1);
        assertEquals("error", last.get("type").asText());
        assertEquals("Overloaded", last.get("message").asText());
    }

    @Test
    void theRequestGoesOutAsItsChatEquivalent() throws IOException {
        ResponsesRequest r = request(false);
        ProviderEndpoint endpoint =
                new ProviderEndpoint("p", "Mistral", ProviderType.MISTRAL, "https://api.mistral.ai/v1", "s", "c");
        var http = new ResponsesChatAdapter(new OpenAiChatAdapter(), r)
                .request(endpoint, "k", "mistral-large", r.chat(), Duration.ofSeconds(5));
        assertEquals("https://api.mistral.ai/v1/chat/completions", http.uri().toString());
        ObjectNode sent = (ObjectNode) JSON.readTree(ResponsesPassThroughTest.bodyOf(http));
        assertEquals("mistral-large", sent.get("model").asText());
        assertEquals("system", sent.at("/messages/0/role").asText());
        assertEquals("get_weather", sent.at("/tools/0/function/name").asText());
        assertFalse(sent.has("metadata"));
    }
}
