package dev.llmgateway.keycloak.byok;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.vendor.ConnectionResult;

/**
 * The answer of {@code POST /realms/{realm}/llm/me/keys/{type}/test}: {@code models_available} on success,
 * {@code error} and {@code error_code} on failure (the others left out). Schema {@code UserKeyTestResult} of
 * docs/openapi/realm-llm-api.yaml.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyTestResult(
        @JsonProperty("success") boolean success,
        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("models_available") Integer modelsAvailable,
        @JsonProperty("error") String error,
        @JsonProperty("error_code") String errorCode) {

    static KeyTestResult of(ConnectionResult result) {
        return result.success()
                ? new KeyTestResult(true, result.latencyMs(), result.models().size(), null, null)
                : new KeyTestResult(false, result.latencyMs(), null, result.error(), result.errorCode());
    }
}
