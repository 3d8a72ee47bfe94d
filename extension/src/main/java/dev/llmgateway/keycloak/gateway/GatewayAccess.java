package dev.llmgateway.keycloak.gateway;

import java.util.ArrayList;
import java.util.List;

import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;

/**
 * Who may call the realm's gateway and its {@code /me} endpoints, kept as realm attributes. With nothing set, any
 * authenticated user or service account may (the behaviour before this setting existed). Each condition set must hold
 * (they combine with AND): the caller holds a realm role (directly, through a group or a composite role), the token
 * carries a client scope (its {@code scope} claim), the token names an audience (its {@code aud} claim). Service
 * accounts follow the same rule as users.
 */
public record GatewayAccess(String requiredRole, String requiredScope, String requiredAudience) {

    static final String ROLE_ATTRIBUTE = "llm.gateway.access.role";
    static final String SCOPE_ATTRIBUTE = "llm.gateway.access.scope";
    static final String AUDIENCE_ATTRIBUTE = "llm.gateway.access.audience";

    public static final GatewayAccess ANYONE = new GatewayAccess(null, null, null);

    public static GatewayAccess of(RealmModel realm) {
        return new GatewayAccess(
                realm.getAttribute(ROLE_ATTRIBUTE),
                realm.getAttribute(SCOPE_ATTRIBUTE),
                realm.getAttribute(AUDIENCE_ATTRIBUTE));
    }

    public void store(RealmModel realm) {
        set(realm, ROLE_ATTRIBUTE, requiredRole);
        set(realm, SCOPE_ATTRIBUTE, requiredScope);
        set(realm, AUDIENCE_ATTRIBUTE, requiredAudience);
    }

    private static void set(RealmModel realm, String name, String value) {
        if (value == null) {
            realm.removeAttribute(name);
        } else {
            realm.setAttribute(name, value);
        }
    }

    public boolean open() {
        return requiredRole == null && requiredScope == null && requiredAudience == null;
    }

    /**
     * Null when the caller may call, else the sentence that says what the realm requires (no secret in it: role,
     * scope and audience names are the realm's configuration).
     */
    public String refusal(RealmModel realm, UserModel user, AccessToken token) {
        if (open()) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        if (requiredRole != null) {
            RoleModel role = realm.getRole(requiredRole);
            if (role == null || user == null || !user.hasRole(role)) {
                missing.add("the realm role '" + requiredRole + "'");
            }
        }
        if (requiredScope != null && !hasScope(token, requiredScope)) {
            missing.add("a token with the scope '" + requiredScope + "'");
        }
        if (requiredAudience != null && (token == null || !token.hasAudience(requiredAudience))) {
            missing.add("a token for the audience '" + requiredAudience + "'");
        }
        if (missing.isEmpty()) {
            return null;
        }
        return "This realm's LLM gateway is open only to callers with " + String.join(" and ", missing)
                + "; ask an administrator for access.";
    }

    private static boolean hasScope(AccessToken token, String scope) {
        if (token == null || token.getScope() == null) {
            return false;
        }
        for (String s : token.getScope().split(" ")) {
            if (s.equals(scope)) {
                return true;
            }
        }
        return false;
    }
}
