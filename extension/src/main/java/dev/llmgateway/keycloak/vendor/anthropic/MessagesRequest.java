package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.JsonBodies;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;

/**
 * A request of Anthropic's Messages API ({@code POST /v1/messages}, or {@code /v1/messages/count_tokens}) as the caller
 * sent it, checked enough to route it and to translate it, with errors in Anthropic's shape naming the field. Anthropic
 * providers get the caller's body unchanged but for the model ({@link #forVendor}); every other provider gets the
 * equivalent Chat Completions request ({@link #toChat}). What Chat Completions cannot express (documents, server tools,
 * files) is noted ({@link #untranslatable}): such a request goes to Anthropic providers only.
 */
public final class MessagesRequest {

    private static final ObjectMapper JSON = Json.MAPPER;
    /** Claude Code also sends system turns inside the conversation. */
    private static final Set<String> ROLES = Set.of("user", "assistant", "system");

    private final ObjectNode body;
    private final String model;
    private final boolean stream;
    private final String beta;
    private ChatRequest chat;
    private UnsupportedRequestException untranslatable;

    private MessagesRequest(ObjectNode body, String model, boolean stream, String beta) {
        this.body = body;
        this.model = model;
        this.stream = stream;
        this.beta = beta;
    }

    /**
     * Reads and checks a Messages request.
     *
     * @param anthropicBeta the caller's {@code anthropic-beta} header (null when none), passed on to Anthropic
     */
    public static MessagesRequest read(InputStream in, int maxBytes, String anthropicBeta) {
        return read(in, maxBytes, anthropicBeta, true);
    }

    /** Reads and checks a token-counting request: as a Messages request, without max_tokens or stream. */
    public static MessagesRequest readCountTokens(InputStream in, int maxBytes, String anthropicBeta) {
        return read(in, maxBytes, anthropicBeta, false);
    }

