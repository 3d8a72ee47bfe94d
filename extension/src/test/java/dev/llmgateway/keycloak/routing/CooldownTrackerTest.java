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

    @Test
    void theSameRequestFailingAgainIsNotCountedAgain() {
        tracker.recordFailure("p", 1_000, rules, null, 42);
        tracker.recordFailure("p", 1_100, rules, null, 42);
        tracker.recordFailure("p", 1_200, rules, null, 42);
        assertFalse(tracker.isCoolingDown("p", 1_201), "one request retried three times is one failure");
        tracker.recordFailure("p", 1_300, rules, null, 43);
        assertTrue(tracker.isCoolingDown("p", 1_301), "two different requests failed");
    }

    @Test
    void oneProbeAtATimeWhileCoolingAndAFailedProbeCoolsAgain() {
        tracker.recordFailure("p", 0, rules, 30L);
        assertFalse(tracker.tryProbe("p", 1_000), "not at once: a probe gap after the cooldown starts");
        assertTrue(tracker.tryProbe("p", CooldownTracker.PROBE_GAP_MILLIS));
        assertFalse(tracker.tryProbe("p", CooldownTracker.PROBE_GAP_MILLIS + 1), "one probe per gap");
        tracker.recordFailure("p", 7_000, rules, null, 7);
        assertTrue(tracker.isCoolingDown("p", 36_999), "a failed probe starts a new cooldown");
        assertTrue(tracker.tryProbe("p", 12_000));
        tracker.recordSuccess("p");
        assertFalse(tracker.isCoolingDown("p", 12_001), "a successful probe closes the breaker");
        assertFalse(tracker.tryProbe("q", 0), "nothing to probe on a provider that is not cooling");
    }
}
