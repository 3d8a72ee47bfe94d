package dev.llmgateway.keycloak.vendor;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;

/**
 * Cohere's own embed API, {@code POST {base}/v2/embed}, for one OpenAI-shaped embeddings call: {@code input} becomes
 * {@code texts}, {@code dimensions} {@code output_dimension} (Embed v4 only: the v3 models have one size), and {@code
 * input_type}, which Cohere requires, is the caller's {@code input_type} or {@code search_document} (what a retrieval
 * pipeline embeds most: the documents it indexes). Floats are asked for ({@code embedding_types: ["float"]}) and
 * encoded in base64 by the gateway when the caller asked for it. The answer's {@code embeddings.float} and {@code
 * meta.billed_units.input_tokens} become OpenAI's {@code data} and {@code usage}. Token ids, and more than
 * {@link #MAX_TEXTS} texts, Cohere does not take: such requests go to another provider.
 */
public final class CohereEmbedAdapter implements ChatAdapter {

    /** The most texts Cohere embeds in one call. */
    public static final int MAX_TEXTS = 96;

    private static final ObjectMapper JSON = Json.MAPPER;

    private final EmbeddingsRequest caller;
    /** The model of the attempt being answered (attempts of a call run one after another). */
    private String model;

    public CohereEmbedAdapter(EmbeddingsRequest caller) {
        this.caller = caller;
        this.model = caller.model();
    }

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout) {
        ObjectNode body = body(vendorModel);
        model = vendorModel;
        String base = endpoint.baseUrl().endsWith("/")
                ? endpoint.baseUrl().substring(0, endpoint.baseUrl().length() - 1)
                : endpoint.baseUrl();
        try {
            HttpRequest.Builder builder =
                    HttpRequest.newBuilder(URI.create(base + "/v2/embed")).timeout(timeout);
            return ApiKeys.authorize(builder, endpoint.type(), apiKey)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    ObjectNode body(String vendorModel) {
        if (caller.tokenIds()) {
            throw new UnsupportedRequestException("input", "Cohere embeds text only, not token ids");
        }
        if (caller.count() > MAX_TEXTS) {
            throw new UnsupportedRequestException(
                    "input", "Cohere embeds at most " + MAX_TEXTS + " texts per request, not " + caller.count());
        }
        if (caller.dimensions() != null && !vendorModel.toLowerCase(Locale.ROOT).startsWith("embed-v4")) {
            throw new UnsupportedRequestException(
                    "dimensions",
                    "Cohere's " + vendorModel + " has one embedding size: leave 'dimensions' out or use embed-v4.0");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("model", vendorModel);
        ArrayNode texts = body.putArray("texts");
        caller.texts().forEach(texts::add);
        body.put("input_type", caller.inputType());
        body.putArray("embedding_types").add("float");
        if (caller.dimensions() != null) {
            body.put("output_dimension", caller.dimensions());
        }
        return body;
    }

    @Override
    public ChatResult parse(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        JsonNode floats = node == null ? null : node.path("embeddings").get("float");
        if (!(floats instanceof ArrayNode list)) {
            throw new IllegalArgumentException("not an embed answer");
        }
        long tokens =
                node.path("meta").path("billed_units").path("input_tokens").asLong(0);
        return EmbeddingsAnswer.of(list, model, tokens, caller);
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest request) {
        throw new UnsupportedOperationException("embeddings are not streamed");
    }
}
