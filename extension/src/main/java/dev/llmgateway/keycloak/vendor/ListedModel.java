package dev.llmgateway.keycloak.vendor;

import java.math.BigDecimal;

/** A model as a vendor's list-models call describes it; prices (USD per 1M tokens) only where the vendor states them. */
public record ListedModel(
        String id,
        String displayName,
        Integer contextWindow,
        BigDecimal inputPrice,
        BigDecimal outputPrice,
        BigDecimal cachedInputPrice,
        BigDecimal cacheWritePrice) {

    /** Without a cache-write price. */
    public ListedModel(
            String id,
            String displayName,
            Integer contextWindow,
            BigDecimal inputPrice,
            BigDecimal outputPrice,
            BigDecimal cachedInputPrice) {
        this(id, displayName, contextWindow, inputPrice, outputPrice, cachedInputPrice, null);
    }

    public static ListedModel named(String id) {
        return new ListedModel(id, null, null, null, null, null, null);
    }
}
