package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * Turns the chat.completion.chunk stream of a Chat Completions vendor (as its own translator relays it) into
 * Anthropic's stream events: {@code message_start}, a {@code content_block_start}/{@code _delta}/{@code _stop} run
 * per text or tool call (tool arguments as {@code input_json_delta}), then {@code message_delta} with the stop reason
 * and the usage, and {@code message_stop}. OpenAI-format vendors report the usage after the finish reason, so the end
 * is sent once the usage has come, or when the vendor's stream ends without it.
 */
final class ChatToMessagesStream implements StreamTranslator {

    private static final ObjectMapper JSON = Json.MAPPER;

    private final StreamTranslator inner;
    /** OpenAI tool call index to content block index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();

    private boolean started;
    private boolean ended;
    /** The open content block (-1: none) and whether it is text. */
    private int openBlock = -1;

    private boolean openIsText;
    private int nextBlock;
    private String finishReason;
    private boolean toolCalls;
    private String id = "";
    private String model = "";

    ChatToMessagesStream(StreamTranslator inner) {
        this.inner = inner;
    }

    @Override
    public List<byte[]> translate(ByteBuffer vendorBytes) {
        List<byte[]> out = new ArrayList<>();
        if (ended) {
            vendorBytes.position(vendorBytes.limit());
            return out;
        }
        for (byte[] event : inner.translate(vendorBytes)) {
            String data = new String(event, StandardCharsets.UTF_8).trim();
            if (data.startsWith("data:")) {
                data = data.substring(5).trim();
            }
            if (data.isEmpty() || data.equals("[DONE]")) {
                continue;
            }
            JsonNode chunk;
            try {
                chunk = JSON.readTree(data);
            } catch (IOException e) {
                continue;
            }
            if (chunk == null || !chunk.isObject()) {
                continue;
            }
            onChunk(chunk, out);
            if (ended) {
                return out;
            }
        }
        if (finishReason != null && inner.usageFinal()) {
            end(out);
        }
        return out;
    }

    private void onChunk(JsonNode chunk, List<byte[]> out) {
        if (chunk.has("error")) {
            // A vendor's error mid-stream ends the stream, as Anthropic's own error event does.
            JsonNode error = chunk.get("error");
            String message =
                    error.isTextual() ? error.asText() : error.path("message").asText("");
            ObjectNode e = JSON.createObjectNode().put("type", "error");
            e.putObject("error")
                    .put("type", "api_error")
                    .put(
                            "message",
                            message.isBlank()
                                    ? "The provider reported an error mid-stream"
                                    : SafeText.redact(message, null));
            out.add(event("error", e));
            ended = true;
            return;
        }
        start(chunk, out);
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        JsonNode content = delta.get("content");
        if (content != null && content.isTextual() && !content.asText().isEmpty()) {
            if (openBlock < 0 || !openIsText) {
                open(JSON.createObjectNode().put("type", "text").put("text", ""), true, out);
            }
            ObjectNode d = JSON.createObjectNode().put("type", "text_delta").put("text", content.asText());
            out.add(blockDelta(openBlock, d));
        }
        for (JsonNode call : delta.path("tool_calls")) {
            int index = call.path("index").asInt(0);
            Integer block = toolBlocks.get(index);
            if (block == null) {
                toolCalls = true;
                ObjectNode toolUse = JSON.createObjectNode()
                        .put("type", "tool_use")
                        .put("id", call.path("id").asText("toolu_" + index));
                toolUse.put("name", call.path("function").path("name").asText(""));
                toolUse.putObject("input");
                block = open(toolUse, false, out);
                toolBlocks.put(index, block);
            }
            String arguments = call.path("function").path("arguments").asText("");
            if (!arguments.isEmpty()) {
                ObjectNode d =
                        JSON.createObjectNode().put("type", "input_json_delta").put("partial_json", arguments);
                out.add(blockDelta(block, d));
            }
        }
        JsonNode finish = choice.get("finish_reason");
        if (finish != null && finish.isTextual()) {
            finishReason = finish.asText();
            close(out);
        }
    }

    private void start(JsonNode chunk, List<byte[]> out) {
        if (started) {
            return;
        }
        started = true;
        id = ChatAsMessagesAdapter.messageId(chunk.path("id").asText(""));
        model = chunk.path("model").asText("");
        out.add(messageStart());
    }

    private byte[] messageStart() {
        ObjectNode message = JSON.createObjectNode()
                .put("id", id)
                .put("type", "message")
                .put("role", "assistant")
                .put("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        // The vendor counts the prompt only at the end: message_delta carries the whole usage.
        message.set("usage", ChatAsMessagesAdapter.usageJson(Usage.NONE));
        ObjectNode e = JSON.createObjectNode().put("type", "message_start");
        e.set("message", message);
        return event("message_start", e);
    }

    /** Opens a content block after closing the open one; returns its index. */
    private int open(ObjectNode contentBlock, boolean text, List<byte[]> out) {
        close(out);
        openBlock = nextBlock++;
        openIsText = text;
        ObjectNode e =
                JSON.createObjectNode().put("type", "content_block_start").put("index", openBlock);
        e.set("content_block", contentBlock);
        out.add(event("content_block_start", e));
        return openBlock;
    }

    private void close(List<byte[]> out) {
        if (openBlock < 0) {
            return;
        }
        out.add(event(
                "content_block_stop",
                JSON.createObjectNode().put("type", "content_block_stop").put("index", openBlock)));
        openBlock = -1;
    }

    private byte[] blockDelta(int index, ObjectNode delta) {
        ObjectNode e =
                JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
        e.set("delta", delta);
        return event("content_block_delta", e);
    }

    /** {@code message_delta} with the stop reason and the usage, and {@code message_stop}. */
    private void end(List<byte[]> out) {
        if (!started) {
            started = true;
            out.add(messageStart());
        }
        close(out);
        ObjectNode e = JSON.createObjectNode().put("type", "message_delta");
        e.putObject("delta")
                .put("stop_reason", ChatAsMessagesAdapter.stopReason(finishReason, toolCalls))
                .putNull("stop_sequence");
        e.set("usage", ChatAsMessagesAdapter.usageJson(inner.usage()));
        out.add(event("message_delta", e));
        out.add(event("message_stop", JSON.createObjectNode().put("type", "message_stop")));
        ended = true;
    }

    private static byte[] event(String type, JsonNode data) {
        try {
            return ("event: " + type + "\ndata: " + JSON.writeValueAsString(data) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The end of the stream when the vendor's usage never came after the finish reason; nothing once it ended. */
    @Override
    public byte[] finish() {
        if (ended) {
            return new byte[0];
        }
        List<byte[]> out = new ArrayList<>();
        end(out);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        out.forEach(all::writeBytes);
        return all.toByteArray();
    }

    @Override
    public Usage usage() {
        return inner.usage();
    }

    @Override
    public boolean usageFinal() {
        return inner.usageFinal();
    }

    @Override
    public long textChars() {
        return inner.textChars();
    }

    /**
     * The characters of every JSON string value of {@code key} in an event (escapes count as one), found by scanning
     * rather than parsing.
     */
    static int stringChars(String data, String key) {
        int n = 0;
        int i = data.indexOf(key);
        while (i >= 0) {
            int j = i + key.length();
            while (j < data.length() && data.charAt(j) == ' ') {
                j++;
            }
            if (j < data.length() && data.charAt(j) == '"') {
                j++;
                while (j < data.length() && data.charAt(j) != '"') {
                    j += data.charAt(j) == '\\' ? 2 : 1;
                    n++;
                }
            }
            i = data.indexOf(key, j);
        }
        return n;
    }
}
