package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import dev.llmgateway.keycloak.core.ModelMode;
import dev.llmgateway.keycloak.core.TierPrices;

/**
 * One well-known model: list prices in USD per 1M tokens (cache-write prices, 5-minute and 1-hour, only where the
 * vendor bills cache writes apart, as Anthropic does), prices of processing tiers billed apart (OpenAI's priority and
 * flex), context window and a relative quality score (0-100). {@code mode}: {@link ModelMode#CHAT} or {@link
 * ModelMode#EMBEDDINGS} (embedding models are priced by their input tokens; their output price is 0); when not given,
 * {@link ModelMode#guess} from the id.
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
        Map<String, TierPrices> serviceTiers,
        String mode) {

    public CatalogEntry {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        serviceTiers = serviceTiers == null ? TierPrices.NONE : Map.copyOf(serviceTiers);
        mode = mode == null ? ModelMode.guess(id) : mode;
    }

    /** An entry whose mode is guessed from its id. */
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
            List<String> aliases,
            Map<String, TierPrices> serviceTiers) {
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
                serviceTiers,
                null);
    }

    /** Whether this is an embedding model. */
    public boolean embeddings() {
        return ModelMode.EMBEDDINGS.equals(mode);
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
