package dev.llmgateway.keycloak.byok;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One row of {@code GET /realms/{realm}/llm/me/keys} (and the answer of {@code PUT …/me/keys/{type}}): the caller's
 * key for one provider type, set or not. Never the key itself, only its hint. Fields without a value are left out.
 * Schema {@code UserKey} of docs/openapi/realm-llm-api.yaml.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserKey(
        @JsonProperty("provider_type") String providerType,
        @JsonProperty("display_name") String displayName,
        @JsonProperty("offered") boolean offered,
        @JsonProperty("set") boolean set,
        @JsonProperty("hint") String hint,
        @JsonProperty("created_at") Long createdAt,
        @JsonProperty("updated_at") Long updatedAt,
        @JsonProperty("last_used_at") Long lastUsedAt,
        @JsonProperty("last_test") LastTest lastTest) {

    /** The last test of the key: a test the user ran, or the vendor's refusal of it in a gateway call. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LastTest(
            @JsonProperty("at") Long at,
            @JsonProperty("success") Boolean success,
            @JsonProperty("latency_ms") Long latencyMs,
            @JsonProperty("error") String error) {}

    /** The row of a type, from the user's key of that type or {@code null} when they have none. */
    static UserKey of(String type, LlmUserKeyEntity k, boolean offered) {
        if (k == null) {
            return new UserKey(type, UserKeyService.displayName(type), offered, false, null, null, null, null, null);
        }
        LastTest test = k.getLastTestAt() == null
                ? null
                : new LastTest(k.getLastTestAt(), k.getLastTestOk(), k.getLastTestLatencyMs(), k.getLastTestError());
        return new UserKey(
                type,
                UserKeyService.displayName(type),
                offered,
                true,
                k.getKeyHint(),
                k.getCreatedAt(),
                k.getUpdatedAt(),
                k.getLastUsedAt(),
                test);
    }
}
