package dev.llmgateway.keycloak.core;

/**
 * How to reach one provider: the key stays sealed until the moment of the call. {@code limits} protect the
 * organisation's quota at the vendor (null: none).
 */
public record ProviderEndpoint(
        String providerId,
        String name,
        ProviderType type,
        String baseUrl,
        String sealedKey,
        String keyContext,
        RateLimits limits) {

    public ProviderEndpoint(
            String providerId, String name, ProviderType type, String baseUrl, String sealedKey, String keyContext) {
        this(providerId, name, type, baseUrl, sealedKey, keyContext, null);
    }
}
