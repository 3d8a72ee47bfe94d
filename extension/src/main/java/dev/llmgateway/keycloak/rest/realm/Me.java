package dev.llmgateway.keycloak.rest.realm;

import java.math.BigDecimal;
import java.util.List;
import java.util.SortedSet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.usage.Budgets;

/**
 * The answer of {@code GET /realms/{realm}/llm/me}: the caller, their power level, this month's budget and the models
 * they reach (sorted). Schema {@code Me} of docs/openapi/realm-llm-api.yaml. Fields without a value are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Me(
        @JsonProperty("user") User user,
        @JsonProperty("power_level") Level powerLevel,
        @JsonProperty("budget") Budget budget,
        @JsonProperty("models") SortedSet<String> models) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(
            @JsonProperty("id") String id,
            @JsonProperty("username") String username) {}

    /** The caller's power level as it reaches models; its budget is under {@code budget}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Level(
            @JsonProperty("id") String id,
            @JsonProperty("name") String name,
            @JsonProperty("description") String description,
            @JsonProperty("color") String color,
            @JsonProperty("price_ceiling") BigDecimal priceCeiling,
            @JsonProperty("models") List<String> models) {

        static Level of(PowerLevel level) {
            return new Level(
                    level.id(),
                    level.name(),
                    level.description(),
                    level.color(),
                    Decimals.plain(level.priceCeiling()),
                    level.models());
        }
    }

    /** USD; {@code month} is yyyy-MM (UTC), {@code resets_on} the first day of the next month. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Budget(
            @JsonProperty("currency") String currency,
            @JsonProperty("month") String month,
            @JsonProperty("monthly_budget") BigDecimal monthlyBudget,
            @JsonProperty("spent") BigDecimal spent,
            @JsonProperty("remaining") BigDecimal remaining,
            @JsonProperty("exhausted") boolean exhausted,
            @JsonProperty("resets_on") String resetsOn) {

        /** The budget of the month of {@code now}, of which {@code spent} is used (amounts in plain form). */
        static Budget of(BigDecimal monthlyBudget, BigDecimal spent, long now) {
            int month = Budgets.month(now);
            return new Budget(
                    "USD",
                    String.format("%04d-%02d", month / 100, month % 100),
                    Decimals.plain(monthlyBudget),
                    Decimals.plain(spent),
                    monthlyBudget == null
                            ? null
                            : Decimals.plain(monthlyBudget.subtract(spent).max(BigDecimal.ZERO)),
                    monthlyBudget != null && spent.compareTo(monthlyBudget) >= 0,
                    Budgets.resetDate(now).toString());
        }
    }
}
