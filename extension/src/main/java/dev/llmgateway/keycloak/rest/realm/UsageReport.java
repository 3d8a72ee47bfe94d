package dev.llmgateway.keycloak.rest.realm;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer of {@code GET /realms/{realm}/llm/me/usage}: the caller's calls per UTC day, every day of the period,
 * oldest first, and the period's totals. {@code cost} is what the organisation paid, {@code saved} the cost of calls
 * made with the caller's own keys. Schema {@code Usage} of docs/openapi/realm-llm-api.yaml.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageReport(
        @JsonProperty("currency") String currency,
        @JsonProperty("from") String from,
        @JsonProperty("to") String to,
        @JsonProperty("days") List<Day> days,
        @JsonProperty("totals") Totals totals) {

    /** One UTC day. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Day(
            @JsonProperty("day") String day,
            @JsonProperty("calls") long calls,
            @JsonProperty("errors") long errors,
            @JsonProperty("byok_calls") long byokCalls,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost") BigDecimal cost,
            @JsonProperty("saved") BigDecimal saved) {}

    /** The whole period: a day's fields without {@code day}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Totals(
            @JsonProperty("calls") long calls,
            @JsonProperty("errors") long errors,
            @JsonProperty("byok_calls") long byokCalls,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost") BigDecimal cost,
            @JsonProperty("saved") BigDecimal saved) {}
}
