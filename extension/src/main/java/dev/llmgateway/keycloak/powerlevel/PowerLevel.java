package dev.llmgateway.keycloak.powerlevel;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Candidate;

/**
 * Which models a level reaches by its own rule: those whose blended price is at most {@code price_ceiling} (USD per
 * 1M tokens), plus those named in {@code models} whatever their price ({@code "claude-opus-*"} names a prefix,
 * {@code "*"} every model, priced or not). Unpriced models are reached only by name. An optional monthly budget per
 * user (USD). A user of a level also reaches what the levels below it reach ({@link PowerLevels#allows}).
 */
public record PowerLevel(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("description") String description,
        @JsonProperty("color") String color,
        @JsonProperty("price_ceiling") BigDecimal priceCeiling,
        @JsonProperty("models") List<String> models,
        @JsonProperty("monthly_budget") BigDecimal monthlyBudget) {

    public boolean allows(Candidate c) {
        if (models != null) {
            for (String m : models) {
                if (m.endsWith("*") ? c.modelId().startsWith(m.substring(0, m.length() - 1)) : m.equals(c.modelId())) {
                    return true;
                }
            }
        }
        BigDecimal price = c.blendedPrice();
        return priceCeiling != null && price != null && price.compareTo(priceCeiling) <= 0;
    }
}
