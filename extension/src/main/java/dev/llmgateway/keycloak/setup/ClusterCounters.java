package dev.llmgateway.keycloak.setup;

import java.util.concurrent.TimeUnit;

import dev.llmgateway.keycloak.limits.SharedCounters;
import org.infinispan.Cache;
import org.keycloak.connections.infinispan.InfinispanConnectionProvider;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * {@link SharedCounters} in Keycloak's {@code work} cache: replicated to every node of the cluster (a local cache on a
 * single node), where a conditional write is decided by the key's primary owner under its lock, so it is atomic for
 * the cluster. Values are short strings, which Keycloak's cache marshaller carries as they are. Taken from the first
 * session that needs it: Keycloak's caches are not ready while providers start.
 */
final class ClusterCounters implements SharedCounters {

    private final KeycloakSessionFactory factory;
    private volatile Cache<String, String> cache;

    ClusterCounters(KeycloakSessionFactory factory) {
        this.factory = factory;
    }

    private Cache<String, String> cache() {
        Cache<String, String> c = cache;
        if (c == null) {
            synchronized (this) {
                if (cache == null) {
                    cache = KeycloakModelUtils.runJobInTransactionWithResult(
                            factory,
                            session -> session.getProvider(InfinispanConnectionProvider.class)
                                    .getCache(InfinispanConnectionProvider.WORK_CACHE_NAME));
                }
                c = cache;
            }
        }
        return c;
    }

    @Override
    public String get(String key) {
        return cache().get(key);
    }

    @Override
    public boolean putIfAbsent(String key, String value, long lifespanMillis) {
        return cache().putIfAbsent(key, value, lifespanMillis, TimeUnit.MILLISECONDS) == null;
    }

    @Override
    public boolean replace(String key, String expected, String value, long lifespanMillis) {
        return cache().replace(key, expected, value, lifespanMillis, TimeUnit.MILLISECONDS);
    }
}
