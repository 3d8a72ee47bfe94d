package dev.llmgateway.keycloak.routing;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A realm's routing rules: the strategy, model aliases ({@code fast-chat} to one or more model ids) and the retry
 * and cooldown settings of the gateway.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoutingRules(
        @JsonProperty("strategy") String strategy,
        @JsonProperty("aliases") Map<String, List<String>> aliases,
        @JsonProperty("retry") Retry retry) {

    /** Defaults for a realm whose admins have not set anything: balanced, as the original console. */
    public static final RoutingStrategy DEFAULT_STRATEGY = RoutingStrategy.BALANCED;

    /**
     * @param maxAttempts           how many candidates one call may try (1 = no fallback)
     * @param cooldownAfterFailures consecutive failures after which a provider is skipped
     * @param cooldownSeconds       how long it is skipped (a vendor's longer Retry-After wins)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retry(
            @JsonProperty("max_attempts") int maxAttempts,
            @JsonProperty("cooldown_after_failures") int cooldownAfterFailures,
            @JsonProperty("cooldown_seconds") int cooldownSeconds) {

        public static final Retry DEFAULT = new Retry(3, 3, 30);
    }

    public RoutingStrategy routingStrategy() {
        return RoutingStrategy.fromId(strategy).orElse(DEFAULT_STRATEGY);
    }
}
