package dev.llmgateway.keycloak.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** {@link SharedCounters} of one process (tests and benchmarks); values never expire, the windows prune themselves. */
public final class LocalCounters implements SharedCounters {

    private final ConcurrentMap<String, String> values = new ConcurrentHashMap<>();

    @Override
    public String get(String key) {
        return values.get(key);
    }

    @Override
    public boolean putIfAbsent(String key, String value, long lifespanMillis) {
        return values.putIfAbsent(key, value) == null;
    }

    @Override
    public boolean replace(String key, String expected, String value, long lifespanMillis) {
        return values.replace(key, expected, value);
    }
}
