package dev.llmgateway.keycloak.vendor.openai;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
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
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;

/**
 * A request to OpenAI's Responses API ({@code POST /v1/responses}), without state: {@code body} is the caller's own
 * (what OpenAI providers get, as it is), {@code chat} the equivalent Chat Completions request (what every other vendor
 * gets, through its chat adapter). What Chat Completions cannot express (built-in tools, files, prompt templates …) is
 * {@code untranslatable}: only OpenAI providers can serve such a request, other candidates are skipped.
 *
 * <p>What needs state the gateway does not keep is refused for every vendor: {@code previous_response_id},
 * {@code conversation}, {@code background} and stored items ({@code item_reference}). {@code store: true} is served
 * without storing anything (the response object says {@code "store": false}).
 */
public record ResponsesRequest(ObjectNode body, ChatRequest chat, UnsupportedRequestException untranslatable) {

    private static final ObjectMapper JSON = Json.MAPPER;

    /** Said wherever a request needs what this gateway does not keep. */
    public static final String NO_STATE =
            "this gateway serves the Responses API without state: it stores no responses or conversations,"
                    + " so send the whole conversation as 'input' items each time";

    /** Fields read and translated to Chat Completions. */
    private static final Set<String> TRANSLATED = Set.of(
            "model",
            "input",
            "instructions",
            "tools",
            "tool_choice",
            "max_output_tokens",
            "temperature",
            "top_p",
            "parallel_tool_calls",
            "text",
            "reasoning",
            "user",
            "service_tier",
            "stream");

    /**
     * Fields a translated request does without: OpenAI-side hints and options ({@code metadata} is answered back in the
     * response object, as OpenAI does), or fields whose only allowed value here changes nothing.
     */
    private static final Set<String> IGNORED_WHEN_TRANSLATED = Set.of(
            "metadata",
            "include",
            "truncation",
            "store",
            "background",
            "stream_options",
            "safety_identifier",
            "prompt_cache_key",
            "prompt_cache_retention",
            "previous_response_id",
            "conversation");

    /** Input item types Chat Completions cannot carry (built-in tool calls and their outputs …). */
    private static final Set<String> MESSAGE_ROLES = Set.of("user", "system", "developer", "assistant");

