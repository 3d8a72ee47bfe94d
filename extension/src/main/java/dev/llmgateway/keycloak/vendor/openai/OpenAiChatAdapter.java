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
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.ApiKeys;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * The OpenAI Chat Completions wire format, spoken by OpenAI, OpenRouter, Together AI, Groq, Mistral, the HuggingFace
 * router, Cohere's compatibility API and custom endpoints: the body passes through with the vendor's model id.
 */
public final class OpenAiChatAdapter implements ChatAdapter {

    private static final ObjectMapper JSON = Json.MAPPER;

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout) {
        // Attempts of one call run one after another, so the request's own body can carry each attempt's model.
        ObjectNode body = request.body();
        body.put("model", vendorModel);
        if (request.stream()) {
            // Usage is always asked for, so the ledger has it even when the caller did not ask.
            body.put("stream", true);
            // The caller's other stream options (include_obfuscation …) go to the vendor as they are.
            JsonNode options = body.get("stream_options");
            (options instanceof ObjectNode o ? o : body.putObject("stream_options")).put("include_usage", true);
        } else {
            body.remove("stream_options");
            body.put("stream", false);
        }
        try {
            HttpRequest.Builder builder =
                    HttpRequest.newBuilder(URI.create(chatUrl(endpoint))).timeout(timeout);
            return ApiKeys.authorize(builder, endpoint.type(), apiKey)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String chatUrl(ProviderEndpoint endpoint) {
        String base = endpoint.baseUrl().endsWith("/")
                ? endpoint.baseUrl().substring(0, endpoint.baseUrl().length() - 1)
                : endpoint.baseUrl();
        // Cohere's native API lists models; its OpenAI compatibility API serves chat.
        return base
                + (endpoint.type() == ProviderType.COHERE ? "/compatibility/v1/chat/completions" : "/chat/completions");
    }

    @Override
    public ChatResult parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject() || !node.has("choices")) {
                throw new IllegalArgumentException("not a chat completion");
            }
            return new ChatResult((ObjectNode) node, Usage.fromOpenAiCompletion(node), body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest request) {
        return new OpenAiStreamTranslator(request.includeUsage());
    }
}
