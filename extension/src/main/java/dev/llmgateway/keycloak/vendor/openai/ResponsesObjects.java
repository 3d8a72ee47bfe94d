package dev.llmgateway.keycloak.vendor.openai;

import java.security.SecureRandom;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.Usage;

/** The Responses API's objects as OpenAI writes them: the response, its output items and its usage. */
final class ResponsesObjects {

    private static final ObjectMapper JSON = Json.MAPPER;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ResponsesObjects() {}

    /** An id in OpenAI's style: the prefix ({@code resp_}, {@code msg_}, {@code fc_}) and 48 hex digits. */
    static String newId(String prefix) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    /**
     * A response object with every member OpenAI sends, echoing the request's settings; {@code output} empty and
     * {@code usage} null until the caller fills them.
     */
    static ObjectNode response(String id, long createdAt, String model, String status, JsonNode request) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", createdAt);
        r.put("status", status);
        r.put("background", false);
        r.putNull("error");
        r.putNull("incomplete_details");
        r.set("instructions", echo(request, "instructions"));
        r.set("max_output_tokens", echo(request, "max_output_tokens"));
        r.putNull("max_tool_calls");
        r.put("model", model);
        r.putArray("output");
        JsonNode parallel = request.get("parallel_tool_calls");
        r.put("parallel_tool_calls", parallel == null || !parallel.isBoolean() || parallel.asBoolean());
        r.putNull("previous_response_id");
        ObjectNode reasoning = r.putObject("reasoning");
        reasoning.set("effort", echo(request.path("reasoning"), "effort"));
        reasoning.putNull("summary");
        r.set("service_tier", echo(request, "service_tier"));
        r.put("store", false);
        r.set("temperature", echo(request, "temperature"));
        ObjectNode text = r.putObject("text");
        JsonNode format = request.path("text").get("format");
        if (format != null && format.isObject()) {
            text.set("format", format.deepCopy());
        } else {
            text.putObject("format").put("type", "text");
        }
        JsonNode choice = request.get("tool_choice");
        if (choice != null && !choice.isNull()) {
            r.set("tool_choice", choice.deepCopy());
        } else {
            r.put("tool_choice", "auto");
        }
        JsonNode tools = request.get("tools");
        r.set("tools", tools != null && tools.isArray() ? tools.deepCopy() : JSON.createArrayNode());
        r.set("top_p", echo(request, "top_p"));
        r.put("truncation", "disabled");
        r.putNull("usage");
        r.set("user", echo(request, "user"));
        JsonNode metadata = request.get("metadata");
        r.set("metadata", metadata != null && metadata.isObject() ? metadata.deepCopy() : JSON.createObjectNode());
        return r;
    }

    private static JsonNode echo(JsonNode request, String field) {
        JsonNode v = request.get(field);
        return v == null ? JSON.nullNode() : v.deepCopy();
    }

    /** An assistant message item; {@code text} (output_text) and {@code refusal} parts, in order, when not null. */
    static ObjectNode message(String id, String status, String text, String refusal) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", id);
        m.put("type", "message");
        m.put("status", status);
        m.put("role", "assistant");
        ArrayNode content = m.putArray("content");
        if (text != null) {
            content.add(textPart(text));
        }
        if (refusal != null) {
            content.add(refusalPart(refusal));
        }
        return m;
    }

    static ObjectNode textPart(String text) {
        ObjectNode p = JSON.createObjectNode();
        p.put("type", "output_text");
        p.putArray("annotations");
        p.putArray("logprobs");
        p.put("text", text);
        return p;
    }

    static ObjectNode refusalPart(String refusal) {
        return JSON.createObjectNode().put("type", "refusal").put("refusal", refusal);
    }

    static ObjectNode functionCall(String id, String status, String callId, String name, String arguments) {
        ObjectNode f = JSON.createObjectNode();
        f.put("id", id);
        f.put("type", "function_call");
        f.put("status", status);
        f.put("arguments", arguments);
        f.put("call_id", callId);
        f.put("name", name);
        return f;
    }

    /** The response's {@code usage}: OpenAI's way, cached tokens part of the input, reasoning part of the output. */
    static ObjectNode usage(Usage u) {
        ObjectNode o = JSON.createObjectNode();
        o.put("input_tokens", u.promptTokens());
        o.putObject("input_tokens_details").put("cached_tokens", u.cachedTokens());
        o.put("output_tokens", u.completionTokens());
        o.putObject("output_tokens_details").put("reasoning_tokens", u.reasoningTokens());
        o.put("total_tokens", u.promptTokens() + u.completionTokens());
        return o;
    }

    /** The usage a response object reports, with the service tier that served it. */
    static Usage usageOf(JsonNode response) {
        JsonNode u = response.get("usage");
        if (u == null || !u.isObject()) {
            return Usage.NONE;
        }
        Usage usage = new Usage(
                u.path("input_tokens").asLong(0),
                u.path("output_tokens").asLong(0),
                u.path("input_tokens_details").path("cached_tokens").asLong(0),
                u.path("output_tokens_details").path("reasoning_tokens").asLong(0));
        JsonNode tier = response.get("service_tier");
        return tier != null && tier.isTextual() ? usage.withServiceTier(tier.asText()) : usage;
    }

    /**
     * A response's status and why it is incomplete, from a Chat Completions finish reason: {@code length} is the
     * output limit, {@code content_filter} the vendor's filter; null details when complete.
     */
    static ObjectNode incompleteDetails(String finishReason) {
        if ("length".equals(finishReason)) {
            return JSON.createObjectNode().put("reason", "max_output_tokens");
        }
        if ("content_filter".equals(finishReason)) {
            return JSON.createObjectNode().put("reason", "content_filter");
        }
        return null;
    }
}
