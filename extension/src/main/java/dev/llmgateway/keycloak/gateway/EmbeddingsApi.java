package dev.llmgateway.keycloak.gateway;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.time.Duration;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.CohereEmbedAdapter;
import dev.llmgateway.keycloak.vendor.EmbeddingsRequest;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;
import dev.llmgateway.keycloak.vendor.openai.OpenAiEmbeddingsAdapter;

/**
 * OpenAI's Embeddings API ({@code POST /v1/embeddings}), for one call: only embedding models serve it. OpenAI,
 * OpenRouter, Together, Mistral and custom endpoints speak OpenAI's embeddings format, Cohere its own embed API;
 * Anthropic, Groq and the Hugging Face router offer no embeddings API, so their models are skipped. One instance
 * serves one call: {@link #read} reads the caller's request, which its adapters translate.
 */
public final class EmbeddingsApi implements InboundApi {

    public static final String KIND = "embeddings";

    private EmbeddingsRequest request;
    private OpenAiEmbeddingsAdapter openAi;
    private CohereEmbedAdapter cohere;

    public EmbeddingsApi() {}

    public EmbeddingsApi(EmbeddingsRequest request) {
        this.request = request;
    }

    /** Reads and checks the caller's request ({@link EmbeddingsRequest#read}); the request the gateway routes. */
    public ChatRequest read(InputStream body, int maxBytes) {
        request = EmbeddingsRequest.read(body, maxBytes);
        return request.routed();
    }

    public EmbeddingsRequest request() {
        return request;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public ChatAdapter adapter(ProviderType type) {
        return switch (type) {
            case OPENAI, OPENROUTER, TOGETHER, MISTRAL, CUSTOM -> {
                if (openAi == null) {
                    openAi = new OpenAiEmbeddingsAdapter(request);
                }
                yield openAi;
            }
            case COHERE -> {
                if (cohere == null) {
                    cohere = new CohereEmbedAdapter(request);
                }
                yield cohere;
            }
            case ANTHROPIC, GROQ, HUGGINGFACE -> new NoEmbeddings(type);
        };
    }

    @Override
    public boolean serves(Candidate candidate) {
        return candidate.embeddings();
    }

    @Override
    public String notServed(String model) {
        return "The model " + model + " is not an embedding model: /v1/embeddings needs one (GET /v1/models lists "
                + "what each model can do in 'capabilities').";
    }

    /** A vendor without an embeddings API: its candidates are skipped. */
    private record NoEmbeddings(ProviderType type) implements ChatAdapter {

        @Override
        public HttpRequest request(
                ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout) {
            throw new UnsupportedRequestException("model", type.displayName() + " offers no embeddings API");
        }

        @Override
        public ChatResult parse(byte[] body) {
            throw new IllegalArgumentException("no embeddings API");
        }

        @Override
        public StreamTranslator streamTranslator(ChatRequest request) {
            throw new UnsupportedOperationException("embeddings are not streamed");
        }
    }
}
