package dev.llmgateway.keycloak.vendor.openai;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.vendor.ApiKeys;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * The Responses API at OpenAI itself: the caller's body goes to the vendor's {@code /responses} with the vendor's model
 * id and {@code store: false} (the gateway could not serve what OpenAI kept), and the answer, streamed or not, comes
 * back as OpenAI sent it. The usage is read from the response object ({@code usage.input_tokens} …), in a stream from
 * its closing event.
 */
public final class ResponsesPassThroughAdapter implements ChatAdapter {

    private static final ObjectMapper JSON = Json.MAPPER;

    private final ResponsesRequest request;

    public ResponsesPassThroughAdapter(ResponsesRequest request) {
        this.request = request;
    }

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest chat, Duration timeout) {
        ObjectNode body = request.body().deepCopy();
        body.put("model", vendorModel);
        body.put("store", false);
        if (chat.stream()) {
            body.put("stream", true);
        } else {
            body.remove("stream");
            body.remove("stream_options");
        }
        try {
            HttpRequest.Builder builder =
                    HttpRequest.newBuilder(URI.create(responsesUrl(endpoint))).timeout(timeout);
            return ApiKeys.authorize(builder, endpoint.type(), apiKey)
                    .header("Content-Type", "application/json")
                    .header("Accept", chat.stream() ? "text/event-stream" : "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String responsesUrl(ProviderEndpoint endpoint) {
        String base = endpoint.baseUrl();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/responses";
    }

    @Override
    public ChatResult parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject() || !node.path("output").isArray()) {
                throw new IllegalArgumentException("not a response object");
            }
            return new ChatResult((ObjectNode) node, ResponsesObjects.usageOf(node), body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest chat) {
        return new ResponsesPassThroughStream();
    }
}
