package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import dev.llmgateway.keycloak.core.TierPrices;

/**
 * One well-known model: list prices in USD per 1M tokens (cache-write prices, 5-minute and 1-hour, only where the
 * vendor bills cache writes apart, as Anthropic does), prices of processing tiers billed apart (OpenAI's priority and
 * flex), context window and a relative quality score (0-100).
 */
public record CatalogEntry(
        String vendor,
        String id,
        String name,
        BigDecimal inputPrice,
        BigDecimal outputPrice,
        BigDecimal cachedInputPrice,
        BigDecimal cacheWriteInputPrice,
        BigDecimal cacheWrite1hInputPrice,
        Integer contextWindow,
        Integer quality,
        List<String> aliases,
        Map<String, TierPrices> serviceTiers) {

    public CatalogEntry {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        serviceTiers = serviceTiers == null ? TierPrices.NONE : Map.copyOf(serviceTiers);
    }

    /** An entry without tier prices. */
    public CatalogEntry(
            String vendor,
            String id,
            String name,
            BigDecimal inputPrice,
            BigDecimal outputPrice,
            BigDecimal cachedInputPrice,
            BigDecimal cacheWriteInputPrice,
            BigDecimal cacheWrite1hInputPrice,
            Integer contextWindow,
            Integer quality,
            List<String> aliases) {
        this(
                vendor,
                id,
                name,
                inputPrice,
                outputPrice,
                cachedInputPrice,
                cacheWriteInputPrice,
                cacheWrite1hInputPrice,
                contextWindow,
                quality,
                aliases,
                TierPrices.NONE);
    }
}
