package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.TierPrices;
import dev.llmgateway.keycloak.core.Usage;

/**
 * The cost of one call in USD, exact (BigDecimal, no rounding): prices are per 1M tokens. Cache-read tokens are
 * priced at the cached-input price (the input price where the model has none), cache-write tokens at the cache-write
 * price (the input price where the model has none), those written to the 1-hour cache at the 1-hour cache-write price
 * (the cache-write price where the model has none), the rest of the prompt at the input price, and the completion
 * (reasoning included, as vendors bill it) at the output price. Unpriced models cost null, not zero.
 */
public final class Pricing {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private Pricing() {}

    /**
     * The cost of a call to a candidate, at its prices; at the prices of the processing tier the vendor says served it
     * where the candidate prices that tier apart.
     */
    public static BigDecimal cost(Usage usage, Candidate c) {
        TierPrices tier =
                usage.serviceTier() == null ? null : c.serviceTiers().get(TierPrices.name(usage.serviceTier()));
        if (tier != null && tier.inputPrice() != null && tier.outputPrice() != null) {
            return cost(usage, tier.inputPrice(), tier.outputPrice(), tier.cachedInputPrice(), null, null);
        }
        return cost(
                usage,
                c.inputPrice(),
                c.outputPrice(),
                c.cachedInputPrice(),
                c.cacheWritePrice(),
                c.cacheWrite1hPrice());
    }

    public static BigDecimal cost(
            Usage usage,
            BigDecimal inputPrice,
            BigDecimal outputPrice,
            BigDecimal cachedInputPrice,
            BigDecimal cacheWritePrice) {
        return cost(usage, inputPrice, outputPrice, cachedInputPrice, cacheWritePrice, null);
    }

    public static BigDecimal cost(
            Usage usage,
            BigDecimal inputPrice,
            BigDecimal outputPrice,
            BigDecimal cachedInputPrice,
            BigDecimal cacheWritePrice,
            BigDecimal cacheWrite1hPrice) {
        if (inputPrice == null || outputPrice == null) {
            return null;
        }
        long cached = Math.min(usage.cachedTokens(), usage.promptTokens());
        long written = Math.min(usage.cacheWriteTokens(), usage.promptTokens() - cached);
        long written1h = Math.min(usage.cacheWrite1hTokens(), written);
        long plain = usage.promptTokens() - cached - written;
        BigDecimal cachedPrice = cachedInputPrice != null ? cachedInputPrice : inputPrice;
        BigDecimal writePrice = cacheWritePrice != null ? cacheWritePrice : inputPrice;
        BigDecimal write1hPrice = cacheWrite1hPrice != null ? cacheWrite1hPrice : writePrice;
        BigDecimal perMillion = inputPrice
                .multiply(BigDecimal.valueOf(plain))
                .add(cachedPrice.multiply(BigDecimal.valueOf(cached)))
                .add(writePrice.multiply(BigDecimal.valueOf(written - written1h)))
                .add(write1hPrice.multiply(BigDecimal.valueOf(written1h)))
                .add(outputPrice.multiply(BigDecimal.valueOf(usage.completionTokens())));
        return perMillion.divide(MILLION).stripTrailingZeros();
    }
}
