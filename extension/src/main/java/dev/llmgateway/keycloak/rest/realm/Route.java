package dev.llmgateway.keycloak.rest.realm;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Candidate;

/**
 * The answer of {@code POST /realms/{realm}/llm/route}: the candidates a gateway call for {@code model} would try now,
 * in order, without keys. Schema {@code Route} of docs/openapi/realm-llm-api.yaml. Fields without a value are left
 * out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Route(
        @JsonProperty("model") String model,
        @JsonProperty("strategy") String strategy,
        @JsonProperty("max_attempts") int maxAttempts,
        @JsonProperty("candidates") List<RouteCandidate> candidates) {

    /** One (provider, model) pair; prices in USD per 1M tokens, quality 0-100. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RouteCandidate(
            @JsonProperty("provider_id") String providerId,
            @JsonProperty("provider_name") String providerName,
            @JsonProperty("provider_type") String providerType,
            @JsonProperty("base_url") String baseUrl,
            @JsonProperty("model") String model,
            @JsonProperty("input_price") BigDecimal inputPrice,
            @JsonProperty("output_price") BigDecimal outputPrice,
            @JsonProperty("cached_input_price") BigDecimal cachedInputPrice,
            @JsonProperty("cache_write_price") BigDecimal cacheWritePrice,
            @JsonProperty("cache_write_1h_price") BigDecimal cacheWrite1hPrice,
            @JsonProperty("quality") Integer quality,
            @JsonProperty("priority") int priority,
            @JsonProperty("auto_fallback") boolean autoFallback,
            @JsonProperty("cooling_down") boolean coolingDown) {

        static RouteCandidate of(Candidate c, String baseUrl, boolean coolingDown) {
            return new RouteCandidate(
                    c.providerId(),
                    c.providerName(),
                    c.providerType(),
                    baseUrl,
                    c.modelId(),
                    c.inputPrice(),
                    c.outputPrice(),
                    c.cachedInputPrice(),
                    c.cacheWritePrice(),
                    c.cacheWrite1hPrice(),
                    c.quality(),
                    c.priority(),
                    c.autoFallback(),
                    coolingDown);
        }
    }
}
