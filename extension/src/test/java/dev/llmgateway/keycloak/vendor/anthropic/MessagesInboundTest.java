package dev.llmgateway.keycloak.vendor.anthropic;

import static dev.llmgateway.keycloak.vendor.anthropic.AnthropicMessagesAdapterTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.gateway.MessagesApi;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;
import org.junit.jupiter.api.Test;
import org.keycloak.services.ErrorResponseException;

/** The Messages API served to callers: reading, translating to Chat Completions, and the answers both ways. */
class MessagesInboundTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProviderEndpoint ANTHROPIC = new ProviderEndpoint(
            "p1", "Anthropic", ProviderType.ANTHROPIC, "https://api.anthropic.com/v1", "sealed", "ctx");
    private static final ProviderEndpoint OPENAI =
            new ProviderEndpoint("p2", "OpenAI", ProviderType.OPENAI, "https://api.openai.com/v1", "sealed", "ctx");
    private static final ProviderEndpoint GROQ =
            new ProviderEndpoint("p3", "Groq", ProviderType.GROQ, "https://api.groq.com/openai/v1", "sealed", "ctx");

    static byte[] resource(String file) {
        try (InputStream in = MessagesInboundTest.class.getResourceAsStream("/messages/" + file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessagesRequest read(String json) {
        return MessagesRequest.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), 1 << 20, null);
    }

    /** The Anthropic-shaped error a bad request gets: its status and message. */
    private static void refused(String json, String message) throws IOException {
        ErrorResponseException e = assertThrows(ErrorResponseException.class, () -> read(json));
        assertEquals(400, e.getResponse().getStatus());
        JsonNode body = JSON.readTree((byte[]) e.getResponse().getEntity());
        assertEquals("error", body.path("type").asText());
        assertEquals("invalid_request_error", body.at("/error/type").asText());
        assertEquals(message, body.at("/error/message").asText());
    }

    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";

    @Test
    void badRequestsAreRefusedInAnthropicsShapeNamingTheField() throws IOException {
        refused("{\"model\":\"claude\"," + MESSAGES + "}", "max_tokens: Field required");
        refused("{\"max_tokens\":10," + MESSAGES + "}", "model: Field required");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":\"ten\"," + MESSAGES + "}",
                "max_tokens: Input should be a valid integer");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":0," + MESSAGES + "}",
                "max_tokens: Input should be greater than or equal to 1");
        refused("{\"model\":\"claude\",\"max_tokens\":10}", "messages: Field required");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[]}",
                "messages: at least one message is required");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
                "messages.0.role: Input should be 'user', 'assistant' or 'system'");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":42}]}",
                "messages.0.content: Input should be a valid string or a list of content blocks");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"assistant\",\"content\":"
                        + "[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\"}]}]}",
                "messages.0.content.0.input: Input should be a valid object");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"tool_result\",\"content\":\"x\"}]}]}",
                "messages.0.content.0.tool_use_id: Field required");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10," + MESSAGES + ",\"system\":42}",
                "system: Input should be a valid string or a list of text blocks");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10," + MESSAGES + ",\"tools\":[{\"name\":\"f\"}]}",
                "tools.0.input_schema: Field required (a JSON schema object)");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10," + MESSAGES + ",\"tool_choice\":{\"type\":\"tool\"}}",
                "tool_choice.name: Field required");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10," + MESSAGES + ",\"stream\":\"yes\"}",
                "stream: Input should be a valid boolean");
        refused(
                "{\"model\":\"claude\",\"max_tokens\":10," + MESSAGES + ",\"stop_sequences\":\"END\"}",
                "stop_sequences: Input should be a valid list");
        refused("[1]", "The request body must be a JSON object");
        refused("{\"model\":", "The request body is not valid JSON (line 1, column 10)");
    }

    @Test
    void anOversizedBodyIsRequestTooLarge() throws IOException {
        ErrorResponseException e = assertThrows(
                ErrorResponseException.class,
                () -> MessagesRequest.read(new ByteArrayInputStream(new byte[101]), 100, null));
        assertEquals(413, e.getResponse().getStatus());
        assertEquals(
                "request_too_large",
                JSON.readTree((byte[]) e.getResponse().getEntity())
                        .at("/error/type")
                        .asText());
    }

    @Test
    void aBetaHeaderThatIsNotAListOfNamesIsRefused() {
        ErrorResponseException e = assertThrows(
                ErrorResponseException.class,
                () -> MessagesRequest.read(
                        new ByteArrayInputStream(("{\"model\":\"c\",\"max_tokens\":1," + MESSAGES + "}").getBytes()),
                        1000,
                        "prompt-caching\r\nx-evil: 1"));
        assertEquals(400, e.getResponse().getStatus());
    }

    @Test
    void tokenCountingNeedsNoMaxTokens() {
        MessagesRequest r = MessagesRequest.readCountTokens(
                new ByteArrayInputStream(("{\"model\":\"claude\"," + MESSAGES + "}").getBytes()), 1000, null);
        assertEquals("claude", r.model());
        assertFalse(r.stream());
    }

    @Test
    void claudeCodesRequestTranslatesToTheEquivalentChatRequest() throws IOException {
        MessagesRequest r = read(new String(resource("claude-code-request.json"), StandardCharsets.UTF_8));
        assertTrue(r.stream());
        assertEquals("claude-sonnet-4-5-20250929", r.model());
        JsonNode expected = JSON.readTree("""
                {"model":"claude-sonnet-4-5-20250929",
                 "messages":[
                  {"role":"system","content":"You are Claude Code, Anthropic's official CLI for Claude.\\n\\nAnswer in French."},
                  {"role":"user","content":"<system-reminder>Today is 2026-12-01.</system-reminder>\\n\\nWhat is the weather in Paris?"},
                  {"role":"assistant","content":"Let me check.","tool_calls":[{"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                    "type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris, France\\"}"}}]},
                  {"role":"tool","tool_call_id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","content":"21 °C, sunny"},
                  {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                    {"type":"text","text":"And this chart?"}]},
                  {"role":"system","content":"Keep it short."}],
                 "max_tokens":32000,"temperature":1,"top_p":0.9,"stop":["\\n\\nHuman:"],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"The current weather",
                   "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}],
                 "tool_choice":"auto","parallel_tool_calls":false,
                 "stream":true,"stream_options":{"include_usage":true}}
                """);
        assertEquals(expected, JSON.readTree(r.toChat().body().toString()));
        assertEquals("claude-sonnet-4-5-20250929", r.toChat().model());
        assertTrue(r.toChat().stream());
        assertNull(r.untranslatable());
    }

    @Test
    void toolChoicesTranslate() {
        String base = "{\"model\":\"c\",\"max_tokens\":5," + MESSAGES
                + ",\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":";
        assertEquals(
                "required",
                read(base + "{\"type\":\"any\"}}")
                        .toChat()
                        .body()
                        .get("tool_choice")
                        .asText());
        assertEquals(
                "none",
                read(base + "{\"type\":\"none\"}}")
                        .toChat()
                        .body()
                        .get("tool_choice")
                        .asText());
        assertEquals(
                "f",
                read(base + "{\"type\":\"tool\",\"name\":\"f\"}}")
                        .toChat()
                        .body()
                        .at("/tool_choice/function/name")
                        .asText());
    }

    @Test
    void whatChatCompletionsCannotExpressGoesToAnthropicProvidersOnly() throws Exception {
        MessagesRequest r = read("{\"model\":\"c\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/a.pdf\"}},"
                + "{\"type\":\"text\",\"text\":\"Summarise\"}]}]}");
        UnsupportedRequestException e = r.untranslatable();
        assertEquals("messages.0.content.0", e.param());
        assertEquals("A 'document' content block; only Anthropic providers can serve it", e.getMessage());
        MessagesApi api = new MessagesApi(r);
        assertThrows(
                UnsupportedRequestException.class,
                () -> api.adapter(ProviderType.OPENAI)
                        .request(OPENAI, "sk-x", "gpt-4.1", r.toChat(), Duration.ofSeconds(5)));
        HttpRequest http = api.adapter(ProviderType.ANTHROPIC)
                .request(ANTHROPIC, "sk-ant", "claude-x", r.toChat(), Duration.ofSeconds(5));
        assertEquals(
                "document",
                JSON.readTree(body(http)).at("/messages/0/content/0/type").asText());
    }

    @Test
    void serverToolsGoToAnthropicProvidersOnly() {
        MessagesRequest r = read("{\"model\":\"c\",\"max_tokens\":5," + MESSAGES
                + ",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5}]}");
        assertEquals("tools.0", r.untranslatable().param());
    }

    @Test
    void openAiGetsMaxCompletionTokensAndRefusesTopKWhileOthersTakeIt() throws Exception {
        MessagesRequest r = read("{\"model\":\"c\",\"max_tokens\":5,\"top_k\":40," + MESSAGES + "}");
        MessagesApi api = new MessagesApi(r);
        UnsupportedRequestException e = assertThrows(
                UnsupportedRequestException.class,
                () -> api.adapter(ProviderType.OPENAI)
                        .request(OPENAI, "sk-x", "gpt-4.1", r.toChat(), Duration.ofSeconds(5)));
        assertEquals("top_k", e.param());
        JsonNode groq = JSON.readTree(body(api.adapter(ProviderType.GROQ)
                .request(GROQ, "gsk-x", "llama-3.3-70b-versatile", r.toChat(), Duration.ofSeconds(5))));
        assertEquals(40, groq.get("top_k").asInt());
        assertEquals(5, groq.get("max_tokens").asInt());
        assertEquals("llama-3.3-70b-versatile", groq.get("model").asText());

        MessagesRequest plain = read("{\"model\":\"c\",\"max_tokens\":5," + MESSAGES + "}");
        JsonNode openai = JSON.readTree(body(new MessagesApi(plain)
                .adapter(ProviderType.OPENAI)
                .request(OPENAI, "sk-x", "gpt-4.1", plain.toChat(), Duration.ofSeconds(5))));
        assertEquals(5, openai.get("max_completion_tokens").asInt());
        assertFalse(openai.has("max_tokens"));
        // The routed request stays as it was for the next candidate.
        assertEquals(5, plain.toChat().body().get("max_tokens").asInt());
    }

    @Test
    void anthropicGetsTheCallersBodyUnchangedButTheModelWithTheirBetaHeader() throws Exception {
        byte[] sent = resource("claude-code-request.json");
        MessagesRequest r = MessagesRequest.read(
                new ByteArrayInputStream(sent), 1 << 20, "interleaved-thinking-2025-05-14,prompt-caching-2024-07-31");
        HttpRequest http = new MessagesApi(r)
                .adapter(ProviderType.ANTHROPIC)
                .request(ANTHROPIC, "sk-ant-test", "claude-sonnet-4-5", r.toChat(), Duration.ofSeconds(5));
        assertEquals("https://api.anthropic.com/v1/messages", http.uri().toString());
        assertEquals("sk-ant-test", http.headers().firstValue("x-api-key").orElseThrow());
        assertEquals(
                ProviderType.ANTHROPIC_VERSION,
                http.headers().firstValue("anthropic-version").orElseThrow());
        assertEquals(
                "interleaved-thinking-2025-05-14,prompt-caching-2024-07-31",
                http.headers().firstValue("anthropic-beta").orElseThrow());
        assertFalse(http.headers().firstValue("Authorization").isPresent());
        ObjectNode expected = (ObjectNode) JSON.readTree(sent);
        expected.put("model", "claude-sonnet-4-5");
        assertEquals(expected, JSON.readTree(body(http)));
        assertEquals("claude-sonnet-4-5-20250929", r.body().get("model").asText());

        HttpRequest count = new AnthropicPassThroughAdapter(r)
                .countTokens(ANTHROPIC, "sk-ant-test", "claude-x", Duration.ofSeconds(5));
        assertEquals(
                "https://api.anthropic.com/v1/messages/count_tokens",
                count.uri().toString());
    }

    @Test
    void anthropicsAnswerReachesTheCallerAsItsBytesWithItsUsageRead() {
        byte[] answer = fixture("message.json");
        ChatResult result = new MessagesApi(read("{\"model\":\"c\",\"max_tokens\":5," + MESSAGES + "}"))
                .adapter(ProviderType.ANTHROPIC)
                .parse(answer);
        assertArrayEquals(answer, result.body());
        // 21 uncached + 1800 read from the cache + 188 written to it.
        assertEquals(new Usage(2009, 27, 1800, 0, 188, 0), result.usage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new MessagesApi(read("{\"model\":\"c\",\"max_tokens\":5," + MESSAGES + "}"))
                        .adapter(ProviderType.ANTHROPIC)
                        .parse(fixture("error-401.json")));
    }

    /** Feeds {@code stream} in pieces cut at each offset; returns what the caller gets, finish() included. */
    private static String relay(StreamTranslator t, byte[] stream, int... cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int cut : cuts) {
            t.translate(ByteBuffer.wrap(stream, from, cut - from)).forEach(out::writeBytes);
            from = cut;
        }
        t.translate(ByteBuffer.wrap(stream, from, stream.length - from)).forEach(out::writeBytes);
        out.writeBytes(t.finish());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anthropicsStreamReachesTheCallerByteForByteWithItsUsageRead() {
        byte[] stream = fixture("stream.txt");
        StreamTranslator t = new MessagesApi(
                        read("{\"model\":\"c\",\"max_tokens\":5,\"stream\":true," + MESSAGES + "}"))
                .adapter(ProviderType.ANTHROPIC)
                .streamTranslator(null);
        // Cut inside an event and inside the UTF-8 of "°".
        int degree = new String(stream, StandardCharsets.UTF_8)
                .substring(0, new String(stream, StandardCharsets.UTF_8).indexOf('°'))
                .getBytes(StandardCharsets.UTF_8)
                .length;
        String relayed = relay(t, stream, 100, degree + 1);
        assertEquals(new String(stream, StandardCharsets.UTF_8), relayed);
        assertTrue(t.usageFinal());
        assertEquals(new Usage(2009, 27, 1800, 0, 188, 0), t.usage());
        assertTrue(t.textChars() > 50);
    }

    @Test
    void anOpenAiCompletionBecomesAnAnthropicMessage() throws IOException {
        MessagesRequest r = read("{\"model\":\"c\",\"max_tokens\":5," + MESSAGES + "}");
        ChatAdapter adapter = new MessagesApi(r).adapter(ProviderType.OPENAI);
        ChatResult result = adapter.parse(resource("openai-completion-tool-call.json"));
        assertNull(result.body());
        assertEquals(new Usage(1200, 80, 1000, 0), result.usage().withServiceTier(null));
        assertEquals(JSON.readTree("""
                        {"id":"msg_chatcmpl-BQk3","type":"message","role":"assistant","model":"gpt-4.1-2025-04-14",
                         "content":[{"type":"text","text":"Let me check."},
                           {"type":"tool_use","id":"call_Dm7nJ3","name":"get_weather","input":{"location":"Paris, France"}}],
                         "stop_reason":"tool_use","stop_sequence":null,
                         "usage":{"input_tokens":200,"cache_creation_input_tokens":0,"cache_read_input_tokens":1000,
                           "output_tokens":80}}
                        """), JSON.readTree(result.response().toString()));
    }

    @Test
    void finishReasonsBecomeStopReasons() {
        assertEquals("end_turn", ChatAsMessagesAdapter.stopReason("stop", false));
        assertEquals("max_tokens", ChatAsMessagesAdapter.stopReason("length", false));
        assertEquals("tool_use", ChatAsMessagesAdapter.stopReason("tool_calls", true));
        assertEquals("refusal", ChatAsMessagesAdapter.stopReason("content_filter", false));
        assertEquals("end_turn", ChatAsMessagesAdapter.stopReason(null, false));
    }

    /** The events of an Anthropic stream: each as its event name and data, checking the two agree. */
    private static List<JsonNode> events(String stream) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String e : stream.split("\n\n")) {
            String[] lines = e.split("\n");
            assertEquals(2, lines.length, e);
            assertTrue(lines[0].startsWith("event: "), e);
            assertTrue(lines[1].startsWith("data: "), e);
            JsonNode data = JSON.readTree(lines[1].substring(6));
            assertEquals(lines[0].substring(7), data.path("type").asText());
            events.add(data);
        }
        return events;
    }

    @Test
    void anOpenAiStreamBecomesAnthropicsEventsWithTheToolInputAsJsonDeltas() throws IOException {
        byte[] stream = resource("openai-stream-tool-call.txt");
        MessagesRequest r = read("{\"model\":\"c\",\"max_tokens\":5,\"stream\":true," + MESSAGES + "}");
        StreamTranslator t = new MessagesApi(r).adapter(ProviderType.OPENAI).streamTranslator(r.toChat());
        String relayed = relay(t, stream, 7, 500, 1500);
        assertTrue(relayed.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), relayed);
        List<JsonNode> events = events(relayed);
        List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
        assertEquals(
                List.of(
                        "message_start",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop"),
                types);
        assertEquals("msg_chatcmpl-BQk2", events.get(0).at("/message/id").asText());
        assertEquals("gpt-4.1-2025-04-14", events.get(0).at("/message/model").asText());
        assertEquals(
                JSON.readTree("{\"type\":\"text\",\"text\":\"\"}"),
                events.get(1).get("content_block"));
        assertEquals("Let me", events.get(2).at("/delta/text").asText());
        assertEquals(
                JSON.readTree("{\"type\":\"tool_use\",\"id\":\"call_Dm7nJ3\",\"name\":\"get_weather\",\"input\":{}}"),
                events.get(5).get("content_block"));
        assertEquals(1, events.get(5).get("index").asInt());
        assertEquals(
                "{\"location\":\"Paris, France\"}",
                events.get(6).at("/delta/partial_json").asText()
                        + events.get(7).at("/delta/partial_json").asText());
        assertEquals("input_json_delta", events.get(6).at("/delta/type").asText());
        assertEquals("tool_use", events.get(9).at("/delta/stop_reason").asText());
        assertEquals(
                JSON.readTree("{\"input_tokens\":200,\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":1000,\"output_tokens\":80}"),
                events.get(9).get("usage"));
        assertEquals(new Usage(1200, 80, 1000, 0), t.usage().withServiceTier(null));
        assertTrue(t.usageFinal());
        assertEquals(0, t.finish().length);
    }

    @Test
    void anOpenAiStreamWithoutUsageEndsWhenTheVendorsStreamEnds() throws IOException {
        String stream = new String(resource("openai-stream-tool-call.txt"), StandardCharsets.UTF_8);
        // Without the usage chunk: the end comes with finish().
        String noUsage = stream.replaceAll("data: \\{[^\\n]*\"choices\":\\[\\],[^\\n]*\\n\\n", "");
        assertFalse(noUsage.contains("\"prompt_tokens\""));
        MessagesRequest r = read("{\"model\":\"c\",\"max_tokens\":5,\"stream\":true," + MESSAGES + "}");
        StreamTranslator t = new MessagesApi(r).adapter(ProviderType.GROQ).streamTranslator(r.toChat());
        List<byte[]> before = t.translate(ByteBuffer.wrap(noUsage.getBytes(StandardCharsets.UTF_8)));
        assertFalse(new String(concat(before), StandardCharsets.UTF_8).contains("message_stop"));
        List<JsonNode> end = events(new String(t.finish(), StandardCharsets.UTF_8));
        assertEquals("message_delta", end.get(0).path("type").asText());
        assertEquals("tool_use", end.get(0).at("/delta/stop_reason").asText());
        assertEquals("message_stop", end.get(1).path("type").asText());
    }

    @Test
    void aVendorErrorMidStreamBecomesAnthropicsErrorEvent() throws IOException {
        String stream = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n";
        MessagesRequest r = read("{\"model\":\"c\",\"max_tokens\":5,\"stream\":true," + MESSAGES + "}");
        StreamTranslator t = new MessagesApi(r).adapter(ProviderType.OPENAI).streamTranslator(r.toChat());
        List<JsonNode> events = events(relay(t, stream.getBytes(StandardCharsets.UTF_8)));
        JsonNode last = events.get(events.size() - 1);
        assertEquals("error", last.path("type").asText());
        assertEquals("api_error", last.at("/error/type").asText());
        assertEquals("The server had an error", last.at("/error/message").asText());
    }

    @Test
    void gatewayErrorsTakeAnthropicsShapeWithTheTypeOfTheirStatus() throws IOException {
        byte[] openAi =
                "{\"error\":{\"message\":\"Nope\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"
                        .getBytes(StandardCharsets.UTF_8);
        MessagesApi api = new MessagesApi(read("{\"model\":\"c\",\"max_tokens\":5," + MESSAGES + "}"));
        for (Object[] c : new Object[][] {
            {400, "invalid_request_error"},
            {401, "authentication_error"},
            {403, "permission_error"},
            {404, "not_found_error"},
            {413, "request_too_large"},
            {429, "rate_limit_error"},
            {500, "api_error"},
            {502, "api_error"},
            {503, "api_error"},
            {529, "overloaded_error"}
        }) {
            JsonNode body = JSON.readTree(api.errorBody((int) c[0], openAi));
            assertEquals("error", body.get("type").asText());
            assertEquals(c[1], body.at("/error/type").asText(), "HTTP " + c[0]);
            assertEquals("Nope", body.at("/error/message").asText());
            assertEquals(2, body.size());
        }
        JsonNode unauthenticated = JSON.readTree(api.errorBody(
                401,
                ("{\"error\":{\"message\":\"Missing token\",\"type\":\"invalid_request_error\",\"param\":null,"
                                + "\"code\":\"invalid_api_key\"}}")
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals("authentication_error", unauthenticated.at("/error/type").asText());
        assertTrue(unauthenticated.at("/error/message").asText().contains("x-api-key"));
        byte[] already = AnthropicErrors.body("not_found_error", "x");
        assertArrayEquals(already, api.errorBody(404, already));
        assertEquals("messages", api.kind());
        assertInstanceOf(AnthropicPassThroughAdapter.class, api.adapter(ProviderType.ANTHROPIC));
        assertInstanceOf(ChatAsMessagesAdapter.class, api.adapter(ProviderType.MISTRAL));
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** The bytes a request's body publisher sends. */
    static byte[] body(HttpRequest request) throws Exception {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        request.bodyPublisher().orElseThrow().subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.writeBytes(b);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        return done.get();
    }
}
