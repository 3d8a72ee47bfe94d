package dev.llmgateway.keycloak.config;

import org.keycloak.provider.ProviderFactory;

public interface LlmGatewayConfigFactory extends ProviderFactory<LlmGatewayConfig> {
}
