package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.gateway.GatewayAccess;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.RealmModel;

/**
 * {@code /admin/realms/{realm}/llm/access}: who may call the realm's gateway and {@code /me} endpoints. Every condition
 * set must hold; none set (the default) lets any authenticated user or service account call.
 */
public class GatewayAccessResource {

    private final AdminContext ctx;

    public GatewayAccessResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public AccessView get() {
        ctx.requireView();
        return AccessView.of(GatewayAccess.of(ctx.realm()));
    }

    /**
     * {@code {"require_role": "llm-user" | null, "require_scope": "llm" | null, "require_audience": "my-client" |
     * null}}; absent fields keep their value, {@code null} removes the condition. The role, client scope and client
     * named must exist in the realm, so a typo cannot lock everyone out.
     */
    @PUT
    @Produces(MediaType.APPLICATION_JSON)
    public AccessView update(InputStream body) {
        ctx.requireManage();
        ObjectNode json = ctx.body(body);
        GatewayAccess current = GatewayAccess.of(ctx.realm());
        String role = current.requiredRole();
        String scope = current.requiredScope();
        String audience = current.requiredAudience();
        var fields = json.fieldNames();
        while (fields.hasNext()) {
            String f = fields.next();
            JsonNode v = json.get(f);
            switch (f) {
                case "require_role", "requireRole" -> role = name(f, v);
                case "require_scope", "requireScope" -> scope = name(f, v);
                case "require_audience", "requireAudience" -> audience = name(f, v);
                default -> throw ApiErrors.unknownField("", f, "require_role, require_scope, require_audience");
            }
        }
        RealmModel realm = ctx.realm();
        if (role != null && realm.getRole(role) == null) {
            throw ApiErrors.badRequest(
                    "require_role", "the realm has no role " + SafeText.quote(role) + "; create it first");
        }
        String wantedScope = scope;
        if (scope != null && realm.getClientScopesStream().noneMatch(s -> wantedScope.equals(s.getName()))) {
            throw ApiErrors.badRequest(
                    "require_scope",
                    "the realm has no client scope " + SafeText.quote(scope)
                            + "; create it and add it to the callers' clients");
        }
        if (audience != null && realm.getClientByClientId(audience) == null) {
            throw ApiErrors.badRequest(
                    "require_audience",
                    "the realm has no client " + SafeText.quote(audience) + " (an audience is a client id)");
        }
        GatewayAccess updated = new GatewayAccess(role, scope, audience);
        updated.store(realm);
        AccessView out = AccessView.of(updated);
        ctx.event(OperationType.UPDATE, "LLM_GATEWAY_ACCESS", out, "llm", "access");
        return out;
    }

    /** A role, scope or client name: null, or a non-blank string of at most 255 characters (no control characters). */
    private static String name(String field, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > 255) {
            throw ApiErrors.badRequest(field, field + " must be null or a name of at most 255 characters");
        }
        return v.asText().trim();
    }

    /** The realm's setting; {@code open} is true when any authenticated caller may call. */
    public record AccessView(
            @JsonProperty("require_role") String requireRole,
            @JsonProperty("require_scope") String requireScope,
            @JsonProperty("require_audience") String requireAudience,
            @JsonProperty("open") boolean open) {

        static AccessView of(GatewayAccess a) {
            return new AccessView(a.requiredRole(), a.requiredScope(), a.requiredAudience(), a.open());
        }
    }
}
