package dev.llmgateway.keycloak.config;

import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

/** Our own SPI, so every setting of the extension lives under {@code spi-llm-gateway--default--*}. */
public class LlmGatewaySpi implements Spi {

    public static final String NAME = "llm-gateway";

    @Override
    public boolean isInternal() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public Class<? extends Provider> getProviderClass() {
        return LlmGatewayConfig.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends ProviderFactory> getProviderFactoryClass() {
        return LlmGatewayConfigFactory.class;
    }
}
