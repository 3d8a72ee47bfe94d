package dev.llmgateway.keycloak.limits;

import java.util.Arrays;

/**
 * The calls and tokens of one scope in the last minute, in one-second buckets, as stored in {@link SharedCounters}:
 * {@code "<second>:<requests>:<tokens>,…"} oldest first. A check at second {@code S} counts the buckets
 * {@code S-60 … S}, which hold every call of the 60 seconds before it (and up to one second more): so no 60-second
 * span ever holds more than the limit.
 */
final class Window {

    /** Buckets counted by a check: the current second and the 60 before it. */
    static final int BUCKETS = 61;

    private long[] seconds = new long[8];
    private long[] requests = new long[8];
    private long[] tokens = new long[8];
    private int size;

    /** The buckets of {@code stored} still in the window at second {@code now} (later ones too: clocks differ). */
    static Window parse(String stored, long now) {
        Window w = new Window();
        if (stored == null || stored.isEmpty()) {
            return w;
        }
        long oldest = now - BUCKETS + 1;
        int i = 0;
        int n = stored.length();
        while (i < n) {
            int c1 = stored.indexOf(':', i);
            int c2 = stored.indexOf(':', c1 + 1);
            int end = stored.indexOf(',', c2 + 1);
            if (end < 0) {
                end = n;
            }
            long second = Long.parseLong(stored, i, c1, 10);
            if (second >= oldest) {
                w.append(second, Long.parseLong(stored, c1 + 1, c2, 10), Long.parseLong(stored, c2 + 1, end, 10));
            }
            i = end + 1;
        }
        return w;
    }

    String format() {
        StringBuilder s = new StringBuilder(size * 16);
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append(seconds[i]).append(':').append(requests[i]).append(':').append(tokens[i]);
        }
        return s.toString();
    }

    long requests() {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += requests[i];
        }
        return sum;
    }

    long tokens() {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += tokens[i];
        }
        return sum;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds to the bucket of {@code second} (tokens never go below zero); false when that bucket has left. */
    boolean add(long second, long addRequests, long addTokens) {
        for (int i = size - 1; i >= 0; i--) {
            if (seconds[i] == second) {
                requests[i] += addRequests;
                tokens[i] = Math.max(0, tokens[i] + addTokens);
                return true;
            }
            if (seconds[i] < second) {
                insert(i + 1, second, addRequests, Math.max(0, addTokens));
                return true;
            }
        }
        insert(0, second, addRequests, Math.max(0, addTokens));
        return true;
    }

    /**
     * Milliseconds from {@code nowMillis} until calls that hold {@code needRequests} requests and {@code needTokens}
     * tokens have left the window (the oldest leave first); at least 1 ms.
     */
    long millisUntilFreed(long needRequests, long needTokens, long nowMillis) {
        long r = 0;
        long t = 0;
        for (int i = 0; i < size; i++) {
            r += requests[i];
            t += tokens[i];
            if (r >= needRequests && t >= needTokens) {
                return Math.max(1, (seconds[i] + BUCKETS) * 1000 - nowMillis);
            }
        }
        return size == 0 ? 1 : Math.max(1, (seconds[size - 1] + BUCKETS) * 1000 - nowMillis);
    }

    /** Milliseconds until every call now counted has left the window (0 when none is). */
    long millisUntilEmpty(long nowMillis) {
        return size == 0 ? 0 : Math.max(0, (seconds[size - 1] + BUCKETS) * 1000 - nowMillis);
    }

    private void append(long second, long r, long t) {
        insert(size, second, r, t);
    }

    private void insert(int at, long second, long r, long t) {
        if (size == seconds.length) {
            seconds = Arrays.copyOf(seconds, size * 2);
            requests = Arrays.copyOf(requests, size * 2);
            tokens = Arrays.copyOf(tokens, size * 2);
        }
        System.arraycopy(seconds, at, seconds, at + 1, size - at);
        System.arraycopy(requests, at, requests, at + 1, size - at);
        System.arraycopy(tokens, at, tokens, at + 1, size - at);
        seconds[at] = second;
        requests[at] = r;
        tokens[at] = t;
        size++;
    }
}
