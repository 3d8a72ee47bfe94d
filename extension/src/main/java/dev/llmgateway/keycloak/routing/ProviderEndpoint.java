package dev.llmgateway.keycloak.routing;

import dev.llmgateway.keycloak.provider.ProviderType;

/** How to reach one provider: the key stays sealed until the moment of the call. */
public record ProviderEndpoint(String providerId, String name, ProviderType type, String baseUrl, String sealedKey,
                               String keyContext) {
}
