package dev.llmgateway.keycloak.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A completion in OpenAI's shape and its token usage. */
public record ChatResult(ObjectNode response, Usage usage) {
}
