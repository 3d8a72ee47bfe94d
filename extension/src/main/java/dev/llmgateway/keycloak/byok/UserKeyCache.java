package dev.llmgateway.keycloak.byok;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/**
 * Each user's sealed BYOK keys, per node, so the gateway's hot path does not query the database on every call. A
 * node reads a user's keys at most once per refresh interval; changes made through this node apply at once, changes
 * made through another node within the interval. Keys stay sealed here; they are opened only for the vendor call.
 */
public final class UserKeyCache {

    /** One sealed key: enough to open it and to name it to its owner. */
    public record SealedKey(String providerType, String sealed, String context, String hint) {}

    private record Entry(long readAt, Map<String, SealedKey> byType) {}

    private static final int MAX_TRACKED = 100_000;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final long refreshMillis;

    public UserKeyCache(long refreshMillis) {
        this.refreshMillis = refreshMillis;
    }

    /** The user's keys by provider type; empty for the (many) users without any. */
    public Map<String, SealedKey> keysOf(KeycloakSession session, String realmId, String userId, long now) {
        String k = key(realmId, userId);
        Entry e = entries.get(k);
        if (e != null && now - e.readAt() < refreshMillis) {
            return e.byType();
        }
        Map<String, SealedKey> loaded = load(session, realmId, userId);
        if (entries.size() >= MAX_TRACKED) {
            entries.clear();
        }
        entries.put(k, new Entry(now, loaded));
        return loaded;
    }

    /**
     * Notes that a vendor refused a key; true only the first time for this sealed value (a replaced key is a new
     * value), so a refused key that keeps being used is written down once, not on every call.
     */
    public boolean firstRefusal(SealedKey key) {
        if (refused.size() >= MAX_TRACKED) {
            refused.clear();
        }
        return refused.add(key.sealed());
    }

    public void forget(String realmId, String userId) {
        entries.remove(key(realmId, userId));
    }

    public void forgetRealm(String realmId) {
        entries.keySet().removeIf(k -> k.startsWith(realmId + "|"));
    }

    private static Map<String, SealedKey> load(KeycloakSession session, String realmId, String userId) {
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        Map<String, SealedKey> out = new HashMap<>();
        for (LlmUserKeyEntity row : em.createNamedQuery("llmUserKeysByUser", LlmUserKeyEntity.class)
                .setParameter("realmId", realmId)
                .setParameter("userId", userId)
                .getResultList()) {
            out.put(
                    row.getProviderType(),
                    new SealedKey(
                            row.getProviderType(),
                            row.getKeySealed(),
                            UserKeyService.keyContext(row),
                            row.getKeyHint()));
        }
        return out.isEmpty() ? Map.of() : Map.copyOf(out);
    }

    private static String key(String realmId, String userId) {
        return realmId + "|" + userId;
    }
}
