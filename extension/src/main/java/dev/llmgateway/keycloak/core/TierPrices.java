package dev.llmgateway.keycloak.core;

import java.math.BigDecimal;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A model's prices on one of a vendor's processing tiers (OpenAI's {@code priority} and {@code flex}), USD per 1M
 * tokens. A call the vendor says it served on that tier ({@code service_tier} in its answer) is priced with these;
 * a null cached price means the tier's input price.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TierPrices(
        @JsonProperty("input_price") BigDecimal inputPrice,
        @JsonProperty("output_price") BigDecimal outputPrice,
        @JsonProperty("cached_input_price") BigDecimal cachedInputPrice) {

    /** The tiers priced apart; the others (OpenAI's {@code default}, {@code auto}, {@code scale}) use the list price. */
    public static final java.util.List<String> NAMES = java.util.List.of("priority", "flex");

    public static final Map<String, TierPrices> NONE = Map.of();

    /** The tier a vendor's {@code service_tier} names: OpenAI renamed {@code priority} "fast" in 2026 and takes both. */
    public static String name(String serviceTier) {
        return "fast".equals(serviceTier) ? "priority" : serviceTier;
    }
}
