package dev.llmgateway.keycloak.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.keycloak.representations.AccessToken;

/**
 * Bearer tokens this node verified in full recently (signature, expiry, user session, client, user), so that the
 * next calls with the same token within {@code ttlMillis} skip the signature check and the session lookup. What is
 * kept is the token's SHA-256, never the token itself. Every call still reads the user and the client (Keycloak's
 * caches) and refuses at once a user or client that is disabled or gone, an expired token, and a token issued before
 * the realm's, the client's or the user's not-before (an administrator's "Sign out" of the user sets the latter); a
 * session that ended otherwise (signed out by the user, expired, deleted on its own) or a token revoked at the
 * revocation endpoint is refused when its entry ends: within {@code ttlMillis}. DPoP and certificate-bound tokens are never kept (their proof is checked per request).
 * At most {@code maxEntries} tokens are kept; when full, new tokens are verified in full and not kept.
 */
public final class VerifiedTokens {

    /** What a full verification established, and until when it is trusted (epoch ms). */
    public record Verified(String realmId, String userId, String clientId, AccessToken token, long until) {}

    /** The token's SHA-256 as four longs: cheap to hash and compare, and not the token. */
    private record Digest(long a, long b, long c, long d) {}

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final long ttlMillis;
    private final int maxEntries;
    private final ConcurrentHashMap<Digest, Verified> entries = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong();

    public VerifiedTokens(long ttlMillis, int maxEntries) {
        this.ttlMillis = ttlMillis;
        this.maxEntries = maxEntries;
    }

    public boolean enabled() {
        return ttlMillis > 0;
    }

    /** The entry for this token if it is still trusted at {@code now}, else null. */
    public Verified lookup(String token, long now) {
        if (!enabled()) {
            return null;
        }
        Digest key = digest(token);
        Verified v = entries.get(key);
        if (v == null) {
            return null;
        }
        if (v.until() <= now) {
            entries.remove(key, v);
            return null;
        }
        return v;
    }

    /**
     * Keeps a token Keycloak has just verified in full, trusted until the earlier of its expiry and {@code now +
     * ttlMillis}. Tokens bound to a key or certificate ({@code cnf}) are not kept.
     */
    public void remember(String token, String realmId, String userId, String clientId, AccessToken verified, long now) {
        if (!enabled() || verified.getConfirmation() != null) {
            return;
        }
        long until = now + ttlMillis;
        Long exp = verified.getExp();
        if (exp != null && exp > 0) {
            until = Math.min(until, exp * 1000);
        }
        if (until <= now) {
            return;
        }
        if (entries.size() >= maxEntries && !sweep(now)) {
            return;
        }
        entries.put(digest(token), new Verified(realmId, userId, clientId, verified, until));
    }

    /** Drops a token's entry (the user or client it names is no longer valid). */
    public void forget(String token) {
        if (enabled()) {
            entries.remove(digest(token));
        }
    }

    /** Removes the ended entries, at most once a second; true when there is room afterwards. */
    private boolean sweep(long now) {
        long last = lastSweep.get();
        if (now - last >= 1_000 && lastSweep.compareAndSet(last, now)) {
            entries.values().removeIf(v -> v.until() <= now);
        }
        return entries.size() < maxEntries;
    }

    private static Digest digest(String token) {
        MessageDigest md = SHA256.get();
        byte[] hash = md.digest(token.getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = ByteBuffer.wrap(hash);
        return new Digest(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }
}
