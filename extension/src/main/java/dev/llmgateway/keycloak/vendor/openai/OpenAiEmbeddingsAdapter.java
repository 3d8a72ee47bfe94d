package dev.llmgateway.keycloak.vendor.openai;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.vendor.ApiKeys;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.EmbeddingsAnswer;
import dev.llmgateway.keycloak.vendor.EmbeddingsRequest;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;

/**
 * OpenAI's embeddings wire format, {@code POST {base}/embeddings}, for one call. OpenAI, OpenRouter and custom
 * endpoints get the caller's body as it is (with the vendor's model id, and without the Cohere-only {@code
 * input_type}), {@code encoding_format} included; Mistral and Together get only what their APIs take ({@code model},
 * {@code input}; Mistral's {@code output_dimension} for {@code dimensions}), as floats, which the gateway encodes in
 * base64 itself when the caller asked for it. Neither takes token ids; Together takes no {@code dimensions}.
 */
public final class OpenAiEmbeddingsAdapter implements ChatAdapter {

    private static final ObjectMapper JSON = Json.MAPPER;

    private final EmbeddingsRequest caller;

    public OpenAiEmbeddingsAdapter(EmbeddingsRequest caller) {
        this.caller = caller;
    }

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout) {
        ObjectNode body = body(endpoint.type(), vendorModel);
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base(endpoint) + "/embeddings"))
                    .timeout(timeout);
            return ApiKeys.authorize(builder, endpoint.type(), apiKey)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    ObjectNode body(ProviderType type, String vendorModel) {
        String vendor = type.displayName();
        if (type == ProviderType.MISTRAL || type == ProviderType.TOGETHER) {
            if (caller.tokenIds()) {
                throw new UnsupportedRequestException("input", vendor + " embeds text only, not token ids");
            }
            if (type == ProviderType.TOGETHER && caller.dimensions() != null) {
                throw new UnsupportedRequestException(
                        "dimensions", vendor + " cannot shorten embeddings: leave 'dimensions' out");
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("model", vendorModel);
            body.set("input", caller.body().get("input"));
            if (caller.dimensions() != null) {
                body.put("output_dimension", caller.dimensions());
            }
            return body;
        }
        ObjectNode body = caller.body().deepCopy();
        body.put("model", vendorModel);
        body.remove("input_type");
        return body;
    }

    static String base(ProviderEndpoint endpoint) {
        String base = endpoint.baseUrl();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @Override
    public ChatResult parse(byte[] body) {
        return EmbeddingsAnswer.ofOpenAi(body, caller);
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest request) {
        throw new UnsupportedOperationException("embeddings are not streamed");
    }
}
