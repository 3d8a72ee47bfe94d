package dev.llmgateway.keycloak.vendor;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;

/** Translates between the OpenAI Chat Completions format our callers speak and one vendor wire format. */
public interface ChatAdapter {

    /** The vendor request for {@code vendorModel}, streamed when the caller asked for a stream. */
    HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout);

    /** The vendor's successful non-streamed answer as an OpenAI chat.completion, with its usage. */
    ChatResult parse(byte[] body);

    /** A translator for the vendor's streamed answer to this request. */
    StreamTranslator streamTranslator(ChatRequest request);

    /**
     * What a vendor's error answer says, for callers whose own request was at fault: every format we speak puts it in
     * {@code {"error":{"message"}}}, {@code {"error":"…"}} or {@code {"message"}}. Null when the body says nothing.
     */
    default String errorMessage(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null) {
                return null;
            }
            JsonNode error = node.path("error");
            String message = error.isTextual()
                    ? error.asText()
                    : error.path("message").asText(node.path("message").asText(""));
            return message.isBlank() ? null : message;
        } catch (IOException e) {
            return null;
        }
    }
}
