package dev.llmgateway.keycloak.vendor.anthropic;

import static dev.llmgateway.keycloak.vendor.anthropic.AnthropicMessagesAdapterTest.chat;
import static dev.llmgateway.keycloak.vendor.anthropic.AnthropicMessagesAdapterTest.fixture;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import org.junit.jupiter.api.Test;

class AnthropicStreamTranslatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK_USAGE =
            "{\"model\":\"claude\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
    private static final String NO_USAGE =
            "{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

    private static StreamTranslator translator(String request) {
        return new AnthropicMessagesAdapter().streamTranslator(chat(true, request));
    }

    /** The caller's events (without "data: "), fed to the translator in two pieces cut at each given offset in turn. */
    private static List<String> relay(StreamTranslator t, byte[] stream, int... cuts) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int cut : cuts) {
            t.translate(ByteBuffer.wrap(stream, from, cut - from))
                    .forEach(b -> out.append(new String(b, StandardCharsets.UTF_8)));
            from = cut;
        }
        t.translate(ByteBuffer.wrap(stream, from, stream.length - from))
                .forEach(b -> out.append(new String(b, StandardCharsets.UTF_8)));
        out.append(new String(t.finish(), StandardCharsets.UTF_8));
        String all = out.toString();
        assertTrue(all.endsWith("data: [DONE]\n\n"), all);
        List<String> events = new ArrayList<>();
        for (String event : all.split("\n\n")) {
            assertTrue(event.startsWith("data: "), event);
            events.add(event.substring("data: ".length()));
        }
        return events;
    }

    private static List<JsonNode> chunks(List<String> events) throws IOException {
        List<JsonNode> chunks = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(e);
            ((ObjectNode) chunk).remove("created");
            chunks.add(chunk);
        }
        return chunks;
    }

    private static String text(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/choices/0/delta/content").asText("")));
        return text.toString();
    }

    @Test
    void theStreamBecomesChunksWithTheSameTextWhereverItIsCut() throws IOException {
        byte[] stream = fixture("stream.txt");
        List<JsonNode> whole = chunks(relay(translator(NO_USAGE), stream));
        String expected = new AnthropicMessagesAdapter()
                .parse(fixture("message.json"))
                .response()
                .at("/choices/0/message/content")
                .asText();
        assertEquals(expected, text(whole));

        int sun = new String(stream, StandardCharsets.UTF_8).indexOf('☀');
        int sunAt =
                new String(stream, StandardCharsets.UTF_8).substring(0, sun).getBytes(StandardCharsets.UTF_8).length;
        assertEquals(whole, chunks(relay(translator(NO_USAGE), stream, sunAt + 1)));
        assertEquals(whole, chunks(relay(translator(NO_USAGE), stream, sunAt + 2, sunAt + 4, sunAt + 5)));
        for (int size = 1; size <= 9; size++) {
            int[] cuts = new int[(stream.length - 1) / size];
            for (int i = 0; i < cuts.length; i++) {
                cuts[i] = (i + 1) * size;
            }
            assertEquals(whole, chunks(relay(translator(NO_USAGE), stream, cuts)), "piece size " + size);
        }
    }

    @Test
    void chunksCarryTheMessageIdentityARoleFirstAndTheFinishReasonLast() throws IOException {
        List<String> events = relay(translator(NO_USAGE), fixture("stream.txt"));
        List<JsonNode> chunks = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            chunks.add(JSON.readTree(e));
        }
        for (JsonNode c : chunks) {
            assertEquals("msg_01HCk2sM8qBv6vHXqW3jJ7Xr", c.get("id").asText());
            assertEquals("chat.completion.chunk", c.get("object").asText());
            assertEquals("claude-sonnet-4-5-20250929", c.get("model").asText());
            assertEquals(chunks.get(0).get("created"), c.get("created"));
            assertEquals(1, c.get("choices").size());
        }
        assertEquals(
                JSON.readTree("{\"role\":\"assistant\",\"content\":\"\"}"),
                chunks.get(0).at("/choices/0/delta"));
        assertTrue(chunks.get(0).at("/choices/0/finish_reason").isNull());
        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals("stop", last.at("/choices/0/finish_reason").asText());
        assertTrue(last.at("/choices/0/delta").isEmpty());
        assertEquals(5, chunks.size(), "role, three text deltas, finish");
        assertEquals("[DONE]", events.get(events.size() - 1));
    }

    @Test
    void usageIsNotedAlwaysAndRelayedOnlyWhenAsked() throws IOException {
        StreamTranslator silent = translator(NO_USAGE);
        List<String> events = relay(silent, fixture("stream.txt"));
        assertFalse(String.join("\n", events).contains("\"usage\""));
        assertEquals(new Usage(21 + 1800 + 188, 27, 1800, 0, 188), silent.usage());

        StreamTranslator asked = translator(ASK_USAGE);
        List<String> withUsage = relay(asked, fixture("stream.txt"));
        assertEquals(events.size() + 1, withUsage.size());
        JsonNode usageChunk = JSON.readTree(withUsage.get(withUsage.size() - 2));
        assertTrue(
                usageChunk.get("choices").isArray() && usageChunk.get("choices").isEmpty());
        assertEquals("msg_01HCk2sM8qBv6vHXqW3jJ7Xr", usageChunk.get("id").asText());
        assertEquals(
                JSON.readTree("{\"prompt_tokens\":2009,\"completion_tokens\":27,\"total_tokens\":2036,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":1800,\"cache_creation_input_tokens\":188}}"),
                usageChunk.get("usage"));
        assertEquals(silent.usage(), asked.usage());
        assertEquals(
                JSON.readTree(new AnthropicMessagesAdapter()
                        .parse(fixture("message.json"))
                        .response()
                        .get("usage")
                        .toString()),
                usageChunk.get("usage"));
    }

    @Test
    void structuredOutputStreamsAsTheAnswersText() throws IOException {
        String tool = AnthropicMessagesAdapter.OUTPUT_TOOL;
        String stream = "event: message_start\n"
                + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\","
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\n"
                + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
                + "\"id\":\"toolu_1\",\"name\":\"" + tool + "\",\"input\":{}}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                + "\"partial_json\":\"{\\\"city\\\": \"}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                + "\"partial_json\":\"\\\"Paris\\\"}\"}}\n\n"
                + "event: content_block_stop\n"
                + "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\n"
                + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                + "\"usage\":{\"output_tokens\":12}}\n\n"
                + "event: message_stop\n"
                + "data: {\"type\":\"message_stop\"}\n\n";
        String structuredRequest = "{\"model\":\"claude\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi\"}],\"response_format\":{\"type\":\"json_object\"}}";
        // Prose the model puts before the forced tool is not part of a structured answer.
        String prose = "event: content_block_start\n"
                + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                + "\"text\":\"Here you go: \"}}\n\n"
                + "event: content_block_stop\n"
                + "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
        stream = stream.replace("\"index\":0", "\"index\":1");
        int start = stream.indexOf("event: content_block_start");
        stream = stream.substring(0, start) + prose + stream.substring(start);
        List<JsonNode> chunks = chunks(relay(translator(structuredRequest), stream.getBytes(StandardCharsets.UTF_8)));
        assertEquals(JSON.readTree("{\"city\":\"Paris\"}"), JSON.readTree(text(chunks)));
        assertTrue(chunks.stream().noneMatch(c -> c.at("/choices/0/delta").has("tool_calls")), "no tool call is shown");
        assertEquals(
                "stop",
                chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText());
    }

    @Test
    void aToolCallWithoutInputStreamsEmptyObjectArguments() throws IOException {
        String stream = "event: message_start\n"
                + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\","
                + "\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\n"
                + "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
                + "\"id\":\"toolu_1\",\"name\":\"get_time\",\"input\":{}}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                + "\"partial_json\":\"\"}}\n\n"
                + "event: content_block_stop\n"
                + "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\n"
                + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                + "\"usage\":{\"output_tokens\":12}}\n\n"
                + "event: message_stop\n"
                + "data: {\"type\":\"message_stop\"}\n\n";
        List<JsonNode> chunks = chunks(relay(translator(NO_USAGE), stream.getBytes(StandardCharsets.UTF_8)));
        StringBuilder arguments = new StringBuilder();
        chunks.stream()
                .filter(c -> c.at("/choices/0/delta").has("tool_calls"))
                .forEach(c -> arguments.append(
                        c.at("/choices/0/delta/tool_calls/0/function/arguments").asText()));
        assertEquals("{}", arguments.toString(), "what JSON.parse reads, as the non-streamed answer gives");
    }

    @Test
    void toolUseBlocksStreamAsToolCalls() throws IOException {
        StreamTranslator t = translator(NO_USAGE);
        List<JsonNode> chunks = chunks(relay(t, fixture("stream-tool-use.txt")));
        assertEquals("Let me check the weather.", text(chunks));
        List<JsonNode> calls = new ArrayList<>();
        chunks.stream()
                .filter(c -> c.at("/choices/0/delta").has("tool_calls"))
                .forEach(c -> calls.add(c.at("/choices/0/delta/tool_calls/0")));
        assertEquals(
                JSON.readTree("{\"index\":0,\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}"),
                calls.get(0));
        StringBuilder arguments = new StringBuilder();
        for (JsonNode call : calls.subList(1, calls.size())) {
            assertEquals(0, call.get("index").asInt());
            assertFalse(call.has("id"));
            arguments.append(call.at("/function/arguments").asText());
        }
        assertEquals(3, calls.size(), "the start and two non-empty fragments");
        assertEquals(
                JSON.readTree("{\"location\":\"Paris, France\",\"unit\":\"celsius\"}"),
                JSON.readTree(arguments.toString()));
        assertEquals(
                "tool_calls",
                chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText());
        assertEquals(new Usage(472, 89, 0, 0, 0), t.usage());
    }

    @Test
    void anErrorEventEndsTheTranslation() throws IOException {
        String stream = "event: message_start\n"
                + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-5\",\"content\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
                + "event: error\n"
                + "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
                + "event: content_block_delta\n"
                + "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n"
                + "event: message_stop\n"
                + "data: {\"type\":\"message_stop\"}\n\n";
        List<String> events = relay(translator(ASK_USAGE), stream.getBytes(StandardCharsets.UTF_8));
        assertEquals(4, events.size(), String.join("\n", events));
        JsonNode error = JSON.readTree(events.get(2));
        assertFalse(error.has("choices"));
        assertEquals("overloaded_error", error.at("/error/type").asText());
        assertEquals("Overloaded", error.at("/error/message").asText());
        assertEquals("[DONE]", events.get(3));
    }

    @Test
    void finishIsDone() {
        assertArrayEquals(
                "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII),
                translator(NO_USAGE).finish());
    }

    private static byte[] events(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            String type = l.substring(l.indexOf("\"type\":\"") + 8, l.indexOf('"', l.indexOf("\"type\":\"") + 8));
            b.append("event: ").append(type).append("\ndata: ").append(l).append("\n\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oneHourCacheWritesAreToldApartAndAStreamCutShortIsNotFinal() {
        StreamTranslator t = translator(NO_USAGE);
        relay(
                t,
                events(
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],"
                                + "\"usage\":{\"input_tokens\":15,\"cache_creation_input_tokens\":10000,"
                                + "\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,"
                                + "\"ephemeral_1h_input_tokens\":10000},\"output_tokens\":1}}}",
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                                + "\"text\":\"Paris is the capital of France.\"}}"));
        assertEquals(new Usage(10_015, 1, 0, 0, 10_000, 10_000), t.usage(), "only what message_start said");
        assertFalse(t.usageFinal(), "cut before message_delta: the output count is not final");

        StreamTranslator whole = translator(NO_USAGE);
        relay(
                whole,
                events(
                        "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],"
                                + "\"usage\":{\"input_tokens\":15,\"output_tokens\":1}}}",
                        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                                + "\"usage\":{\"output_tokens\":9}}",
                        "{\"type\":\"message_stop\"}"));
        assertTrue(whole.usageFinal());
        assertEquals(9, whole.usage().completionTokens());
    }
}
