package dev.llmgateway.keycloak.powerlevel;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.RateLimits;

/**
 * Which models a level reaches by its own rule: those whose blended price is at most {@code price_ceiling} (USD per
 * 1M tokens), plus those named in {@code models} whatever their price ({@code "claude-opus-*"} names a prefix; a name matches a model by its
 * id, its catalogue id and aliases or its dated variants, see {@link Candidate#answersTo},
 * {@code "*"} every model, priced or not). Unpriced models are reached only by name. An optional monthly budget per
 * user (USD) and rate limits for each of its users ({@code limits}). A user of a level also reaches what the levels below it reach ({@link PowerLevels#allows}). Null
 * fields are left out of JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PowerLevel(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("description") String description,
        @JsonProperty("color") String color,

        @JsonProperty("price_ceiling") @JsonSerialize(using = Decimals.PlainSerializer.class)
        BigDecimal priceCeiling,

        @JsonProperty("models") List<String> models,

        @JsonProperty("monthly_budget") @JsonSerialize(using = Decimals.PlainSerializer.class)
        BigDecimal monthlyBudget,

        @JsonProperty("limits") RateLimits limits) {

    /** Amounts without trailing zeros, however they were stored or sent; JSON shows them plain (1.5, never 1.50000000). */
    public PowerLevel {
        priceCeiling = Decimals.stripped(priceCeiling);
        monthlyBudget = Decimals.stripped(monthlyBudget);
        limits = limits == null ? null : limits.orNull();
    }

    /** A level without rate limits. */
    public PowerLevel(
            String id,
            String name,
            String description,
            String color,
            BigDecimal priceCeiling,
            List<String> models,
            BigDecimal monthlyBudget) {
        this(id, name, description, color, priceCeiling, models, monthlyBudget, null);
    }

    public boolean allows(Candidate c) {
        if (models != null) {
            for (String m : models) {
                if (c.answersTo(m)) {
                    return true;
                }
            }
        }
        BigDecimal price = c.blendedPrice();
        return priceCeiling != null && price != null && price.compareTo(priceCeiling) <= 0;
    }
}
