package dev.llmgateway.keycloak.vendor;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.JsonBodies;
import dev.llmgateway.keycloak.core.SafeText;

/**
 * A Chat Completions request, checked just enough to route it; the vendor validates the rest. {@code includeUsage}
 * is the caller's own {@code stream_options.include_usage}, kept apart because adapters may rewrite the body.
 * {@code original} is the caller's own body when they spoke another API (Anthropic Messages, Responses) and
 * {@code body} is its Chat Completions equivalent: adapters that pass that API through to its vendor send it; null for
 * Chat Completions callers.
 */
public record ChatRequest(String model, boolean stream, boolean includeUsage, ObjectNode body, ObjectNode original) {

    public ChatRequest(String model, boolean stream, boolean includeUsage, ObjectNode body) {
        this(model, stream, includeUsage, body, null);
    }

    public ChatRequest(String model, boolean stream, ObjectNode body) {
        this(model, stream, body.path("stream_options").path("include_usage").asBoolean(false), body);
    }

    private static final ObjectMapper JSON = Json.MAPPER;

    public static ChatRequest read(InputStream in, int maxBytes) {
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
        ObjectNode body = (ObjectNode) node;
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw OpenAiErrors.invalidRequest("model", "you must provide a model parameter");
        }
        int forbidden = SafeText.firstForbidden(model.asText());
        if (forbidden >= 0 || model.asText().length() > 255) {
            throw OpenAiErrors.invalidRequest(
                    "model",
                    forbidden >= 0
                            ? "'model' contains a character that is not allowed ("
                                    + SafeText.codePoint(model.asText(), forbidden) + " at position " + (forbidden + 1)
                                    + ")"
                            : "'model' is longer than 255 characters");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw OpenAiErrors.invalidRequest("messages", "'messages' must be a non-empty array");
        }
        for (JsonNode m : messages) {
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw OpenAiErrors.invalidRequest("messages", "each message must be an object with a 'role'");
            }
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw OpenAiErrors.invalidRequest("stream", "'stream' must be true or false");
        }
        return new ChatRequest(model.asText(), stream != null && stream.asBoolean(), body);
    }

    /** Characters of the messages' text (string contents and text parts): what an estimate of the prompt starts from. */
    public long promptChars() {
        long n = 0;
        for (JsonNode m : body.path("messages")) {
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                n += content.asText().length();
            } else {
                for (JsonNode part : content) {
                    n += part.path("text").asText("").length();
                }
            }
        }
        return n;
    }
}
