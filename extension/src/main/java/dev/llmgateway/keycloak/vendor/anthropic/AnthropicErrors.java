package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.services.ErrorResponseException;

/**
 * Errors in Anthropic's shape, {@code {"type":"error","error":{"type","message"}}}, so Anthropic's SDKs and Claude Code
 * raise their own typed errors. The error type follows the HTTP status as Anthropic's does.
 */
public final class AnthropicErrors {

    private AnthropicErrors() {}

    /** Anthropic's error type for an HTTP status. */
    public static String typeOf(int status) {
        return switch (status) {
            case 400 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    /** The error as JSON bytes. */
    public static byte[] body(String type, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("type", "error");
        shape.put("error", error);
        try {
            return Json.MAPPER.writeValueAsBytes(shape);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Response response(int status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body(typeOf(status), message))
                .build();
    }

    public static ErrorResponseException error(int status, String message) {
        return new ErrorResponseException(response(status, message));
    }

    public static ErrorResponseException invalidRequest(String message) {
        return error(400, message);
    }

    /**
     * The gateway's OpenAI-shaped error ({@code {"error":{"message","type","param","code"}}}) answered with {@code
     * status}, in Anthropic's shape: the message kept, the type by status. A body already in Anthropic's shape is
     * returned as it is; one that is neither keeps only the status.
     */
    public static byte[] fromOpenAi(int status, byte[] openAiError) {
        JsonNode node = null;
        try {
            node = openAiError == null || openAiError.length == 0 ? null : Json.MAPPER.readTree(openAiError);
        } catch (IOException e) {
            node = null;
        }
        if (node != null
                && "error".equals(node.path("type").asText())
                && node.path("error").isObject()) {
            return openAiError;
        }
        JsonNode error = node == null ? null : node.get("error");
        String message = error == null
                ? null
                : error.isTextual() ? error.asText() : error.path("message").asText(null);
        if (message == null || message.isBlank()) {
            message = "The gateway answered HTTP " + status;
        }
        if (status == 401
                && error != null
                && "invalid_api_key".equals(error.path("code").asText())) {
            // The caller's token, not a vendor's key: say where Anthropic's clients put it.
            message = "Missing, invalid or expired access token: send your Keycloak access token as 'x-api-key'"
                    + " or as 'Authorization: Bearer' (ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN)";
        }
        return body(typeOf(status), message);
    }
}
