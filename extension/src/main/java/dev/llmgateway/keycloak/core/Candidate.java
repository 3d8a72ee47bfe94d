package dev.llmgateway.keycloak.core;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One (provider, model) pair the gateway could call. Prices in USD per 1M tokens; quality 0-100; null when unknown.
 * Priority 1-100, higher is tried first among equals. {@code names} are the names the model answers to: its id at the
 * provider, that id without a date suffix, and its catalogue id and aliases (so {@code claude-3-5-haiku} names the
 * vendor's {@code claude-3-5-haiku-latest} and {@code claude-3-5-haiku-20241022}). {@code serviceTiers}: the prices
 * of the vendor's processing tiers that are priced apart, by tier name. {@code mode}: what the model does, {@link
 * ModelMode#CHAT} or {@link ModelMode#EMBEDDINGS} (the catalogue's word, else {@link ModelMode#guess} from its id).
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
        BigDecimal cacheWrite1hPrice,
        Integer quality,
        Set<String> names,
        Map<String, TierPrices> serviceTiers,
        String mode) {

    public Candidate {
        Set<String> all = new HashSet<>();
        all.add(modelId);
        if (names != null) {
            all.addAll(names);
        }
        names = Set.copyOf(all);
        serviceTiers = serviceTiers == null ? TierPrices.NONE : Map.copyOf(serviceTiers);
        mode = mode == null ? ModelMode.guess(modelId) : mode;
    }

    /** A candidate whose mode is guessed from its model id. */
    public Candidate(
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
            BigDecimal cacheWrite1hPrice,
            Integer quality,
            Set<String> names,
            Map<String, TierPrices> serviceTiers) {
        this(
                providerId,
                providerName,
                providerType,
                priority,
                autoFallback,
                modelId,
                inputPrice,
                outputPrice,
                cachedInputPrice,
                cacheWritePrice,
                cacheWrite1hPrice,
                quality,
                names,
                serviceTiers,
                null);
    }

    /** A candidate without tier prices. */
    public Candidate(
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
            BigDecimal cacheWrite1hPrice,
            Integer quality,
            Set<String> names) {
        this(
                providerId,
                providerName,
                providerType,
                priority,
                autoFallback,
                modelId,
                inputPrice,
                outputPrice,
                cachedInputPrice,
                cacheWritePrice,
                cacheWrite1hPrice,
                quality,
                names,
                TierPrices.NONE);
    }

    /** A candidate that answers to its model id only. */
    public Candidate(
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
        this(
                providerId,
                providerName,
                providerType,
                priority,
                autoFallback,
                modelId,
                inputPrice,
                outputPrice,
                cachedInputPrice,
                cacheWritePrice,
                null,
                quality,
                Set.of(modelId));
    }

    /** Whether the model answers to {@code name}; a name ending in {@code *} is a prefix of any of its names. */
    public boolean answersTo(String name) {
        if (name.endsWith("*")) {
            String prefix = name.substring(0, name.length() - 1);
            return names.stream().anyMatch(n -> n.startsWith(prefix));
        }
        return names.contains(name);
    }

    /** Whether this is an embedding model: it serves {@code /v1/embeddings}, and no chat. */
    public boolean embeddings() {
        return ModelMode.EMBEDDINGS.equals(mode);
    }

    /** Mean of input and output price, or null when unpriced. */
    public BigDecimal blendedPrice() {
        return inputPrice == null || outputPrice == null
                ? null
                : inputPrice.add(outputPrice).divide(BigDecimal.valueOf(2));
    }
}
