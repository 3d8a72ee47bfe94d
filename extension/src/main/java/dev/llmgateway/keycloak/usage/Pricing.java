package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;

import dev.llmgateway.keycloak.gateway.Usage;

/**
 * The cost of one call in USD, exact (BigDecimal, no rounding): prices are per 1M tokens. Cache-read tokens are
 * priced at the cached-input price (the input price where the model has none), cache-write tokens at the input
 * price, the rest of the prompt at the input price, and the completion (reasoning included, as vendors bill it) at
 * the output price. Unpriced models cost null, not zero.
 */
public final class Pricing {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private Pricing() {
    }

    public static BigDecimal cost(Usage usage, BigDecimal inputPrice, BigDecimal outputPrice, BigDecimal cachedInputPrice) {
        if (inputPrice == null || outputPrice == null) {
            return null;
        }
        long cached = Math.min(usage.cachedTokens(), usage.promptTokens());
        long uncached = Math.max(0, usage.promptTokens() - cached);
        BigDecimal cachedPrice = cachedInputPrice != null ? cachedInputPrice : inputPrice;
        BigDecimal perMillion = inputPrice.multiply(BigDecimal.valueOf(uncached))
                .add(cachedPrice.multiply(BigDecimal.valueOf(cached)))
                .add(outputPrice.multiply(BigDecimal.valueOf(usage.completionTokens())));
        return perMillion.divide(MILLION).stripTrailingZeros();
    }
}
