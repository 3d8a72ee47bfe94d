package dev.llmgateway.keycloak.core;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token counts of one completion, OpenAI's way: cached (cache-read) tokens are part of the prompt tokens, reasoning
 * tokens part of the completion tokens. Cache-write tokens (Anthropic) are part of the prompt tokens too, and
 * {@code cacheWrite1hTokens} the part of them written to the 1-hour cache (billed higher than 5-minute writes).
 * {@code serviceTier} is the processing tier the vendor says served the call (OpenAI's {@code priority} and {@code
 * flex} are priced apart), null when it said none; {@code vendorCost} the cost in USD the vendor itself reports
 * (OpenRouter's {@code usage.cost}), null when it reports none.
 */
public record Usage(
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long reasoningTokens,
        long cacheWriteTokens,
        long cacheWrite1hTokens,
        String serviceTier,
        BigDecimal vendorCost) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0);

    /** Without a service tier or a vendor-reported cost. */
    public Usage(
            long promptTokens,
            long completionTokens,
            long cachedTokens,
            long reasoningTokens,
            long cacheWriteTokens,
            long cacheWrite1hTokens) {
        this(
                promptTokens,
                completionTokens,
                cachedTokens,
                reasoningTokens,
                cacheWriteTokens,
                cacheWrite1hTokens,
                null,
                null);
    }

    /** Without 1-hour cache writes. */
    public Usage(
            long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, long cacheWriteTokens) {
        this(promptTokens, completionTokens, cachedTokens, reasoningTokens, cacheWriteTokens, 0);
    }

    public Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
        this(promptTokens, completionTokens, cachedTokens, reasoningTokens, 0);
    }

    /**
     * The usage of an OpenAI-format completion or chunk: its {@code usage} object, and the {@code service_tier} beside
     * it.
     */
    public static Usage fromOpenAiCompletion(JsonNode completion) {
        Usage u = fromOpenAi(completion.get("usage"));
        JsonNode tier = completion.get("service_tier");
        return tier == null || !tier.isTextual() ? u : u.withServiceTier(tier.asText());
    }

    /**
     * An OpenAI-format {@code usage} object. Vendors add their own fields: OpenRouter its cache writes ({@code
     * prompt_tokens_details.cache_write_tokens}) and what it charged ({@code cost}).
     */
    public static Usage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        JsonNode cost = usage.get("cost");
        return new Usage(
                usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0),
                cachedTokens(usage),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0),
                // Ours (what the gateway answers for Anthropic models), or OpenRouter's name for cache writes.
                Math.max(
                        usage.path("prompt_tokens_details")
                                .path("cache_creation_input_tokens")
                                .asLong(0),
                        usage.path("prompt_tokens_details")
                                .path("cache_write_tokens")
                                .asLong(0)),
                0,
                null,
                cost != null && cost.isNumber() ? cost.decimalValue().stripTrailingZeros() : null);
    }

    /**
     * Cached prompt tokens: OpenAI's {@code prompt_tokens_details.cached_tokens}, or the spellings Mistral's schema
     * also allows ({@code prompt_token_details.cached_tokens}, {@code num_cached_tokens}).
     */
    private static long cachedTokens(JsonNode usage) {
        JsonNode v = usage.path("prompt_tokens_details").get("cached_tokens");
        if (v == null || !v.canConvertToLong()) {
            v = usage.path("prompt_token_details").get("cached_tokens");
        }
        if (v == null || !v.canConvertToLong()) {
            v = usage.get("num_cached_tokens");
        }
        return v == null || !v.canConvertToLong() ? 0 : v.asLong();
    }

    public Usage withServiceTier(String tier) {
        return new Usage(
                promptTokens,
                completionTokens,
                cachedTokens,
                reasoningTokens,
                cacheWriteTokens,
                cacheWrite1hTokens,
                tier,
                vendorCost);
    }
}
