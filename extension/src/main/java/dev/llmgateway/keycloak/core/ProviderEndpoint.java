package dev.llmgateway.keycloak.core;

/** How to reach one provider: the key stays sealed until the moment of the call. */
public record ProviderEndpoint(
        String providerId, String name, ProviderType type, String baseUrl, String sealedKey, String keyContext) {}
