package dev.llmgateway.keycloak.gateway;

import java.util.HashMap;
import java.util.Map;

import dev.llmgateway.keycloak.byok.ByokSettings;
import dev.llmgateway.keycloak.byok.UserKeyCache.SealedKey;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.crypto.SecretCipher;

/**
 * The keys one gateway call may go out with: the caller's own (BYOK) keys by provider type, which win, and the
 * organisation's provider keys, unless the caller is over budget. Keys stay sealed until the attempt that uses them.
 */
public final class CallKeys {

    /** Told when a vendor refused a caller's own key, so the owner can see it. */
    public interface RejectionListener {
        void rejected(SealedKey key, String error);
    }

    private static final RejectionListener IGNORE = (k, e) -> {};

    private final SecretCipher cipher;
    private final Map<String, SealedKey> own;
    private final boolean organizationKeys;
    private final boolean fallbackToOrganizationKey;
    private final RejectionListener listener;

    private CallKeys(
            SecretCipher cipher,
            Map<String, SealedKey> own,
            boolean organizationKeys,
            boolean fallbackToOrganizationKey,
            RejectionListener listener) {
        this.cipher = cipher;
        this.own = own;
        this.organizationKeys = organizationKeys;
        this.fallbackToOrganizationKey = fallbackToOrganizationKey;
        this.listener = listener;
    }

    /** Organisation keys only (service calls, users without keys). */
    public static CallKeys organization(SecretCipher cipher) {
        return new CallKeys(cipher, Map.of(), true, false, IGNORE);
    }

    /** The user's own keys for the types the realm takes them for, then the organisation's. */
    public static CallKeys of(
            SecretCipher cipher, Map<String, SealedKey> userKeys, ByokSettings settings, RejectionListener listener) {
        if (userKeys.isEmpty()) {
            return organization(cipher);
        }
        Map<String, SealedKey> accepted = new HashMap<>();
        userKeys.forEach((type, k) -> {
            if (settings.accepts(type)) {
                accepted.put(type, k);
            }
        });
        return new CallKeys(cipher, accepted, true, settings.fallbackToOrganizationKey(), listener);
    }

    /** The same keys without the organisation's: for a caller whose budget is spent. */
    public CallKeys ownOnly() {
        return new CallKeys(cipher, own, false, false, listener);
    }

    public boolean hasOwn(ProviderEndpoint endpoint) {
        return own.containsKey(endpoint.type().id());
    }

    SealedKey own(ProviderEndpoint endpoint) {
        return own.get(endpoint.type().id());
    }

    boolean organizationKeys() {
        return organizationKeys;
    }

    /** Whether a call whose own key was refused may go on with the organisation's keys. */
    boolean fallbackToOrganizationKey() {
        return organizationKeys && fallbackToOrganizationKey;
    }

    String open(SealedKey k) {
        return cipher.decrypt(k.sealed(), k.context());
    }

    String openOrganizationKey(ProviderEndpoint e) {
        return cipher.decrypt(e.sealedKey(), e.keyContext());
    }

    void rejected(SealedKey key, String error) {
        listener.rejected(key, error);
    }
}
