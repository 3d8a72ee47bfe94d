package dev.llmgateway.keycloak.core;

import java.math.BigDecimal;

/**
 * One (provider, model) pair the gateway could call. Prices in USD per 1M tokens; quality 0-100; null when unknown.
 * Priority 1-100, higher is tried first among equals.
 */
public record Candidate(
        String providerId,
        String providerName,
        String providerType,
        int priority,
        boolean autoFallback,
        String modelId,
        BigDecimal inputPrice,
        BigDecimal outputPrice,
        BigDecimal cachedInputPrice,
        BigDecimal cacheWritePrice,
        Integer quality) {

    /** Mean of input and output price, or null when unpriced. */
    public BigDecimal blendedPrice() {
        return inputPrice == null || outputPrice == null
                ? null
                : inputPrice.add(outputPrice).divide(BigDecimal.valueOf(2));
    }
}
