package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.util.List;

/**
 * One well-known model: list prices in USD per 1M tokens (cache-write prices, 5-minute and 1-hour, only where the
 * vendor bills cache writes apart, as Anthropic does), context window and a relative quality score (0-100).
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
        List<String> aliases) {}
