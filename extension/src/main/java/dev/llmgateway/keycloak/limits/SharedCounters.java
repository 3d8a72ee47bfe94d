package dev.llmgateway.keycloak.limits;

/**
 * Short text values that every node of the cluster reads and writes, with conditional writes that are atomic across
 * the cluster (Keycloak's replicated {@code work} cache; a plain map on a single node). Entries expire after their
 * lifespan without a write.
 */
public interface SharedCounters {

    String get(String key);

    /** Stores the value if the key has none; false when another writer was first. */
    boolean putIfAbsent(String key, String value, long lifespanMillis);

    /** Replaces {@code expected} with {@code value}; false when the stored value is no longer {@code expected}. */
    boolean replace(String key, String expected, String value, long lifespanMillis);
}