    private static MessagesRequest read(InputStream in, int maxBytes, String anthropicBeta, boolean messages) {
        byte[] bytes;
        try {
            bytes = JsonBodies.readBounded(in, maxBytes);
        } catch (IOException e) {
            throw AnthropicErrors.invalidRequest("Could not read the request body");
        }
        if (bytes.length > maxBytes) {
            throw AnthropicErrors.error(413, "Request body is larger than " + maxBytes + " bytes");
        }
        if (bytes.length == 0) {
            throw AnthropicErrors.invalidRequest("The request body is empty; " + JsonBodies.EMPTY_BODY_HINT);
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw AnthropicErrors.invalidRequest("The request body is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw AnthropicErrors.invalidRequest("The request body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw AnthropicErrors.invalidRequest("The request body must be a JSON object");
        }
        ObjectNode body = (ObjectNode) node;
        String beta = beta(anthropicBeta);
        String model = model(body.get("model"));
        if (messages) {
            JsonNode maxTokens = body.get("max_tokens");
            if (maxTokens == null || maxTokens.isNull()) {
                throw invalid("max_tokens: Field required");
            }
            if (!maxTokens.canConvertToLong() || !maxTokens.isIntegralNumber()) {
                throw invalid("max_tokens: Input should be a valid integer");
            }
            if (maxTokens.asLong() < 1) {
                throw invalid("max_tokens: Input should be greater than or equal to 1");
            }
        }
        messages(body.get("messages"));
        system(body.get("system"));
        tools(body.get("tools"));
        toolChoice(body.get("tool_choice"));
        JsonNode stop = body.get("stop_sequences");
        if (stop != null && !stop.isNull()) {
            if (!stop.isArray()) {
                throw invalid("stop_sequences: Input should be a valid list");
            }
            for (int i = 0; i < stop.size(); i++) {
                if (!stop.get(i).isTextual()) {
                    throw invalid("stop_sequences." + i + ": Input should be a valid string");
                }
            }
        }
        number(body, "temperature");
        number(body, "top_p");
        JsonNode topK = body.get("top_k");
        if (topK != null && !topK.isNull() && !topK.isIntegralNumber()) {
            throw invalid("top_k: Input should be a valid integer");
        }
        JsonNode metadata = body.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw invalid("metadata: Input should be a valid object");
            }
            JsonNode user = metadata.get("user_id");
            if (user != null && !user.isNull() && !user.isTextual()) {
                throw invalid("metadata.user_id: Input should be a valid string");
            }
        }
        JsonNode thinking = body.get("thinking");
        if (thinking != null && !thinking.isNull() && !thinking.path("type").isTextual()) {
            throw invalid("thinking: Input should be an object with a 'type'");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw invalid("stream: Input should be a valid boolean");
        }
        return new MessagesRequest(body, model, messages && stream != null && stream.asBoolean(), beta);
    }

    private static String beta(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        if (value.length() > 1000 || !value.matches("[A-Za-z0-9._,\\- ]+")) {
            throw invalid("anthropic-beta: the header must be a comma-separated list of beta names");
        }
        return value;
    }

    private static String model(JsonNode model) {
        if (model == null || model.isNull()) {
            throw invalid("model: Field required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw invalid("model: Input should be a non-empty string");
        }
        String name = model.asText();
        int forbidden = SafeText.firstForbidden(name);
        if (forbidden >= 0) {
            throw invalid("model: contains a character that is not allowed (" + SafeText.codePoint(name, forbidden)
                    + " at position " + (forbidden + 1) + ")");
        }
        if (name.length() > 255) {
            throw invalid("model: is longer than 255 characters");
        }
        return name;
    }

    private static void messages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw invalid("messages: Field required");
        }
        if (!messages.isArray()) {
            throw invalid("messages: Input should be a valid list");
        }
        if (messages.isEmpty()) {
            throw invalid("messages: at least one message is required");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages." + i;
            if (!m.isObject()) {
                throw invalid(at + ": Input should be a valid object");
            }
            if (!m.path("role").isTextual() || !ROLES.contains(m.get("role").asText())) {
                throw invalid(at + ".role: Input should be 'user', 'assistant' or 'system'");
            }
            content(m.get("content"), at + ".content");
        }
    }

    /** A message's or tool result's content: a string or a list of content blocks. */
    private static void content(JsonNode content, String at) {
        if (content == null || content.isNull()) {
            throw invalid(at + ": Field required");
        }
        if (content.isTextual()) {
            return;
        }
        if (!content.isArray()) {
            throw invalid(at + ": Input should be a valid string or a list of content blocks");
        }
        for (int j = 0; j < content.size(); j++) {
            block(content.get(j), at + "." + j);
        }
    }

    private static void block(JsonNode block, String at) {
        if (!block.isObject() || !block.path("type").isTextual()) {
            throw invalid(at + ": Input should be a content block, an object with a 'type'");
        }
        switch (block.get("type").asText()) {
            case "text" -> text(block, "text", at);
            case "image" -> {
                JsonNode source = block.get("source");
                if (source == null || !source.isObject() || !source.path("type").isTextual()) {
                    throw invalid(at + ".source: Field required (an object with a 'type')");
                }
                switch (source.get("type").asText()) {
                    case "base64" -> {
                        text(source, "media_type", at + ".source");
                        text(source, "data", at + ".source");
                    }
                    case "url" -> text(source, "url", at + ".source");
                    default -> {
                        // "file" and later kinds: Anthropic checks them
                    }
                }
            }
            case "tool_use" -> {
                text(block, "id", at);
                text(block, "name", at);
                if (!block.path("input").isObject()) {
                    throw invalid(at + ".input: Input should be a valid object");
                }
            }
            case "tool_result" -> {
                text(block, "tool_use_id", at);
                JsonNode content = block.get("content");
                if (content != null && !content.isNull()) {
                    content(content, at + ".content");
                }
            }
            case "thinking" -> text(block, "thinking", at);
            case "redacted_thinking" -> text(block, "data", at);
            default -> {
                // documents, search results, server tool blocks …: passed on for Anthropic to check
            }
        }
    }

    private static void text(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw invalid(at + "." + field + ": Field required");
        }
        if (!v.isTextual()) {
            throw invalid(at + "." + field + ": Input should be a valid string");
        }
    }

    private static void system(JsonNode system) {
        if (system == null || system.isNull() || system.isTextual()) {
            return;
        }
        if (!system.isArray()) {
            throw invalid("system: Input should be a valid string or a list of text blocks");
        }
        for (int i = 0; i < system.size(); i++) {
            JsonNode b = system.get(i);
            if (!b.isObject() || !"text".equals(b.path("type").asText())) {
                throw invalid("system." + i + ": Input should be a text block ({\"type\":\"text\",\"text\":…})");
            }
            text(b, "text", "system." + i);
        }
    }

    private static void tools(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return;
        }
        if (!tools.isArray()) {
            throw invalid("tools: Input should be a valid list");
        }
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            if (!t.isObject()) {
                throw invalid("tools." + i + ": Input should be a valid object");
            }
            text(t, "name", "tools." + i);
            if (custom(t) && !t.path("input_schema").isObject()) {
                throw invalid("tools." + i + ".input_schema: Field required (a JSON schema object)");
            }
        }
    }

    /** A tool the caller runs (Anthropic's server tools, web search or code execution, name a versioned type). */
    private static boolean custom(JsonNode tool) {
        JsonNode type = tool.get("type");
        return type == null || type.isNull() || "custom".equals(type.asText());
    }

    private static void toolChoice(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return;
        }
        String type = choice.path("type").asText("");
        if (!choice.isObject() || !Set.of("auto", "any", "tool", "none").contains(type)) {
            throw invalid("tool_choice: Input should be an object with 'type' auto, any, tool or none");
        }
        if (type.equals("tool")) {
            text(choice, "name", "tool_choice");
        }
    }

    private static void number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && !v.isNumber()) {
            throw invalid(field + ": Input should be a valid number");
        }
    }

    private static org.keycloak.services.ErrorResponseException invalid(String message) {
        return AnthropicErrors.invalidRequest(message);
    }

    /** The caller's body as sent. Never modified. */
    public ObjectNode body() {
        return body;
    }

    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    /** The caller's {@code anthropic-beta} header, checked; null when none. */
    public String beta() {
        return beta;
    }

    /** The caller's body for an Anthropic provider: unchanged but for the vendor's model id. */
    public byte[] forVendor(String vendorModel) {
        ObjectNode copy = body.deepCopy();
        copy.put("model", vendorModel);
        try {
            return JSON.writeValueAsBytes(copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The equivalent Chat Completions request, for the gateway's routing and for OpenAI-format providers. Usage is
     * always asked of a streaming vendor; the translated stream reports it in {@code message_delta}.
     */
    public synchronized ChatRequest toChat() {
        if (chat == null) {
            chat = new ChatRequest(model, stream, false, translate(), body);
        }
        return chat;
    }

    /** Why an OpenAI-format provider cannot serve this request, or null when it can. */
    public synchronized UnsupportedRequestException untranslatable() {
        toChat();
        return untranslatable;
    }

    private void cannot(String param, String message) {
        if (untranslatable == null) {
            untranslatable =
                    new UnsupportedRequestException(param, message + "; only Anthropic providers can serve it");
        }
    }

    private ObjectNode translate() {
        ObjectNode out = JSON.createObjectNode();
        out.put("model", model);
        ArrayNode messages = out.putArray("messages");
        JsonNode system = body.get("system");
        String systemText =
                system == null || system.isNull() ? "" : system.isTextual() ? system.asText() : texts(system, "\n\n");
        if (!systemText.isEmpty()) {
            messages.addObject().put("role", "system").put("content", systemText);
        }
        JsonNode in = body.get("messages");
        for (int i = 0; i < in.size(); i++) {
            JsonNode m = in.get(i);
            String role = m.get("role").asText();
            if (role.equals("assistant")) {
                assistant(m.get("content"), messages, "messages." + i);
            } else if (role.equals("system")) {
                JsonNode content = m.get("content");
                String text = content.isTextual() ? content.asText() : texts(content, "\n\n");
                if (!text.isEmpty()) {
                    messages.addObject().put("role", "system").put("content", text);
                }
            } else {
                user(m.get("content"), messages, "messages." + i);
            }
        }
        if (body.has("max_tokens")) {
            out.put("max_tokens", body.get("max_tokens").asLong());
        }
        for (String field : List.of("temperature", "top_p")) {
            JsonNode v = body.get(field);
            if (v != null && v.isNumber()) {
                out.set(field, v);
            }
        }
        JsonNode stop = body.get("stop_sequences");
        if (stop != null && stop.isArray() && !stop.isEmpty()) {
            out.set("stop", stop.deepCopy());
        }
        tools(out);
        if (stream) {
            out.put("stream", true);
            out.putObject("stream_options").put("include_usage", true);
        }
        return out;
    }

    /** A user turn: its tool results become tool messages (first, as they answer the previous turn's calls). */
    private void user(JsonNode content, ArrayNode messages, String at) {
        if (content.isTextual()) {
            messages.addObject().put("role", "user").put("content", content.asText());
            return;
        }
        ArrayNode parts = JSON.createArrayNode();
        for (int j = 0; j < content.size(); j++) {
            JsonNode block = content.get(j);
            switch (block.get("type").asText()) {
                case "tool_result" -> {
                    ObjectNode tool = messages.addObject()
                            .put("role", "tool")
                            .put("tool_call_id", block.get("tool_use_id").asText());
                    JsonNode result = block.get("content");
                    StringBuilder text = new StringBuilder();
                    if (result != null && result.isTextual()) {
                        text.append(result.asText());
                    } else if (result != null && result.isArray()) {
                        for (int k = 0; k < result.size(); k++) {
                            JsonNode r = result.get(k);
                            if ("text".equals(r.path("type").asText())) {
                                text.append(text.isEmpty() ? "" : "\n\n")
                                        .append(r.get("text").asText());
                            } else {
                                // Tool messages hold text only: images and the like follow as the user's.
                                part(r, parts, at + ".content." + j + ".content." + k);
                            }
                        }
                    }
                    tool.put("content", text.toString());
                }
                default -> part(block, parts, at + ".content." + j);
            }
        }
        if (parts.isEmpty()) {
            return;
        }
        boolean textOnly = true;
        for (JsonNode p : parts) {
            textOnly &= "text".equals(p.path("type").asText());
        }
        ObjectNode user = messages.addObject().put("role", "user");
        if (textOnly) {
            user.put("content", texts(parts, "\n\n"));
        } else {
            user.set("content", parts);
        }
    }

    /** A user content block as an OpenAI content part. */
    private void part(JsonNode block, ArrayNode parts, String at) {
        switch (block.get("type").asText()) {
            case "text" ->
                parts.addObject()
                        .put("type", "text")
                        .put("text", block.get("text").asText());
            case "image" -> {
                JsonNode source = block.get("source");
                String url = switch (source.get("type").asText()) {
                    case "base64" ->
                        "data:" + source.get("media_type").asText() + ";base64,"
                                + source.get("data").asText();
                    case "url" -> source.get("url").asText();
                    default -> null;
                };
                if (url == null) {
                    cannot(
                            at + ".source",
                            "An image given as a " + source.get("type").asText() + " source");
                    return;
                }
                parts.addObject()
                        .put("type", "image_url")
                        .putObject("image_url")
                        .put("url", url);
            }
            // Earlier reasoning is Anthropic's own (signed); other models have no use for it.
            case "thinking", "redacted_thinking" -> {}
            default -> cannot(at, "A '" + block.get("type").asText() + "' content block");
        }
    }

    private void assistant(JsonNode content, ArrayNode messages, String at) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant");
        if (content.isTextual()) {
            message.put("content", content.asText());
            messages.add(message);
            return;
        }
        List<String> texts = new ArrayList<>();
        ArrayNode calls = JSON.createArrayNode();
        for (int j = 0; j < content.size(); j++) {
            JsonNode block = content.get(j);
            switch (block.get("type").asText()) {
                case "text" -> texts.add(block.get("text").asText());
                case "tool_use" -> {
                    ObjectNode call = calls.addObject()
                            .put("id", block.get("id").asText())
                            .put("type", "function");
                    call.putObject("function")
                            .put("name", block.get("name").asText())
                            .put("arguments", json(block.get("input")));
                }
                case "thinking", "redacted_thinking" -> {}
                default ->
                    cannot(at + ".content." + j, "A '" + block.get("type").asText() + "' content block");
            }
        }
        if (texts.isEmpty() && calls.isEmpty()) {
            return;
        }
        if (texts.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", String.join("\n\n", texts));
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        messages.add(message);
    }

    private void tools(ObjectNode out) {
        JsonNode tools = body.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode functions = out.putArray("tools");
            for (int i = 0; i < tools.size(); i++) {
                JsonNode t = tools.get(i);
                if (!custom(t)) {
                    cannot(
                            "tools." + i,
                            "Anthropic's server tool '" + t.path("type").asText() + "'");
                    continue;
                }
                ObjectNode function =
                        functions.addObject().put("type", "function").putObject("function");
                function.put("name", t.get("name").asText());
                if (t.path("description").isTextual()) {
                    function.put("description", t.get("description").asText());
                }
                function.set("parameters", t.get("input_schema").deepCopy());
            }
            if (functions.isEmpty()) {
                out.remove("tools");
            }
        }
        JsonNode choice = body.get("tool_choice");
        if (choice == null || choice.isNull() || !out.has("tools")) {
            return;
        }
        switch (choice.get("type").asText()) {
            case "auto" -> out.put("tool_choice", "auto");
            case "any" -> out.put("tool_choice", "required");
            case "none" -> out.put("tool_choice", "none");
            case "tool" ->
                out.putObject("tool_choice")
                        .put("type", "function")
                        .putObject("function")
                        .put("name", choice.get("name").asText());
            default -> {}
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
            out.put("parallel_tool_calls", false);
        }
    }

    /** The text blocks' texts, joined. */
    private static String texts(JsonNode blocks, String separator) {
        List<String> texts = new ArrayList<>();
        for (JsonNode b : blocks) {
            if (b.path("text").isTextual()) {
                texts.add(b.get("text").asText());
            }
        }
        return String.join(separator, texts);
    }

    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
