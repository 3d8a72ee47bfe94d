package dev.llmgateway.keycloak.core;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token counts of one completion, OpenAI's way: cached (cache-read) tokens are part of the prompt tokens, reasoning
 * tokens part of the completion tokens. Cache-write tokens (Anthropic) are part of the prompt tokens too.
 */
public record Usage(
        long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens, long cacheWriteTokens) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, 0);

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
                usage.path("prompt_tokens_details")
                        .path("cache_creation_input_tokens")
                        .asLong(0));
    }
}
