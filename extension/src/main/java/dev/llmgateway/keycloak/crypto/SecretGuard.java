package dev.llmgateway.keycloak.crypto;

import java.util.function.Supplier;

import dev.llmgateway.keycloak.core.ApiErrors;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.models.RealmModel;

/** Runs an action that needs the secret cipher, turning a missing or wrong key-encryption key into a clear 503. */
public final class SecretGuard {

    private static final Logger LOG = Logger.getLogger(SecretGuard.class);

    private SecretGuard() {}

    /**
     * @param detailForCaller whether the answer may say what is wrong (admins) or only that storage is unavailable
     *                        (users); the log always says
     */
    public static <T> T run(RealmModel realm, boolean detailForCaller, Supplier<T> action) {
        try {
            return action.get();
        } catch (SecretCipherException e) {
            LOG.errorf("LLM gateway: secret storage unavailable in realm %s: %s", realm.getName(), e.getMessage());
            throw ApiErrors.error(
                    Response.Status.SERVICE_UNAVAILABLE,
                    null,
                    detailForCaller
                            ? "secret storage unavailable: " + e.getMessage()
                            : "secret storage unavailable; ask an administrator");
        }
    }
}
