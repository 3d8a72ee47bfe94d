package dev.llmgateway.keycloak.vendor;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.Json;

/**
 * What a vendor's error answer says, in OpenAI's terms: the message, and the {@code type}, {@code code} and {@code
 * param} clients branch on (LangChain's context-overflow handling reads {@code code: context_length_exceeded}).
 * OpenAI-format vendors' fields are kept as they are; Anthropic's error types are mapped to OpenAI's. Codes and params
 * are kept only when they look like identifiers, so a vendor cannot echo a key through them.
 */
public record VendorError(String message, String type, String code, String param) {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_.\\[\\]-]{1,64}");

    /** Reads {@code {"error":{"message","type","code","param"}}}, {@code {"error":"…"}} or {@code {"message"}}. */
    public static VendorError parse(byte[] body, boolean anthropic) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return new VendorError(null, null, null, null);
        }
        if (node == null) {
            return new VendorError(null, null, null, null);
        }
        JsonNode error = node.path("error");
        String message = error.isTextual()
                ? error.asText()
                : error.path("message").asText(node.path("message").asText(""));
        message = message.isBlank() ? null : message;
        String type = text(error.path("type"));
        if (anthropic) {
            return anthropic(message, type);
        }
        return new VendorError(message, type, text(error.path("code")), text(error.path("param")));
    }

    /** Anthropic's error types in OpenAI's words; a prompt over the context window is OpenAI's context_length_exceeded. */
    private static VendorError anthropic(String message, String type) {
        String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (lower.startsWith("prompt is too long") || lower.contains("exceed context limit")) {
            return new VendorError(message, "invalid_request_error", "context_length_exceeded", "messages");
        }
        if (type == null) {
            return new VendorError(message, null, null, null);
        }
        return switch (type) {
            case "authentication_error" -> new VendorError(message, "authentication_error", "invalid_api_key", null);
            case "permission_error" -> new VendorError(message, "permission_error", null, null);
            case "not_found_error" -> new VendorError(message, "invalid_request_error", "not_found", null);
            case "request_too_large" -> new VendorError(message, "invalid_request_error", "request_too_large", null);
            case "rate_limit_error" -> new VendorError(message, "rate_limit_error", "rate_limit_exceeded", null);
            case "invalid_request_error" -> new VendorError(message, "invalid_request_error", null, null);
            default -> new VendorError(message, "api_error", null, null);
        };
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        String s = v.isNumber() ? v.asText() : v.isTextual() ? v.asText() : null;
        return s != null && IDENTIFIER.matcher(s).matches() ? s : null;
    }
}
