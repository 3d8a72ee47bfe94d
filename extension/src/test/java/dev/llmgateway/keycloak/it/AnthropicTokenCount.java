package dev.llmgateway.keycloak.it;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

/**
 * The fake Anthropic's {@code POST /v1/messages/count_tokens}: {@code {"input_tokens": n}} as Anthropic answers, with
 * {@link #count} standing in for Anthropic's tokenizer; its errors in Anthropic's shape (a missing {@code
 * anthropic-version}, a refused key, a request without messages).
 */
final class AnthropicTokenCount {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnthropicTokenCount() {}

    /**
     * The fake's count: a token per four characters (rounded up) of the system prompt, the messages and the tools as
     * JSON, plus three for the message framing.
     */
    static long count(JsonNode request) {
        long chars = 0;
        for (String field : new String[] {"system", "messages", "tools"}) {
            JsonNode v = request.get(field);
            if (v != null) {
                chars += v.isTextual() ? v.asText().length() : v.toString().length();
            }
        }
        return (chars + 3) / 4 + 3;
    }

    static void answer(HttpExchange ex, String key, String version, String body) throws IOException {
        if (version == null) {
            FakeVendors.send(
                    ex,
                    400,
                    "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"anthropic-version: header is required\"}}");
            return;
        }
        if (key == null || key.contains("fail401") || !key.startsWith("sk-test")) {
            FakeVendors.send(
                    ex,
                    401,
                    "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}");
            return;
        }
        JsonNode request = JSON.readTree(body);
        if (request == null || !request.path("messages").isArray()) {
            FakeVendors.send(
                    ex,
                    400,
                    "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages: Field required\"}}");
            return;
        }
        FakeVendors.send(ex, 200, "{\"input_tokens\":" + count(request) + "}");
    }
}
