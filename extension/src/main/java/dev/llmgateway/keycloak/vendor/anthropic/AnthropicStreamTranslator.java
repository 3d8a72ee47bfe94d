package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import dev.llmgateway.keycloak.vendor.SseStreamTranslator;

/**
 * Turns Anthropic's typed stream events into OpenAI chat.completion.chunk events. Anthropic reports input and cache
 * tokens at the start and output tokens at the end; the usage chunk is only relayed when the caller asked for it
 * ({@code stream_options.include_usage}), but always noted for the ledger.
 */
final class AnthropicStreamTranslator extends SseStreamTranslator {

    private long textChars;

    @Override
    public long textChars() {
        return textChars;
    }

    private static final ObjectMapper JSON = Json.MAPPER;

    /** Anthropic content block index to OpenAI tool call index. */
    private final Map<Integer, Integer> toolCalls = new HashMap<>();
    /** Content block indexes of tool calls whose arguments have streamed (others get "{}" when their block ends). */
    private final java.util.Set<Integer> toolCallsWithArguments = new java.util.HashSet<>();
    /** Content block indexes of the structured-output tool, whose input is the answer. */
    private final java.util.Set<Integer> structuredBlocks = new java.util.HashSet<>();

    private String id = "";
    private String model = "";
    private long created = Instant.now().getEpochSecond();
    private long inputTokens;
    private long cacheReadTokens;
    private long cacheWriteTokens;
    private long cacheWrite1hTokens;
    private boolean usageFinal;
    private long outputTokens;
    private boolean finished;
    private boolean failed;
    private final boolean structured;

    AnthropicStreamTranslator(boolean callerWantsUsage) {
        this(callerWantsUsage, false);
    }

    /** {@code structured}: the caller asked for structured output, whose answer is the output tool's input alone. */
    AnthropicStreamTranslator(boolean callerWantsUsage, boolean structured) {
        super(callerWantsUsage);
        this.structured = structured;
    }

