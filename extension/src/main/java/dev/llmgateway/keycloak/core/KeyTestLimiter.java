package dev.llmgateway.keycloak.core;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.services.ErrorResponseException;

/**
 * Bounds key tests (each one a call to a vendor) per caller: at most {@code perMinute} in any 60 seconds, counted on
 * this node. A test past the bound is answered 429 with {@code Retry-After}. Memory stays bounded: callers idle for a
 * minute are forgotten once many are held.
 */
public final class KeyTestLimiter {

    static final long WINDOW_MILLIS = 60_000;
    private static final int FORGET_ABOVE = 10_000;

    private final int perMinute;
    private final ConcurrentHashMap<String, long[]> windows = new ConcurrentHashMap<>();

    public KeyTestLimiter(int perMinute) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("a key test limit must be 1 or more per minute");
        }
        this.perMinute = perMinute;
    }

    public int perMinute() {
        return perMinute;
    }

    /**
     * Counts a test by {@code caller}, or throws the 429 (JSON error of the admin and account APIs) when the caller
     * has had {@code perMinute} tests in the last minute. {@code who} names the caller kind in the message.
     */
    public void acquire(String caller, String who, long now) {
        long wait = tryAcquire(caller, now);
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999) / 1000);
            Response r = ApiErrors.response(
                    429,
                    null,
                    "too many key tests: at most " + perMinute + " per minute " + who + "; retry after " + seconds
                            + " s");
            throw new ErrorResponseException(Response.fromResponse(r)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .header("Retry-After", Long.toString(seconds))
                    .build());
        }
    }

    /** 0 when the test may go (and is counted), else the milliseconds until it may. */
    long tryAcquire(String caller, long now) {
        if (windows.size() > FORGET_ABOVE) {
            windows.values().removeIf(ring -> newest(ring) <= now - WINDOW_MILLIS);
        }
        // ring[0] is the next slot to write; ring[1..perMinute] the times of the last tests, oldest at ring[0]'s slot.
        long[] ring = windows.computeIfAbsent(caller, k -> new long[perMinute + 1]);
        synchronized (ring) {
            int slot = (int) ring[0];
            long oldest = ring[slot + 1];
            if (oldest != 0 && oldest > now - WINDOW_MILLIS) {
                return oldest + WINDOW_MILLIS - now;
            }
            ring[slot + 1] = now;
            ring[0] = (slot + 1) % perMinute;
            return 0;
        }
    }

    private long newest(long[] ring) {
        synchronized (ring) {
            int slot = (int) ring[0];
            return ring[(slot + perMinute - 1) % perMinute + 1];
        }
    }
}
