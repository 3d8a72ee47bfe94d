package dev.llmgateway.keycloak.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A completion in OpenAI's shape and its token counts (cached and reasoning tokens are part of the totals). */
public record ChatResult(ObjectNode response, long promptTokens, long completionTokens, long cachedTokens,
                         long reasoningTokens) {
}