    @Override
    protected boolean onEvent(String data, List<byte[]> out) {
        if (failed) {
            return false;
        }
        JsonNode event;
        try {
            event = JSON.readTree(data);
        } catch (IOException e) {
            return true;
        }
        if (event == null) {
            return true;
        }
        switch (event.path("type").asText()) {
            case "message_start" -> messageStart(event.path("message"), out);
            case "content_block_start" -> blockStart(event, out);
            case "content_block_delta" -> blockDelta(event, out);
            case "content_block_stop" -> blockStop(event, out);
            case "message_delta" -> messageDelta(event, out);
            case "message_stop" -> {
                if (callerWantsUsage) {
                    ObjectNode chunk = chunk();
                    chunk.putArray("choices");
                    chunk.set("usage", AnthropicMessagesAdapter.usageJson(usage()));
                    out.add(sse(chunk));
                }
            }
            case "error" -> {
                failed = true;
                JsonNode error = event.path("error");
                String body = OpenAiErrors.body(
                        error.path("type").asText("api_error"),
                        null,
                        null,
                        SafeText.redact(error.path("message").asText("Anthropic reported an error mid-stream"), null));
                out.add(("data: " + body + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            default -> {}
        }
        return true;
    }

    private void messageStart(JsonNode message, List<byte[]> out) {
        id = message.path("id").asText(id);
        model = message.path("model").asText(model);
        created = Instant.now().getEpochSecond();
        noteUsage(message.path("usage"));
        ObjectNode delta = JSON.createObjectNode().put("role", "assistant").put("content", "");
        out.add(choiceChunk(delta, null));
    }

    private void blockStart(JsonNode event, List<byte[]> out) {
        JsonNode block = event.path("content_block");
        switch (block.path("type").asText()) {
            case "text" -> prose(block.path("text").asText(""), out);
            case "tool_use" -> {
                if (AnthropicMessagesAdapter.OUTPUT_TOOL.equals(
                        block.path("name").asText())) {
                    structuredBlocks.add(event.path("index").asInt()); // its input streams as the answer's text
                    return;
                }
                int index = toolCalls.size();
                toolCalls.put(event.path("index").asInt(), index);
                ObjectNode call = JSON.createObjectNode()
                        .put("index", index)
                        .put("id", block.path("id").asText())
                        .put("type", "function");
                call.putObject("function")
                        .put("name", block.path("name").asText())
                        .put("arguments", "");
                ObjectNode delta = JSON.createObjectNode();
                delta.putArray("tool_calls").add(call);
                out.add(choiceChunk(delta, null));
            }
            default -> {}
        }
    }

    private void blockDelta(JsonNode event, List<byte[]> out) {
        JsonNode delta = event.path("delta");
        switch (delta.path("type").asText()) {
            case "text_delta" -> prose(delta.path("text").asText(""), out);
            case "input_json_delta" -> {
                if (structuredBlocks.contains(event.path("index").asInt())) {
                    String fragment = delta.path("partial_json").asText("");
                    if (!fragment.isEmpty()) {
                        toolCallsWithArguments.add(event.path("index").asInt());
                        text(fragment, out);
                    }
                    return;
                }
                Integer index = toolCalls.get(event.path("index").asInt());
                String fragment = delta.path("partial_json").asText("");
                textChars += fragment.length();
                if (index == null || fragment.isEmpty()) {
                    return;
                }
                toolCallsWithArguments.add(event.path("index").asInt());
                ObjectNode call = JSON.createObjectNode().put("index", index);
                call.putObject("function").put("arguments", fragment);
                ObjectNode d = JSON.createObjectNode();
                d.putArray("tool_calls").add(call);
                out.add(choiceChunk(d, null));
            }
            default -> {}
        }
    }

    /**
     * A tool call without input streams no arguments at all; OpenAI's clients parse the arguments as JSON, so it gets
     * {@code "{}"}, as the non-streamed answer does.
     */
    private void blockStop(JsonNode event, List<byte[]> out) {
        int block = event.path("index").asInt();
        if (structuredBlocks.contains(block)) {
            if (toolCallsWithArguments.add(block)) {
                text("{}", out);
            }
            return;
        }
        Integer index = toolCalls.get(block);
        if (index == null || !toolCallsWithArguments.add(block)) {
            return;
        }
        ObjectNode call = JSON.createObjectNode().put("index", index);
        call.putObject("function").put("arguments", "{}");
        ObjectNode d = JSON.createObjectNode();
        d.putArray("tool_calls").add(call);
        out.add(choiceChunk(d, null));
    }

    /** The model's own text: left out of a structured answer, which is the output tool's JSON alone. */
    private void prose(String text, List<byte[]> out) {
        if (structured) {
            textChars += text.length();
            return;
        }
        text(text, out);
    }

    private void text(String text, List<byte[]> out) {
        textChars += text.length();
        if (!text.isEmpty()) {
            out.add(choiceChunk(JSON.createObjectNode().put("content", text), null));
        }
    }

    private void messageDelta(JsonNode event, List<byte[]> out) {
        noteUsage(event.path("usage"));
        usageFinal = usageFinal || event.path("usage").isObject();
        if (!finished) {
            finished = true;
            String stopReason = event.path("delta").path("stop_reason").asText(null);
            String reason = !structuredBlocks.isEmpty() && toolCalls.isEmpty() && "tool_use".equals(stopReason)
                    ? "stop"
                    : AnthropicMessagesAdapter.finishReason(stopReason);
            out.add(choiceChunk(JSON.createObjectNode(), reason));
        }
    }

    /** Anthropic's counts are cumulative, and later events may leave some out. */
    private void noteUsage(JsonNode u) {
        inputTokens = Math.max(inputTokens, u.path("input_tokens").asLong(0));
        cacheReadTokens =
                Math.max(cacheReadTokens, u.path("cache_read_input_tokens").asLong(0));
        cacheWriteTokens =
                Math.max(cacheWriteTokens, u.path("cache_creation_input_tokens").asLong(0));
        cacheWrite1hTokens = Math.max(cacheWrite1hTokens, AnthropicMessagesAdapter.oneHourWrites(u));
        outputTokens = Math.max(outputTokens, u.path("output_tokens").asLong(0));
    }

    private ObjectNode chunk() {
        ObjectNode chunk = JSON.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        return chunk;
    }

    private byte[] choiceChunk(ObjectNode delta, String finishReason) {
        ObjectNode chunk = chunk();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return sse(chunk);
    }

    private static byte[] sse(JsonNode node) {
        try {
            return ("data: " + JSON.writeValueAsString(node) + "\n\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] finish() {
        return DONE;
    }

    @Override
    public boolean usageFinal() {
        return usageFinal;
    }

    @Override
    public Usage usage() {
        return AnthropicMessagesAdapter.usage(
                inputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens);
    }
}
