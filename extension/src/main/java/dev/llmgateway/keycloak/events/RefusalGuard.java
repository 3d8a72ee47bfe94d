package dev.llmgateway.keycloak.events;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flood guard of refusal events, per node: at most one event per key (realm, user, reason) per interval. The
 * refusals in between are counted; the count rides on the next event of the same key, or, when that key stays quiet,
 * is handed out by {@link #expired} as a summary once its interval is over. Memory holds one small entry per key
 * refused within the last interval.
 *
 * @param <T> what an event is made of (kept for the last suppressed refusal, so a summary can name realm and user)
 */
final class RefusalGuard<T> {

    /** Whether to emit this refusal, and how many refusals of its key were not emitted since the previous event. */
    record Admission(boolean emit, int suppressed, long suppressedSince) {}

    /** A summary to emit: the last suppressed refusal of a key whose interval ended, and the count. */
    record Summary<T>(T last, int suppressed, long suppressedSince) {}

    private static final class Window<T> {
        final long start;
        int suppressed;
        long suppressedSince;
        T last;

        Window(long start) {
            this.start = start;
        }
    }

    private final Map<String, Window<T>> windows = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();

    /** Counts one refusal of {@code key} at {@code now}. */
    Admission admit(String key, T refusal, long now, long intervalMillis) {
        Admission[] out = new Admission[1];
        windows.compute(key, (k, w) -> {
            if (w == null || now - w.start >= intervalMillis) {
                out[0] = w == null
                        ? new Admission(true, 0, 0)
                        : new Admission(true, w.suppressed, w.suppressed == 0 ? 0 : w.suppressedSince);
                return new Window<>(now);
            }
            if (w.suppressed == 0) {
                w.suppressedSince = now;
            }
            w.suppressed++;
            w.last = refusal;
            out[0] = new Admission(false, w.suppressed, w.suppressedSince);
            return w;
        });
        return out[0];
    }

    /**
     * At most once per interval: forgets the keys whose interval is over, and returns those that had suppressed
     * refusals, to be emitted as summaries. Empty when another sweep ran within the interval.
     */
    List<Summary<T>> expired(long now, long intervalMillis) {
        long previous = lastSweep.get();
        if (now - previous < intervalMillis || !lastSweep.compareAndSet(previous, now)) {
            return List.of();
        }
        List<Summary<T>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, Window<T>>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Window<T>> e = it.next();
            Window<T> w = e.getValue();
            if (now - w.start < intervalMillis) {
                continue;
            }
            // remove(key, w) takes the map's lock for the key: no refusal is being counted into w as it goes, and a
            // later one starts a new window.
            if (windows.remove(e.getKey(), w) && w.suppressed > 0) {
                out.add(new Summary<>(w.last, w.suppressed, w.suppressedSince));
            }
        }
        return out;
    }

    /** Keys currently remembered (for tests). */
    int size() {
        return windows.size();
    }
}
