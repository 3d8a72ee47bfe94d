package dev.llmgateway.keycloak.routing;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which providers to skip for now. After {@code cooldown_after_failures} consecutive failures, or at once when the
 * vendor says Retry-After, a provider cools down for {@code cooldown_seconds} (or the vendor's longer Retry-After).
 * A success resets its count. This is each node's own circuit breaker: nodes learn about failures independently.
 *
 * <p>Two things keep it from punishing everyone for one caller: a failure of a request the provider has already failed
 * (an SDK retrying the same body) is not counted again, so one client's retries cannot open the breaker alone; and
 * while a provider cools down, one call at a time may probe it ({@link #tryProbe}, at most every {@link
 * #PROBE_GAP_MILLIS}) when nothing else can serve a caller: a success closes the breaker at once.
 */
public final class CooldownTracker {

    /** The least time between two probes of a cooling provider. */
    public static final long PROBE_GAP_MILLIS = 5_000;

    /** How many recent failed requests per provider are remembered to recognise retries. */
    static final int REMEMBERED_REQUESTS = 16;

    private record State(int failures, long coolUntil, long probedAt, long[] failedRequests) {

        boolean failedBefore(long request) {
            for (long r : failedRequests) {
                if (r == request) {
                    return true;
                }
            }
            return false;
        }

        long[] remember(long request) {
            long[] next = failedRequests.length < REMEMBERED_REQUESTS
                    ? Arrays.copyOf(failedRequests, failedRequests.length + 1)
                    : Arrays.copyOfRange(failedRequests, 1, REMEMBERED_REQUESTS + 1);
            next[next.length - 1] = request;
            return next;
        }
    }

    private static final long[] NONE = new long[0];
    private static final long NEVER = Long.MIN_VALUE;

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

    /**
     * @param retryAfterSeconds the vendor's Retry-After, or null
     * @return whether a cooldown started
     */
    public boolean recordFailure(String providerId, long nowMillis, RoutingRules.Retry rules, Long retryAfterSeconds) {
        return recordFailure(providerId, nowMillis, rules, retryAfterSeconds, 0);
    }

    /**
     * @param retryAfterSeconds the vendor's Retry-After, or null
     * @param request a fingerprint of the request (0: unknown); a request the provider already failed is not counted
     *     again
     * @return whether a cooldown started (or started again, after a failed probe)
     */
    public boolean recordFailure(
            String providerId, long nowMillis, RoutingRules.Retry rules, Long retryAfterSeconds, long request) {
        boolean[] started = {false};
        states.compute(providerId, (id, s) -> {
            State now = s == null ? new State(0, 0, NEVER, NONE) : s;
            boolean retried = request != 0 && now.failedBefore(request);
            long[] remembered = request == 0 || retried ? now.failedRequests() : now.remember(request);
            int failures = now.failures() + (retried ? 0 : 1);
            // A failure while cooling down is a failed probe: the cooldown starts again.
            boolean probe = now.coolUntil() > nowMillis;
            if (retryAfterSeconds != null || probe || failures >= rules.cooldownAfterFailures()) {
                long seconds = Math.max(rules.cooldownSeconds(), retryAfterSeconds == null ? 0 : retryAfterSeconds);
                // The first probe comes a probe gap after the cooldown starts, not at once.
                started[0] = true;
                return new State(0, nowMillis + seconds * 1000, nowMillis, remembered);
            }
            return new State(failures, now.coolUntil(), now.probedAt(), remembered);
        });
        return started[0];
    }

    /** How many providers are cooling down at {@code nowMillis} (the node's gauge). */
    public int coolingDown(long nowMillis) {
        int n = 0;
        for (State s : states.values()) {
            if (s.coolUntil() > nowMillis) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether this caller may probe the cooling provider now: true for one caller per {@link #PROBE_GAP_MILLIS}.
     * The probe's success ({@link #recordSuccess}) ends the cooldown; its failure starts a new one.
     */
    public boolean tryProbe(String providerId, long nowMillis) {
        boolean[] granted = {false};
        states.computeIfPresent(providerId, (id, s) -> {
            if (s.coolUntil() <= nowMillis || (s.probedAt() != NEVER && nowMillis - s.probedAt() < PROBE_GAP_MILLIS)) {
                return s;
            }
            granted[0] = true;
            return new State(s.failures(), s.coolUntil(), nowMillis, s.failedRequests());
        });
        return granted[0];
    }
}
