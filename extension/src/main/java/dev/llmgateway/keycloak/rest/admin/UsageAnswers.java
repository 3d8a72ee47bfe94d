package dev.llmgateway.keycloak.rest.admin;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.usage.Rollup.Totals;

/**
 * The answers of {@code GET /stats} and {@code GET /usage} (schemas {@code Stats} and {@code UsageAnalytics} of
 * docs/openapi/admin-llm-api.yaml). Amounts are US dollars, exact; rates are fractions of 1 with four decimals;
 * trends are percentages with one decimal, absent (null) when there is nothing to compare with.
 */
public final class UsageAnswers {

    private UsageAnswers() {}

    /** {@code GET /stats}: the four cards of the admin page. */
    public record Stats(
            @JsonProperty("total_providers") int totalProviders,
            @JsonProperty("active_models") int activeModels,
            @JsonProperty("total_calls") long totalCalls,
            @JsonProperty("total_cost") BigDecimal totalCost,
            @JsonProperty("currency") String currency,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("trends") Trends trends) {}

    /** Percentage change against the 30 days before; null when the earlier figure is 0 or unknown. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Trends(
            @JsonProperty("active_models") BigDecimal activeModels,
            @JsonProperty("total_calls") BigDecimal totalCalls,
            @JsonProperty("total_cost") BigDecimal totalCost) {}

    /** {@code GET /usage}. {@code top_users} is absent for admins who may not view users. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Usage(
            @JsonProperty("period") String period,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("currency") String currency,
            @JsonProperty("filters") Map<String, String> filters,
            @JsonProperty("totals") Summary totals,
            @JsonProperty("series") List<Point> series,
            @JsonProperty("by_provider") List<ProviderRow> byProvider,
            @JsonProperty("by_model") List<ModelRow> byModel,
            @JsonProperty("top_users") List<UserRow> topUsers,
            @JsonProperty("top_clients") List<ClientRow> topClients) {}

    /** The period as a whole. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(
            @JsonProperty("calls") long calls,
            @JsonProperty("errors") long errors,
            @JsonProperty("success_rate") BigDecimal successRate,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cached_tokens") long cachedTokens,
            @JsonProperty("cache_write_tokens") long cacheWriteTokens,
            @JsonProperty("reasoning_tokens") long reasoningTokens,
            @JsonProperty("cost") BigDecimal cost,
            @JsonProperty("unpriced_calls") long unpricedCalls,
            @JsonProperty("attempts") long attempts,
            @JsonProperty("fallback_calls") long fallbackCalls,
            @JsonProperty("fallback_rate") BigDecimal fallbackRate,
            @JsonProperty("latency_p50_ms") Long latencyP50Ms,
            @JsonProperty("latency_p95_ms") Long latencyP95Ms,
            @JsonProperty("byok_calls") long byokCalls,
            @JsonProperty("byok_share") BigDecimal byokShare,
            @JsonProperty("byok_saved") BigDecimal byokSaved) {

        static Summary of(Totals t) {
            return new Summary(
                    t.calls,
                    t.errors,
                    rate(t.calls - t.errors, t.calls),
                    t.promptTokens,
                    t.completionTokens,
                    t.cachedTokens,
                    t.cacheWriteTokens,
                    t.reasoningTokens,
                    Decimals.plain(t.cost),
                    t.unpriced,
                    t.attempts,
                    t.fallbacks,
                    rate(t.fallbacks, t.calls),
                    t.latencyPercentile(50),
                    t.latencyPercentile(95),
                    t.byokCalls,
                    rate(t.byokCalls, t.calls),
                    Decimals.plain(t.byokCost));
        }
    }

    /** One bucket of the chart: {@code start} is its first instant (UTC). */
    public record Point(
            @JsonProperty("start") String start,
            @JsonProperty("calls") long calls,
            @JsonProperty("errors") long errors,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost") BigDecimal cost,
            @JsonProperty("byok_calls") long byokCalls) {

        static Point of(String start, Totals t) {
            return new Point(
                    start, t.calls, t.errors, t.promptTokens, t.completionTokens, Decimals.plain(t.cost), t.byokCalls);
        }
    }

    /**
     * One provider (absent {@code provider_id}: calls that failed before any provider was chosen; absent {@code name}:
     * a provider since deleted). Latency percentiles are estimated from a histogram (see the API reference).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProviderRow(
            @JsonProperty("provider_id") String providerId,
            @JsonProperty("name") String name,
            @JsonProperty("type") String type,
            @JsonProperty("calls") long calls,
            @JsonProperty("errors") long errors,
            @JsonProperty("success_rate") BigDecimal successRate,
            @JsonProperty("fallback_calls") long fallbackCalls,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost") BigDecimal cost,
            @JsonProperty("byok_calls") long byokCalls,
            @JsonProperty("latency_p50_ms") Long latencyP50Ms,
            @JsonProperty("latency_p95_ms") Long latencyP95Ms) {}

    /** One model id as the provider was asked for it (absent: calls that never reached a model). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelRow(
            @JsonProperty("model") String model,
            @JsonProperty("calls") long calls,
            @JsonProperty("errors") long errors,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost") BigDecimal cost) {}

    /** One user ({@code username} absent when the user no longer exists). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UserRow(
            @JsonProperty("user_id") String userId,
            @JsonProperty("username") String username,
            @JsonProperty("calls") long calls,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost") BigDecimal cost,
            @JsonProperty("byok_calls") long byokCalls) {}

    /** One client (the {@code azp} of the callers' tokens; absent for reported calls without one). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClientRow(
            @JsonProperty("client_id") String clientId,
            @JsonProperty("calls") long calls,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("cost") BigDecimal cost) {}

    /** {@code part / whole} to four decimals; null when {@code whole} is 0. */
    static BigDecimal rate(long part, long whole) {
        if (whole == 0) {
            return null;
        }
        return Decimals.plain(BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_EVEN));
    }

    /** The percentage change from {@code before} to {@code now}, one decimal; null when {@code before} is 0. */
    static BigDecimal trend(BigDecimal now, BigDecimal before) {
        if (before == null || before.signum() == 0) {
            return null;
        }
        return Decimals.plain(
                now.subtract(before).multiply(BigDecimal.valueOf(100)).divide(before, 1, RoundingMode.HALF_EVEN));
    }
}
