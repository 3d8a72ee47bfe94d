package dev.llmgateway.keycloak.core;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token counts of one completion, OpenAI's way: cached (cache-read) tokens are part of the prompt tokens, reasoning
 * tokens part of the completion tokens. Cache-write tokens (Anthropic) are part of the prompt tokens too, and
 * {@code cacheWrite1hTokens} the part of them written to the 1-hour cache (billed higher than 5-minute writes).
 */
public record Usage(
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long reasoningTokens,
        long cacheWriteTokens,
        long cacheWrite1hTokens) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0);

    /** Without 1-hour cache writes. */
    public Usage(
            long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, long cacheWriteTokens) {
        this(promptTokens, completionTokens, cachedTokens, reasoningTokens, cacheWriteTokens, 0);
    }

    public Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
        this(promptTokens, completionTokens, cachedTokens, reasoningTokens, 0);
    }

    public static Usage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return NONE;
        }
        return new Usage(
                usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0),
                // Ours (what the gateway answers for Anthropic models), or OpenRouter's name for cache writes.
                Math.max(
                        usage.path("prompt_tokens_details")
                                .path("cache_creation_input_tokens")
                                .asLong(0),
                        usage.path("prompt_tokens_details")
                                .path("cache_write_tokens")
                                .asLong(0)));
    }
}
