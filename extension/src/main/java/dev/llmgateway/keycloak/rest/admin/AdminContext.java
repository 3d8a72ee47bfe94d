package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.JsonBodies;
import dev.llmgateway.keycloak.crypto.SecretGuard;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** What every admin resource of ours needs: the realm, the permission checks, body reading and admin events. */
public record AdminContext(
        KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent) {

    public void requireView() {
        auth.realm().requireViewRealm();
    }

    public void requireManage() {
        auth.realm().requireManageRealm();
    }

    public ObjectNode body(InputStream in) {
        return JsonBodies.readObject(
                in, session.getProvider(LlmGatewayConfig.class).maxBodyBytes());
    }

    /** A body that may be larger than the admin API's usual limit (a price table). */
    public ObjectNode body(InputStream in, int maxBytes) {
        return JsonBodies.readObjectAsIs(in, maxBytes);
    }

    /** Records an admin event; the representation must already be free of secrets. */
    public void event(OperationType op, String resourceType, Object representation, String... path) {
        adminEvent
                .operation(op)
                .resource(resourceType)
                .resourcePath(path)
                .representation(representation)
                .success();
    }

    /** Counts a key test (a vendor call) of this admin, or refuses it with a 429 past the per-minute bound. */
    public void limitKeyTest() {
        session.getProvider(LlmGatewayConfig.class)
                .keyTestLimiter()
                .acquire(
                        "admin:" + auth.adminAuth().getUser().getId(), "per administrator", System.currentTimeMillis());
    }

    /** Runs an action that needs the secret cipher, turning a missing or wrong key-encryption key into a clear 503. */
    public <T> T withSecrets(Supplier<T> action) {
        return SecretGuard.run(realm, true, action);
    }
}
