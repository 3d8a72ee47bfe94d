package dev.llmgateway.keycloak.powerlevel;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.routing.Candidate;

/**
 * Which models a user may reach: those whose blended price is at most {@code price_ceiling} (USD per 1M tokens),
 * plus those named in {@code models}, whatever their price. An optional monthly budget per user (USD).
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
        if (models != null && models.contains(c.modelId())) {
            return true;
        }
        BigDecimal price = c.blendedPrice();
        return priceCeiling != null && price != null && price.compareTo(priceCeiling) <= 0;
    }
}
