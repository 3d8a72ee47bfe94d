package dev.llmgateway.keycloak.provider;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.core.RateLimits;

/**
 * A provider as the API shows it: the key only as a hint, never in any other form. Null fields ({@code avg_cost},
 * {@code last_tested_at}, {@code last_latency_ms}, {@code last_error}, {@code models}) are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProviderRepresentation(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("type_name") String typeName,
        @JsonProperty("color") String color,
        @JsonProperty("base_url") String baseUrl,
        @JsonProperty("base_url_overridden") boolean baseUrlOverridden,
        @JsonProperty("api_key_hint") String apiKeyHint,
        @JsonProperty("priority") int priority,
        @JsonProperty("auto_fallback") boolean autoFallback,
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("status") String status,
        @JsonProperty("model_count") int modelCount,
        @JsonProperty("avg_cost") BigDecimal avgCost,
        @JsonProperty("models_pinned") boolean modelsPinned,
        @JsonProperty("last_tested_at") Long lastTestedAt,
        @JsonProperty("last_latency_ms") Long lastLatencyMs,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("updated_at") long updatedAt,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("limits")
        RateLimits limits,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("models")
        List<ModelView> models) {}
