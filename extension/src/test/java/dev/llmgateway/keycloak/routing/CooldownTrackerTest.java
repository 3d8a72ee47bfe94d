package dev.llmgateway.keycloak.routing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CooldownTrackerTest {

    private final CooldownTracker tracker = new CooldownTracker();
    private final RoutingRules.Retry rules = new RoutingRules.Retry(3, 2, 30);

    @Test
    void coolsDownAfterConsecutiveFailuresAndRecovers() {
        tracker.recordFailure("p", 1_000, rules, null);
        assertFalse(tracker.isCoolingDown("p", 1_001), "one failure is not enough");
        tracker.recordFailure("p", 2_000, rules, null);
        assertTrue(tracker.isCoolingDown("p", 2_001));
        assertTrue(tracker.isCoolingDown("p", 31_999));
        assertFalse(tracker.isCoolingDown("p", 32_000), "back after cooldown_seconds");
    }

    @Test
    void successResetsTheCount() {
        tracker.recordFailure("p", 1_000, rules, null);
        tracker.recordSuccess("p");
        tracker.recordFailure("p", 2_000, rules, null);
        assertFalse(tracker.isCoolingDown("p", 2_001));
    }

    @Test
    void retryAfterCoolsDownAtOnceAndALongerOneWins() {
        tracker.recordFailure("p", 0, rules, 120L);
        assertTrue(tracker.isCoolingDown("p", 119_999));
        assertFalse(tracker.isCoolingDown("p", 120_000));
        tracker.recordFailure("q", 0, rules, 5L);
        assertTrue(tracker.isCoolingDown("q", 29_999), "the configured cooldown is the minimum");
    }
}
