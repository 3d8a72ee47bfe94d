package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.util.List;

/**
 * One well-known model: list prices in USD per 1M tokens (a cache-write price only where the vendor bills cache writes
 * apart, as Anthropic does), context window and a relative quality score (0-100).
 */
public record CatalogEntry(
        String vendor,
        String id,
        String name,
        BigDecimal inputPrice,
        BigDecimal outputPrice,
        BigDecimal cachedInputPrice,
        BigDecimal cacheWriteInputPrice,
        Integer contextWindow,
        Integer quality,
        List<String> aliases) {}
