package dev.llmgateway.keycloak.gateway;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.vendor.ChatAdapter;

/**
 * An API the gateway serves to callers (Chat Completions, Embeddings, Anthropic Messages, Responses): one routing,
 * key, budget, limit, fallback and ledger pipeline, with what differs per API here.
 */
public interface InboundApi {

    /** The ledger's call kind of this API: {@code chat}, {@code embeddings}, {@code messages}, {@code responses}. */
    String kind();

    /**
     * The adapter for a vendor of this type. Its {@code request} builds the vendor request from the routed request
     * (an {@link dev.llmgateway.keycloak.vendor.UnsupportedRequestException} skips the candidate); {@code parse} and
     * {@code streamTranslator} turn the vendor's answer into this API's shape.
     */
    ChatAdapter adapter(ProviderType type);

    /** Whether a routed candidate can serve this API (embeddings: embedding models only). */
    default boolean serves(Candidate candidate) {
        return true;
    }

    /**
     * Whether callers may send their access token as {@code x-api-key} instead of {@code Authorization: Bearer}
     * (Anthropic's SDKs and Claude Code send an API key there).
     */
    default boolean tokenInApiKeyHeader() {
        return false;
    }

    /** Why a model its providers offer cannot serve this API ({@code model} quoted), for a 400. */
    default String notServed(String model) {
        return "The model " + model + " cannot serve " + kind() + " requests.";
    }

    /**
     * The caller's error body in this API's shape, from the gateway's OpenAI-shaped one
     * ({@code {"error":{"message","type","param","code"}}}) answered with {@code status}.
     */
    default byte[] errorBody(int status, byte[] openAiError) {
        return openAiError;
    }

    /** Chat Completions: OpenAI's format to the caller, each vendor's own on the wire. */
    InboundApi CHAT = new InboundApi() {
        @Override
        public String kind() {
            return "chat";
        }

        @Override
        public ChatAdapter adapter(ProviderType type) {
            return ChatAdapters.forType(type);
        }
    };
}
