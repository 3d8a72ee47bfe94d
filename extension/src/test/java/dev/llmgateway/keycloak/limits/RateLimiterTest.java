package dev.llmgateway.keycloak.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import dev.llmgateway.keycloak.core.RateLimits;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private final LocalCounters store = new LocalCounters();

    private RateLimiter node() {
        return new RateLimiter(store, now::get);
    }

    @Test
    void requestsPerMinuteAdmitsTheLimitThenSaysWhenTheNextIsFree() {
        RateLimiter limiter = node();
        RateLimits limits = new RateLimits(60, null, null);
        for (int i = 0; i < 60; i++) {
            RateLimiter.Decision d = limiter.admit("u|r|alice", limits, 10);
            assertTrue(d.allowed(), "call " + i);
            assertEquals(60L, d.limitRequests());
            assertEquals(59 - i, d.remainingRequests());
            now.addAndGet(100);
        }
        RateLimiter.Decision refused = limiter.admit("u|r|alice", limits, 10);
        assertEquals(RateLimiter.Kind.REQUESTS, refused.refused());
        assertEquals(60, refused.limit());
        assertEquals(0, refused.remainingRequests());
        // The first call was at second 0 of the run; it leaves the window 61 s later: 61 s - 6 s elapsed.
        assertEquals(55_000, refused.retryAfterMillis(), 1_000);
        now.addAndGet(refused.retryAfterMillis());
        assertTrue(limiter.admit("u|r|alice", limits, 10).allowed());
        assertFalse(limiter.admit("u|r|bob", new RateLimits(0, null, null), 0).allowed());
    }

    @Test
    void noSixtySecondSpanHoldsMoreThanTheLimitEvenWhenCallsComeAtTheEndOfAMinute() {
        RateLimiter limiter = node();
        RateLimits limits = new RateLimits(10, null, null);
        List<Long> admitted = new ArrayList<>();
        // Bursts every 7.3 s for five minutes: a fixed window would let 2x through around its edges.
        for (int step = 0; step < 300; step++) {
            for (int i = 0; i < 4; i++) {
                if (limiter.admit("u|r|a", limits, 0).allowed()) {
                    admitted.add(now.get());
                }
            }
            now.addAndGet(1_000 + (step % 3) * 137);
        }
        assertMaxPerSpan(admitted, 60_000, 10);
        assertTrue(admitted.size() > 40, "the limit lets calls through: " + admitted.size());
    }

    @Test
    void twoNodesSharingTheCountNeverAdmitMoreThanTheLimitBetweenThem() throws Exception {
        RateLimiter a = node();
        RateLimiter b = node();
        RateLimits limits = new RateLimits(60, null, null);
        List<Long> admitted = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            RateLimiter node = t % 2 == 0 ? a : b;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 500; i++) {
                    if (node.admit("u|r|carol", limits, 0).allowed()) {
                        admitted.add(now.get());
                    }
                    now.addAndGet(3);
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        // 8,000 attempts over about 24 s of clock: exactly the limit gets through.
        assertEquals(60, admitted.size());
    }

    @Test
    void tokensCountTheEstimateUntilTheVendorSaysAndARequestOverTheLimitIsRefused() {
        RateLimiter limiter = node();
        RateLimits limits = new RateLimits(null, 1_000L, null);
        RateLimiter.Decision first = limiter.admit("u|r|dan", limits, 400);
        assertTrue(first.allowed());
        assertEquals(600, first.remainingTokens());
        limiter.settle(first.charge(), 900); // the vendor counted more than the estimate
        RateLimiter.Decision second = limiter.admit("u|r|dan", limits, 50);
        assertTrue(second.allowed());
        assertEquals(50, second.remainingTokens());
        RateLimiter.Decision third = limiter.admit("u|r|dan", limits, 100);
        assertEquals(RateLimiter.Kind.TOKENS, third.refused());
        limiter.settle(second.charge(), 0); // that call failed before a vendor served it
        assertTrue(limiter.admit("u|r|dan", limits, 100).allowed());
        assertEquals(
                RateLimiter.Kind.TOKENS, limiter.admit("u|r|eve", limits, 1_001).refused());
    }

    @Test
    void streamsAreCountedAcrossNodesAndANodeThatStopsRefreshingStopsCounting() {
        RateLimiter a = node();
        RateLimiter b = node();
        RateLimiter.StreamSlot one = a.openStream("u|r|fay", 2);
        RateLimiter.StreamSlot two = b.openStream("u|r|fay", 2);
        assertNotNull(one);
        assertNotNull(two);
        assertNull(a.openStream("u|r|fay", 2));
        a.closeStream(one);
        a.closeStream(one); // twice: counted once
        RateLimiter.StreamSlot three = a.openStream("u|r|fay", 2);
        assertNotNull(three);
        assertNull(b.openStream("u|r|fay", 2));
        // Node b dies holding its stream: after the part's freshness, only a's own stream counts.
        now.addAndGet(RateLimiter.STREAM_PART_TTL_MS + 1);
        assertNotNull(a.openStream("u|r|fay", 2));
    }

    @Test
    void aFailingStoreAdmitsCalls() {
        SharedCounters broken = new SharedCounters() {
            @Override
            public String get(String key) {
                throw new IllegalStateException("cache down");
            }

            @Override
            public boolean putIfAbsent(String key, String value, long lifespanMillis) {
                throw new IllegalStateException("cache down");
            }

            @Override
            public boolean replace(String key, String expected, String value, long lifespanMillis) {
                throw new IllegalStateException("cache down");
            }
        };
        RateLimiter limiter = new RateLimiter(broken, now::get);
        assertTrue(limiter.admit("u|r|gus", new RateLimits(1, 1L, 1), 5).allowed());
        assertNotNull(limiter.openStream("u|r|gus", 1));
    }

    @Test
    void unlimitedScopesAreNotCounted() {
        RateLimiter limiter = node();
        assertTrue(limiter.admit("u|r|hal", RateLimits.NONE, 5).allowed());
        assertNull(store.get(RateLimiter.WINDOW_PREFIX + "u|r|hal"));
    }

    private static void assertMaxPerSpan(List<Long> times, long span, int max) {
        for (int i = 0; i < times.size(); i++) {
            int count = 0;
            for (int j = i; j < times.size() && times.get(j) < times.get(i) + span; j++) {
                count++;
            }
            assertTrue(count <= max, count + " calls in the 60 s from " + times.get(i));
        }
    }
}