    /** Reads and checks the caller's body; a 400 in OpenAI's shape names what is wrong. */
    public static ResponsesRequest read(InputStream in, int maxBytes) {
        byte[] bytes;
        try {
            bytes = JsonBodies.readBounded(in, maxBytes);
        } catch (IOException e) {
            throw OpenAiErrors.invalidRequest(null, "Could not read the request body");
        }
        if (bytes.length > maxBytes) {
            throw OpenAiErrors.error(
                    413,
                    "invalid_request_error",
                    "request_too_large",
                    null,
                    "Request body is larger than " + maxBytes + " bytes");
        }
        if (bytes.length == 0) {
            throw OpenAiErrors.invalidRequest(null, "The request body is empty; " + JsonBodies.EMPTY_BODY_HINT);
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw OpenAiErrors.invalidRequest(
                    null,
                    "We could not parse the JSON body of your request"
                            + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw OpenAiErrors.invalidRequest(null, "We could not parse the JSON body of your request");
        }
        if (node == null || !node.isObject()) {
            throw OpenAiErrors.invalidRequest(null, "The request body must be a JSON object");
        }
        return of((ObjectNode) node);
    }

    /** Checks a parsed body and translates it. */
    public static ResponsesRequest of(ObjectNode body) {
        String model = model(body);
        refuseState(body);
        boolean stream = bool(body, "stream");
        Translation t = new Translation();
        ObjectNode chat = JSON.createObjectNode();
        chat.put("model", model);
        ArrayNode messages = chat.putArray("messages");
        JsonNode instructions = body.get("instructions");
        if (present(instructions)) {
            if (!instructions.isTextual()) {
                throw bad("instructions", "'instructions' must be a string");
            }
            if (!instructions.asText().isEmpty()) {
                messages.addObject().put("role", "system").put("content", instructions.asText());
            }
        }
        input(body, messages, t);
        if (present(body.get("prompt"))) {
            t.cannot("prompt", "'prompt' (a prompt template stored at OpenAI)");
        }
        boolean tools = tools(body, chat, t);
        toolChoice(body, chat, t);
        JsonNode max = body.get("max_output_tokens");
        if (present(max)) {
            if (!max.canConvertToLong() || !max.isIntegralNumber() || max.asLong() < 1) {
                throw bad("max_output_tokens", "'max_output_tokens' must be a positive integer");
            }
            chat.put("max_tokens", max.asLong());
        }
        number(body, "temperature", chat);
        number(body, "top_p", chat);
        JsonNode parallel = body.get("parallel_tool_calls");
        if (present(parallel)) {
            if (!parallel.isBoolean()) {
                throw bad("parallel_tool_calls", "'parallel_tool_calls' must be true or false");
            }
            if (tools) {
                chat.put("parallel_tool_calls", parallel.asBoolean());
            }
        }
        text(body, chat, t);
        reasoning(body, chat);
        JsonNode user = body.get("user");
        if (present(user)) {
            if (!user.isTextual()) {
                throw bad("user", "'user' must be a string");
            }
            chat.put("user", user.asText());
        }
        JsonNode tier = body.get("service_tier");
        if (present(tier)) {
            if (!tier.isTextual()) {
                throw bad("service_tier", "'service_tier' must be a string");
            }
            chat.put("service_tier", tier.asText());
        }
        JsonNode metadata = body.get("metadata");
        if (present(metadata) && !metadata.isObject()) {
            throw bad("metadata", "'metadata' must be an object of string values");
        }
        if (present(metadata)) {
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw bad("metadata", "'metadata' values must be strings ('" + quotable(e.getKey()) + "' is not)");
                }
            }
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!TRANSLATED.contains(field) && !IGNORED_WHEN_TRANSLATED.contains(field) && !field.equals("prompt")) {
                t.cannot(field, "'" + quotable(field) + "'");
            }
        }
        if (stream) {
            chat.put("stream", true);
        }
        // The translation always asks the vendor for usage: the stream's response.completed event reports it.
        return new ResponsesRequest(body, new ChatRequest(model, stream, true, chat, body), t.first);
    }

    /** The request's model, checked as for Chat Completions. */
    private static String model(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw bad("model", "you must provide a model parameter");
        }
        String m = model.asText();
        int forbidden = SafeText.firstForbidden(m);
        if (forbidden >= 0) {
            throw bad(
                    "model",
                    "'model' contains a character that is not allowed (" + SafeText.codePoint(m, forbidden)
                            + " at position " + (forbidden + 1) + ")");
        }
        if (m.length() > 255) {
            throw bad("model", "'model' is longer than 255 characters");
        }
        return m;
    }

    /** What needs state the gateway does not keep: refused whatever the vendor. */
    private static void refuseState(ObjectNode body) {
        if (present(body.get("previous_response_id"))) {
            throw unsupported("previous_response_id", "'previous_response_id' is not supported: " + NO_STATE);
        }
        if (present(body.get("conversation"))) {
            throw unsupported("conversation", "'conversation' is not supported: " + NO_STATE);
        }
        JsonNode background = body.get("background");
        if (present(background) && !background.isBoolean()) {
            throw bad("background", "'background' must be true or false");
        }
        if (background != null && background.asBoolean(false)) {
            throw unsupported(
                    "background",
                    "'background': true is not supported: this gateway answers while the caller waits (stream"
                            + " for long answers) and keeps no responses to poll");
        }
        JsonNode store = body.get("store");
        if (present(store) && !store.isBoolean()) {
            throw bad("store", "'store' must be true or false");
        }
        // 'store': true (OpenAI's default, and in OpenAI's own examples) is served, not refused: nothing is stored
        // (OpenAI
        // providers are sent false; the response says "store": false), and fetching the response later answers 404.
    }

    private static void input(ObjectNode body, ArrayNode messages, Translation t) {
        JsonNode input = body.get("input");
        if (!present(input)) {
            if (!present(body.get("prompt"))) {
                throw bad("input", "you must provide 'input': a string or an array of input items");
            }
            return;
        }
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
            return;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw bad("input", "'input' must be a string or a non-empty array of input items");
        }
        for (int i = 0; i < input.size(); i++) {
            item(input.get(i), "input[" + i + "]", messages, t);
        }
    }

    private static void item(JsonNode item, String at, ArrayNode messages, Translation t) {
        if (!item.isObject()) {
            throw bad(at, "'" + at + "' must be an object (a message or another input item)");
        }
        JsonNode typeNode = item.get("type");
        if (present(typeNode) && !typeNode.isTextual()) {
            throw bad(at + ".type", "'" + at + ".type' must be a string");
        }
        String type = present(typeNode) ? typeNode.asText() : item.has("role") ? "message" : "";
        switch (type) {
            case "message" -> message(item, at, messages, t);
            case "function_call" -> {
                String callId = text(item, "call_id", at);
                String name = text(item, "name", at);
                String arguments = text(item, "arguments", at);
                ObjectNode last = messages.isEmpty() ? null : (ObjectNode) messages.get(messages.size() - 1);
                ObjectNode assistant;
                if (last != null && "assistant".equals(last.path("role").asText())) {
                    assistant = last;
                } else {
                    assistant = messages.addObject().put("role", "assistant");
                    assistant.putNull("content");
                }
                ArrayNode calls = assistant.has("tool_calls")
                        ? (ArrayNode) assistant.get("tool_calls")
                        : assistant.putArray("tool_calls");
                ObjectNode call = calls.addObject().put("id", callId).put("type", "function");
                call.putObject("function").put("name", name).put("arguments", arguments);
            }
            case "function_call_output" -> {
                String callId = text(item, "call_id", at);
                JsonNode output = item.get("output");
                String content;
                if (output != null && output.isTextual()) {
                    content = output.asText();
                } else if (output != null && output.isArray()) {
                    StringBuilder sb = new StringBuilder();
                    for (JsonNode part : output) {
                        if ("input_text".equals(part.path("type").asText())
                                && part.path("text").isTextual()) {
                            sb.append(part.path("text").asText());
                        } else {
                            t.cannot(at + ".output", "a function output that is not text ('" + at + ".output')");
                        }
                    }
                    content = sb.toString();
                } else {
                    throw bad(at + ".output", "'" + at + ".output' must be a string or an array of content parts");
                }
                messages.addObject()
                        .put("role", "tool")
                        .put("tool_call_id", callId)
                        .put("content", content);
            }
            // Reasoning that OpenAI models return (possibly encrypted) is theirs: other models go without it.
            case "reasoning" -> {}
            case "item_reference" -> throw unsupported(at, "'" + at + "' refers to a stored item: " + NO_STATE);
            case "" -> throw bad(at, "'" + at + "' has neither a 'type' nor a 'role'");
            default -> t.cannot(at + ".type", "input items of type '" + quotable(type) + "' ('" + at + "')");
        }
    }

    private static void message(JsonNode item, String at, ArrayNode messages, Translation t) {
        JsonNode roleNode = item.get("role");
        String role = roleNode == null ? "" : roleNode.asText("");
        if (!MESSAGE_ROLES.contains(role)) {
            throw bad(at + ".role", "'" + at + ".role' must be one of user, system, developer, assistant");
        }
        JsonNode content = item.get("content");
        ObjectNode message = JSON.createObjectNode();
        // Not every vendor knows OpenAI's developer role; it is the system prompt of newer models.
        message.put("role", role.equals("developer") ? "system" : role);
        if (content != null && content.isTextual()) {
            message.put("content", content.asText());
        } else if (content != null && content.isArray()) {
            ArrayNode parts = JSON.createArrayNode();
            StringBuilder text = new StringBuilder();
            boolean onlyText = true;
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                String p = at + ".content[" + i + "]";
                if (!part.isObject() || !part.path("type").isTextual()) {
                    throw bad(p, "'" + p + "' must be a content part object with a 'type'");
                }
                switch (part.get("type").asText()) {
                    case "input_text", "output_text", "text" -> {
                        String s = text(part, "text", p);
                        parts.addObject().put("type", "text").put("text", s);
                        text.append(text.isEmpty() ? "" : "\n").append(s);
                    }
                    case "refusal" -> {
                        String s = text(part, "refusal", p);
                        parts.addObject().put("type", "text").put("text", s);
                        text.append(text.isEmpty() ? "" : "\n").append(s);
                    }
                    case "input_image" -> {
                        onlyText = false;
                        JsonNode url = part.get("image_url");
                        if (url != null && url.isTextual() && !url.asText().isEmpty()) {
                            ObjectNode image = parts.addObject().put("type", "image_url");
                            ObjectNode u = image.putObject("image_url").put("url", url.asText());
                            if (part.path("detail").isTextual()) {
                                u.put("detail", part.get("detail").asText());
                            }
                        } else if (present(part.get("file_id"))) {
                            t.cannot(p + ".file_id", "images given by file id ('" + p + ".file_id')");
                        } else {
                            throw bad(p + ".image_url", "'" + p + "' needs an 'image_url' (a URL or a data URL)");
                        }
                    }
                    default -> {
                        onlyText = false;
                        t.cannot(
                                p + ".type",
                                "content parts of type '"
                                        + quotable(part.get("type").asText()) + "' ('" + p + "')");
                    }
                }
            }
            if (onlyText || !role.equals("user")) {
                // Assistant, system and plain-text turns as a string: what every vendor takes.
                message.put("content", text.toString());
            } else {
                message.set("content", parts);
            }
        } else {
            throw bad(at + ".content", "'" + at + ".content' must be a string or an array of content parts");
        }
        messages.add(message);
    }

    /** Function tools become Chat Completions tools; true when there is at least one. */
    private static boolean tools(ObjectNode body, ObjectNode chat, Translation t) {
        JsonNode tools = body.get("tools");
        if (!present(tools)) {
            return false;
        }
        if (!tools.isArray()) {
            throw bad("tools", "'tools' must be an array");
        }
        ArrayNode out = JSON.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String at = "tools[" + i + "]";
            if (!tool.isObject() || !tool.path("type").isTextual()) {
                throw bad(at, "'" + at + "' must be an object with a 'type'");
            }
            String type = tool.get("type").asText();
            if (!type.equals("function")) {
                t.cannot(
                        at + ".type",
                        "the built-in tool '" + quotable(type) + "' ('" + at + "'); function tools work everywhere");
                continue;
            }
            ObjectNode function = JSON.createObjectNode().put("name", text(tool, "name", at));
            JsonNode description = tool.get("description");
            if (present(description)) {
                if (!description.isTextual()) {
                    throw bad(at + ".description", "'" + at + ".description' must be a string");
                }
                function.put("description", description.asText());
            }
            JsonNode parameters = tool.get("parameters");
            if (present(parameters)) {
                if (!parameters.isObject()) {
                    throw bad(at + ".parameters", "'" + at + ".parameters' must be a JSON schema object");
                }
                function.set("parameters", parameters.deepCopy());
            }
            JsonNode strict = tool.get("strict");
            if (present(strict)) {
                if (!strict.isBoolean()) {
                    throw bad(at + ".strict", "'" + at + ".strict' must be true or false");
                }
                function.put("strict", strict.asBoolean());
            }
            ObjectNode chatTool = out.addObject().put("type", "function");
            chatTool.set("function", function);
        }
        if (!out.isEmpty()) {
            chat.set("tools", out);
        }
        return !out.isEmpty();
    }

    private static void toolChoice(ObjectNode body, ObjectNode chat, Translation t) {
        JsonNode choice = body.get("tool_choice");
        if (!present(choice)) {
            return;
        }
        if (choice.isTextual()) {
            String c = choice.asText();
            if (!Set.of("none", "auto", "required").contains(c)) {
                throw bad("tool_choice", "'tool_choice' must be none, auto, required or an object");
            }
            if (chat.has("tools")) {
                chat.put("tool_choice", c);
            }
            return;
        }
        if (!choice.isObject() || !choice.path("type").isTextual()) {
            throw bad("tool_choice", "'tool_choice' must be none, auto, required or an object with a 'type'");
        }
        String type = choice.get("type").asText();
        if (type.equals("function")) {
            String name = text(choice, "name", "tool_choice");
            chat.putObject("tool_choice")
                    .put("type", "function")
                    .putObject("function")
                    .put("name", name);
        } else {
            t.cannot("tool_choice", "'tool_choice' of type '" + quotable(type) + "'");
        }
    }

    /** {@code text.format} becomes {@code response_format}. */
    private static void text(ObjectNode body, ObjectNode chat, Translation t) {
        JsonNode text = body.get("text");
        if (!present(text)) {
            return;
        }
        if (!text.isObject()) {
            throw bad("text", "'text' must be an object");
        }
        JsonNode format = text.get("format");
        if (!present(format)) {
            return;
        }
        if (!format.isObject() || !format.path("type").isTextual()) {
            throw bad("text.format", "'text.format' must be an object with a 'type'");
        }
        switch (format.get("type").asText()) {
            case "text" -> {}
            case "json_object" -> chat.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                String name = text(format, "name", "text.format");
                JsonNode schema = format.get("schema");
                if (schema == null || !schema.isObject()) {
                    throw bad("text.format.schema", "'text.format.schema' must be a JSON schema object");
                }
                ObjectNode js = chat.putObject("response_format")
                        .put("type", "json_schema")
                        .putObject("json_schema")
                        .put("name", name);
                if (format.path("description").isTextual()) {
                    js.put("description", format.get("description").asText());
                }
                js.set("schema", schema.deepCopy());
                if (format.path("strict").isBoolean()) {
                    js.put("strict", format.get("strict").asBoolean());
                }
            }
            default -> throw bad("text.format.type", "'text.format.type' must be text, json_object or json_schema");
        }
    }

    private static void reasoning(ObjectNode body, ObjectNode chat) {
        JsonNode reasoning = body.get("reasoning");
        if (!present(reasoning)) {
            return;
        }
        if (!reasoning.isObject()) {
            throw bad("reasoning", "'reasoning' must be an object");
        }
        JsonNode effort = reasoning.get("effort");
        if (present(effort)) {
            if (!effort.isTextual()) {
                throw bad("reasoning.effort", "'reasoning.effort' must be a string");
            }
            chat.put("reasoning_effort", effort.asText());
        }
    }

    private static void number(ObjectNode body, String field, ObjectNode chat) {
        JsonNode n = body.get(field);
        if (!present(n)) {
            return;
        }
        if (!n.isNumber()) {
            throw bad(field, "'" + field + "' must be a number");
        }
        chat.set(field, n);
    }

    private static boolean bool(ObjectNode body, String field) {
        JsonNode b = body.get(field);
        if (!present(b)) {
            return false;
        }
        if (!b.isBoolean()) {
            throw bad(field, "'" + field + "' must be true or false");
        }
        return b.asBoolean();
    }

    /** A required string member of an item. */
    private static String text(JsonNode item, String field, String at) {
        JsonNode v = item.get(field);
        if (v == null || !v.isTextual()) {
            throw bad(at + "." + field, "'" + at + "." + field + "' must be a string");
        }
        return v.asText();
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull();
    }

    /** A name from the caller, quoted only when it is safe to show. */
    private static String quotable(String s) {
        return s.length() <= 64 && SafeText.quotable(s) ? s : "…";
    }

    private static RuntimeException bad(String param, String message) {
        return OpenAiErrors.invalidRequest(param, message);
    }

    private static RuntimeException unsupported(String param, String message) {
        return OpenAiErrors.error(400, "invalid_request_error", "unsupported_parameter", param, message);
    }

    /** The first feature met that Chat Completions cannot express. */
    private static final class Translation {
        UnsupportedRequestException first;

        void cannot(String param, String what) {
            if (first == null) {
                first = new UnsupportedRequestException(
                        param,
                        what + " is served only by OpenAI providers (Responses API); the model asked for is"
                                + " served through Chat Completions");
            }
        }
    }
}
