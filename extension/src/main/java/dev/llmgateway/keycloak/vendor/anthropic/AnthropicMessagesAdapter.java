package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.ApiKeys;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;

/**
 * Anthropic's Messages API. It wants the system prompt apart from the turns, strictly alternating user and assistant
 * turns, tool calls and tool results as content blocks, and always a max_tokens; OpenAI-only options are dropped.
 */
public final class AnthropicMessagesAdapter implements ChatAdapter {

    /** Anthropic requires max_tokens and OpenAI callers often omit it. */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    private static final ObjectMapper JSON = Json.MAPPER;

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout) {
        try {
            HttpRequest.Builder builder =
                    HttpRequest.newBuilder(URI.create(messagesUrl(endpoint))).timeout(timeout);
            return ApiKeys.authorize(builder, endpoint.type(), apiKey)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body(vendorModel, request))))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String messagesUrl(ProviderEndpoint endpoint) {
        String base = endpoint.baseUrl();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/messages";
    }

    /** The Messages API body for an OpenAI Chat Completions body; the caller's body is left as it is. */
    static ObjectNode body(String vendorModel, ChatRequest request) {
        JsonNode in = request.body();
        refuseWhatCannotBeExpressed(in);
        List<String> system = new ArrayList<>();
        ArrayNode messages = JSON.createArrayNode();
        for (JsonNode m : in.path("messages")) {
            switch (m.path("role").asText()) {
                case "system", "developer" -> {
                    String text = plainText(m.get("content"));
                    if (!text.isEmpty()) {
                        system.add(text);
                    }
                }
                case "user" -> append(messages, "user", content(m.get("content")));
                case "assistant" -> append(messages, "assistant", assistantContent(m));
                case "tool" -> append(messages, "user", toolResult(m));
                default -> {}
            }
        }

        if (!messages.isEmpty()
                && "assistant".equals(messages.get(0).path("role").asText())) {
            // Anthropic's conversations start with a user turn; OpenAI's may start with the assistant's.
            messages.insert(0, JSON.createObjectNode().put("role", "user").put("content", FIRST_TURN));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("model", vendorModel);
        out.put("max_tokens", maxTokens(in));
        if (!system.isEmpty()) {
            out.put("system", String.join("\n\n", system));
        }
        out.set("messages", messages);
        copyNumber(in, "temperature", out);
        copyNumber(in, "top_p", out);
        JsonNode stop = in.get("stop");
        if (stop != null && stop.isTextual()) {
            out.putArray("stop_sequences").add(stop.asText());
        } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
            ArrayNode sequences = out.putArray("stop_sequences");
            stop.forEach(s -> sequences.add(s.asText()));
        }
        tools(in, out);
        structuredOutput(in, out);
        if (in.path("user").isTextual()) {
            out.putObject("metadata").put("user_id", in.get("user").asText());
        }
        if (request.stream()) {
            out.put("stream", true);
        }
        return out;
    }

    /** The user turn put before a conversation that starts with the assistant's. */
    static final String FIRST_TURN = ".";

    /**
     * The tool that carries structured output: Anthropic has no response_format, and recommends a tool whose input
     * schema is the wanted schema. Its input comes back as the message's content, never as a tool call.
     */
    public static final String OUTPUT_TOOL = "llm_gateway_structured_output";

    /**
     * Whether the answer is structured output alone: the caller asked for it and offers no tools of its own, so the
     * output tool is forced (prose the model adds around it is left out).
     */
    static boolean structured(JsonNode in) {
        String type = in.path("response_format").path("type").asText("");
        return (type.equals("json_schema") || type.equals("json_object"))
                && !in.path("tools").elements().hasNext();
    }

    /** OpenAI features the Messages API cannot express: refused before the call, naming the parameter. */
    private static void refuseWhatCannotBeExpressed(JsonNode in) {
        JsonNode n = in.get("n");
        if (n != null && n.canConvertToInt() && n.asInt() > 1) {
            throw new UnsupportedRequestException("n", "Anthropic models give one choice per request: 'n' must be 1");
        }
        if (in.path("logprobs").asBoolean(false) || in.path("top_logprobs").asInt(0) > 0) {
            throw new UnsupportedRequestException(
                    in.path("logprobs").asBoolean(false) ? "logprobs" : "top_logprobs",
                    "Anthropic models do not return log probabilities: 'logprobs' must be false");
        }
        JsonNode temperature = in.get("temperature");
        if (temperature != null && temperature.isNumber() && temperature.asDouble() > 1) {
            throw new UnsupportedRequestException(
                    "temperature", "Anthropic models take a 'temperature' from 0 to 1, not " + temperature.asText());
        }
    }

    /**
     * {@code response_format} {@code json_schema} (or {@code json_object}) as a tool whose input schema is the schema,
     * forced unless the caller offers tools of its own.
     */
    private static void structuredOutput(JsonNode in, ObjectNode out) {
        JsonNode format = in.path("response_format");
        String type = format.path("type").asText("");
        JsonNode schema;
        String description;
        if (type.equals("json_schema")) {
            schema = format.path("json_schema").path("schema");
            description = format.path("json_schema")
                    .path("description")
                    .asText("Answer with this tool: its input is the answer, in the requested JSON schema.");
        } else if (type.equals("json_object")) {
            schema = JSON.createObjectNode().put("type", "object");
            description = "Answer with this tool: its input is the answer, as a JSON object.";
        } else {
            return;
        }
        ObjectNode tool = JSON.createObjectNode().put("name", OUTPUT_TOOL).put("description", description);
        tool.set(
                "input_schema",
                schema.isObject() ? schema.deepCopy() : JSON.createObjectNode().put("type", "object"));
        ArrayNode tools = out.has("tools") ? (ArrayNode) out.get("tools") : out.putArray("tools");
        boolean callerTools = !tools.isEmpty();
        tools.add(tool);
        if (!callerTools) {
            out.set("tool_choice", JSON.createObjectNode().put("type", "tool").put("name", OUTPUT_TOOL));
        }
    }

    private static long maxTokens(JsonNode in) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode n = in.get(field);
            if (n != null && n.canConvertToLong() && n.asLong() > 0) {
                return n.asLong();
            }
        }
        return DEFAULT_MAX_TOKENS;
    }

    private static void copyNumber(JsonNode in, String field, ObjectNode out) {
        JsonNode n = in.get(field);
        if (n != null && n.isNumber()) {
            out.set(field, n);
        }
    }

    /** Adds a turn, merged into the previous one when the role repeats. */
    private static void append(ArrayNode messages, String role, JsonNode content) {
        if (isEmpty(content)) {
            return;
        }
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && role.equals(last.path("role").asText())) {
            ArrayNode blocks = blocks(last.get("content"));
            blocks.addAll(blocks(content));
            ((ObjectNode) last).set("content", blocks);
            return;
        }
        ObjectNode message = messages.addObject();
        message.put("role", role);
        message.set("content", content);
    }

    private static boolean isEmpty(JsonNode content) {
        if (content == null) {
            return true;
        }
        return content.isTextual() ? content.asText().isEmpty() : content.isEmpty();
    }

    private static ArrayNode blocks(JsonNode content) {
        if (content.isArray()) {
            return (ArrayNode) content;
        }
        ArrayNode blocks = JSON.createArrayNode();
        blocks.addObject().put("type", "text").put("text", content.asText());
        return blocks;
    }

    /** A string stays a string; OpenAI content parts become Anthropic content blocks. */
    private static JsonNode content(JsonNode content) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (!content.isArray()) {
            return TextNode.valueOf(content.asText());
        }
        ArrayNode blocks = JSON.createArrayNode();
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text", "refusal" -> {
                    String text =
                            part.path(part.has("text") ? "text" : "refusal").asText();
                    if (!text.isEmpty()) {
                        withCacheControl(
                                part, blocks.addObject().put("type", "text").put("text", text));
                    }
                }
                case "image_url" ->
                    withCacheControl(
                            part,
                            blocks.addObject().put("type", "image").set("source", imageSource(part.get("image_url"))));
                // Anything else reaches Anthropic as sent, so its refusal names the unsupported part.
                default -> blocks.add(part.deepCopy());
            }
        }
        return blocks;
    }

    private static void withCacheControl(JsonNode part, ObjectNode block) {
        if (part.has("cache_control")) {
            block.set("cache_control", part.get("cache_control").deepCopy());
        }
    }

    private static ObjectNode imageSource(JsonNode imageUrl) {
        String url = imageUrl == null
                ? ""
                : imageUrl.isTextual()
                        ? imageUrl.asText()
                        : imageUrl.path("url").asText();
        ObjectNode source = JSON.createObjectNode();
        int comma = url.indexOf(',');
        if (url.startsWith("data:") && comma > 0 && url.substring(0, comma).endsWith(";base64")) {
            return source.put("type", "base64")
                    .put("media_type", url.substring(5, comma - ";base64".length()))
                    .put("data", url.substring(comma + 1));
        }
        return source.put("type", "url").put("url", url);
    }

    private static JsonNode assistantContent(JsonNode m) {
        JsonNode content = content(m.get("content"));
        JsonNode toolCalls = m.get("tool_calls");
        if (toolCalls == null || !toolCalls.isArray() || toolCalls.isEmpty()) {
            return content;
        }
        ArrayNode blocks = isEmpty(content) ? JSON.createArrayNode() : blocks(content);
        for (JsonNode call : toolCalls) {
            JsonNode function = call.path("function");
            blocks.addObject()
                    .put("type", "tool_use")
                    .put("id", call.path("id").asText())
                    .put("name", function.path("name").asText())
                    .set("input", arguments(function.path("arguments").asText("")));
        }
        return blocks;
    }

    private static JsonNode arguments(String json) {
        try {
            JsonNode input = json.isBlank() ? null : JSON.readTree(json);
            return input != null && input.isObject() ? input : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static JsonNode toolResult(JsonNode m) {
        ObjectNode result = JSON.createObjectNode()
                .put("type", "tool_result")
                .put("tool_use_id", m.path("tool_call_id").asText());
        JsonNode content = content(m.get("content"));
        if (!isEmpty(content)) {
            result.set("content", content);
        }
        return JSON.createArrayNode().add(result);
    }

    private static String plainText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (!content.isArray()) {
            return content.asText();
        }
        List<String> texts = new ArrayList<>();
        content.forEach(part -> {
            if (part.path("text").isTextual() && !part.get("text").asText().isEmpty()) {
                texts.add(part.get("text").asText());
            }
        });
        return String.join("\n\n", texts);
    }

    private static void tools(JsonNode in, ObjectNode out) {
        ArrayNode tools = JSON.createArrayNode();
        for (JsonNode tool : in.path("tools")) {
            if (!"function".equals(tool.path("type").asText())) {
                continue;
            }
            JsonNode function = tool.path("function");
            ObjectNode t = tools.addObject().put("name", function.path("name").asText());
            if (function.path("description").isTextual()) {
                t.put("description", function.get("description").asText());
            }
            JsonNode parameters = function.get("parameters");
            t.set(
                    "input_schema",
                    parameters != null && parameters.isObject()
                            ? parameters.deepCopy()
                            : JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode()));
        }
        if (tools.isEmpty()) {
            return;
        }
        out.set("tools", tools);
        JsonNode choice = in.get("tool_choice");
        ObjectNode mapped = null;
        if (choice != null && choice.isTextual()) {
            mapped = switch (choice.asText()) {
                case "auto" -> JSON.createObjectNode().put("type", "auto");
                case "required" -> JSON.createObjectNode().put("type", "any");
                case "none" -> JSON.createObjectNode().put("type", "none");
                default -> null;
            };
        } else if (choice != null && choice.path("function").path("name").isTextual()) {
            mapped = JSON.createObjectNode()
                    .put("type", "tool")
                    .put("name", choice.path("function").path("name").asText());
        }
        if (in.path("parallel_tool_calls").isBoolean()
                && !in.get("parallel_tool_calls").asBoolean()) {
            if (mapped == null) {
                mapped = JSON.createObjectNode().put("type", "auto");
            }
            if (!"none".equals(mapped.path("type").asText())) {
                mapped.put("disable_parallel_tool_use", true);
            }
        }
        if (mapped != null) {
            out.set("tool_choice", mapped);
        }
    }

    @Override
    public ChatResult parse(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null
                || !"message".equals(node.path("type").asText())
                || !node.path("content").isArray()) {
            throw new IllegalArgumentException("not an Anthropic message");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("id", node.path("id").asText());
        out.put("object", "chat.completion");
        out.put("created", Instant.now().getEpochSecond());
        out.put("model", node.path("model").asText());
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        StringBuilder text = null;
        String structured = null;
        ArrayNode toolCalls = JSON.createArrayNode();
        for (JsonNode block : node.get("content")) {
            switch (block.path("type").asText()) {
                case "text" ->
                    text = (text == null ? new StringBuilder() : text)
                            .append(block.path("text").asText());
                case "tool_use" -> {
                    if (OUTPUT_TOOL.equals(block.path("name").asText())) {
                        // Structured output: the tool's input is the answer, without any prose around it.
                        structured = json(block.has("input") ? block.get("input") : JSON.createObjectNode());
                        continue;
                    }
                    ObjectNode call = toolCalls
                            .addObject()
                            .put("id", block.path("id").asText())
                            .put("type", "function");
                    call.putObject("function")
                            .put("name", block.path("name").asText())
                            .put("arguments", json(block.has("input") ? block.get("input") : JSON.createObjectNode()));
                }
                default -> {}
            }
        }
        message.put("content", structured != null ? structured : text == null ? null : text.toString());
        message.putNull("refusal");
        if (!toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls);
        }
        choice.putNull("logprobs");
        String stopReason = node.path("stop_reason").asText(null);
        choice.put(
                "finish_reason",
                structured != null && toolCalls.isEmpty() && "tool_use".equals(stopReason)
                        ? "stop"
                        : finishReason(stopReason));
        JsonNode u = node.path("usage");
        Usage usage = usage(
                u.path("input_tokens").asLong(0),
                u.path("cache_read_input_tokens").asLong(0),
                u.path("cache_creation_input_tokens").asLong(0),
                oneHourWrites(u),
                u.path("output_tokens").asLong(0));
        out.set("usage", usageJson(usage));
        return new ChatResult(out, usage);
    }

    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return "stop";
        }
        return switch (stopReason) {
            case "max_tokens" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /**
     * OpenAI counts cache reads and cache writes as prompt tokens; Anthropic's input_tokens excludes both. Of the
     * cache writes, {@code cacheWrite1h} went to the 1-hour cache.
     */
    static Usage usage(long input, long cacheRead, long cacheWrite, long cacheWrite1h, long output) {
        return new Usage(input + cacheRead + cacheWrite, output, cacheRead, 0, cacheWrite, cacheWrite1h);
    }

    /** The cache writes Anthropic's {@code cache_creation} split puts in the 1-hour cache (0 without the split). */
    static long oneHourWrites(JsonNode usage) {
        return usage.path("cache_creation").path("ephemeral_1h_input_tokens").asLong(0);
    }

    static ObjectNode usageJson(Usage usage) {
        ObjectNode u = JSON.createObjectNode();
        u.put("prompt_tokens", usage.promptTokens());
        u.put("completion_tokens", usage.completionTokens());
        u.put("total_tokens", usage.promptTokens() + usage.completionTokens());
        u.putObject("prompt_tokens_details")
                .put("cached_tokens", usage.cachedTokens())
                .put("cache_creation_input_tokens", usage.cacheWriteTokens());
        return u;
    }

    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest request) {
        return new AnthropicStreamTranslator(request.includeUsage(), structured(request.body()));
    }
}
