package dev.llmgateway.keycloak.rest.realm;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer of {@code POST /realms/{realm}/llm/usage/events} (202): how many events were recorded. Schema
 * {@code UsageAccepted} of docs/openapi/realm-llm-api.yaml.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageAccepted(
        @JsonProperty("success") boolean success,
        @JsonProperty("accepted") int accepted) {}
