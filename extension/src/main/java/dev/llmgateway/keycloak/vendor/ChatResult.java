package dev.llmgateway.keycloak.vendor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Usage;

/** A completion in OpenAI's shape and its token usage. */
public record ChatResult(ObjectNode response, Usage usage) {}
