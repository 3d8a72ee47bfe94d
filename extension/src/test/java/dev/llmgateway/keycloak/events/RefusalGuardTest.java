package dev.llmgateway.keycloak.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RefusalGuardTest {

    private static final long MINUTE = 60_000;

    @Test
    void oneEventPerKeyAndIntervalAndTheNextCarriesTheCount() {
        RefusalGuard<String> guard = new RefusalGuard<>();
        assertTrue(guard.admit("u1|budget", "r0", 1_000, MINUTE).emit());
        for (int i = 1; i < 20; i++) {
            RefusalGuard.Admission a = guard.admit("u1|budget", "r" + i, 1_000 + i, MINUTE);
            assertFalse(a.emit(), "refusal " + i + " within the minute");
            assertEquals(i, a.suppressed());
        }
        assertTrue(guard.admit("u2|budget", "other user", 1_500, MINUTE).emit(), "keys are separate");
        assertTrue(guard.admit("u1|level", "other reason", 1_500, MINUTE).emit(), "reasons are separate");

        RefusalGuard.Admission next = guard.admit("u1|budget", "r20", 1_000 + MINUTE, MINUTE);
        assertTrue(next.emit());
        assertEquals(19, next.suppressed());
        assertEquals(1_001, next.suppressedSince());
        assertEquals(
                0,
                guard.admit("u1|budget", "r21", 1_000 + 2 * MINUTE + 1, MINUTE).suppressed());
    }

    @Test
    void aQuietKeyWithSuppressedRefusalsBecomesASummaryAfterItsInterval() {
        RefusalGuard<String> guard = new RefusalGuard<>();
        guard.admit("a", "a0", 0, MINUTE);
        guard.admit("a", "a1", 10, MINUTE);
        guard.admit("a", "a2", 20, MINUTE);
        guard.admit("b", "b0", 0, MINUTE);
        guard.admit("c", "c0", MINUTE - 1, MINUTE);
        guard.admit("c", "c1", MINUTE, MINUTE);

        List<RefusalGuard.Summary<String>> due = guard.expired(MINUTE + 5, MINUTE);
        assertEquals(1, due.size(), "a had two suppressed refusals; b none; c's interval is not over");
        assertEquals("a2", due.get(0).last());
        assertEquals(2, due.get(0).suppressed());
        assertEquals(10, due.get(0).suppressedSince());
        assertEquals(1, guard.size(), "a and b are forgotten, c is kept");
        assertEquals(List.of(), guard.expired(MINUTE + 6, MINUTE), "one sweep per interval");
        assertEquals(0, guard.admit("a", "a3", MINUTE + 7, MINUTE).suppressed(), "a's count went out as a summary");
    }

    @Test
    void callerDetailsAreOnlyKnownNamesWithShortPlainValuesAndNeverKeys() {
        Map<String, String> out = GatewayEvents.clean(Map.of(
                GatewayEvents.MODEL,
                "gpt-4o-mini",
                GatewayEvents.LIMIT,
                "requests_per_minute",
                GatewayEvents.KEY_HINT,
                "…one3",
                GatewayEvents.VENDOR_ANSWER,
                "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
                GatewayEvents.POWER_LEVEL,
                "x".repeat(300),
                GatewayEvents.PROVIDER,
                "bad\nline",
                "prompt",
                "tell me a secret"));
        assertEquals(
                Map.of(
                        GatewayEvents.MODEL, "gpt-4o-mini",
                        GatewayEvents.LIMIT, "requests_per_minute",
                        GatewayEvents.KEY_HINT, "…one3"),
                out);
        assertEquals(Map.of(), GatewayEvents.clean(Map.of(GatewayEvents.KEY_HINT, "sk-test-fail401-Alice2Gone3")));
    }
}
