package dev.llmgateway.keycloak.routing;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which providers to skip for now. After {@code cooldown_after_failures} consecutive failures, or at once when the
 * vendor says Retry-After, a provider cools down for {@code cooldown_seconds} (or the vendor's longer Retry-After).
 * A success resets its count. This is each node's own circuit breaker: nodes learn about failures independently.
 */
public final class CooldownTracker {

    private record State(int failures, long coolUntil) {}

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    public boolean isCoolingDown(String providerId, long nowMillis) {
        State s = states.get(providerId);
        return s != null && s.coolUntil() > nowMillis;
    }

    /** Epoch millis until which the provider is skipped, or 0. */
    public long coolingUntil(String providerId) {
        State s = states.get(providerId);
        return s == null ? 0 : s.coolUntil();
    }

    public void recordSuccess(String providerId) {
        states.remove(providerId);
    }

    /** @param retryAfterSeconds the vendor's Retry-After, or null */
    public void recordFailure(String providerId, long nowMillis, RoutingRules.Retry rules, Long retryAfterSeconds) {
        states.compute(providerId, (id, s) -> {
            int failures = (s == null ? 0 : s.failures()) + 1;
            if (retryAfterSeconds != null || failures >= rules.cooldownAfterFailures()) {
                long seconds = Math.max(rules.cooldownSeconds(), retryAfterSeconds == null ? 0 : retryAfterSeconds);
                return new State(0, nowMillis + seconds * 1000);
            }
            return new State(failures, 0);
        });
    }
}
