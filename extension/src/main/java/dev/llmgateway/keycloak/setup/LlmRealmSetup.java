package dev.llmgateway.keycloak.setup;

import java.util.List;

import dev.llmgateway.keycloak.powerlevel.PowerLevelProfile;
import dev.llmgateway.keycloak.powerlevel.PowerLevelService;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * Gives every realm, once, the client scope {@value #SCOPE} holding the power-level mapper, as a default client scope
 * of the realm and of the clients it already has,
 * and the User Profile declaration of the power-level attribute: new realms when they are created, existing ones at
 * the first start with the extension. Once is once: a realm whose admins removed or changed the scope or the attribute
 * keeps their choice ({@value #PROVISIONED} and {@link PowerLevelProfile#DECLARED} mark the realm).
 */
public final class LlmRealmSetup {

    public static final String SCOPE = "llm";
    /** Our account theme: the stock account console plus "LLM API keys" and "My LLM usage". */
    public static final String ACCOUNT_THEME = "llm-gateway";
    /** Our admin theme: the stock admin console plus the "LLM Gateway" page. */
    public static final String ADMIN_THEME = "llm-gateway";

    static final String ADMIN_THEME_SET = "llm.gateway.admin-theme-provisioned";

    static final String PROVISIONED = "llm.gateway.scope-provisioned";
    private static final Logger LOG = Logger.getLogger(LlmRealmSetup.class);

    private LlmRealmSetup() {}

    /**
     * A new (or imported) realm: the account console with the LLM pages (unless it chose a theme or is the admin realm)
     * and the admin console with the LLM Gateway page (unless it chose a theme).
     */
    static void created(KeycloakSession session, RealmModel realm) {
        if (realm.getAccountTheme() == null && !Config.getAdminRealm().equals(realm.getName())) {
            realm.setAccountTheme(ACCOUNT_THEME);
        }
        useAdminThemeOnce(realm);
        provision(session, realm);
    }

    /**
     * The admin realm's console (where admins of every realm sign in) gets the LLM Gateway page once, at the first start
     * with the extension, unless it chose a theme; other existing realms keep theirs (the admin guide says how to
     * switch).
     */
    private static void useAdminThemeOnce(RealmModel realm) {
        if (Boolean.parseBoolean(realm.getAttribute(ADMIN_THEME_SET))) {
            return;
        }
        if (realm.getAdminTheme() == null) {
            realm.setAdminTheme(ADMIN_THEME);
        }
        realm.setAttribute(ADMIN_THEME_SET, "true");
    }

    static void provision(KeycloakSession session, RealmModel realm) {
        if (Config.getAdminRealm().equals(realm.getName())) {
            useAdminThemeOnce(realm);
        }
        PowerLevelProfile.declareOnce(session, realm, new PowerLevelService(session, realm).get());
        PowerLevelProfile.declareLimitsOnce(session, realm);
        if (Boolean.parseBoolean(realm.getAttribute(PROVISIONED))) {
            return;
        }
        ClientScopeModel scope = realm.getClientScopesStream()
                .filter(s -> SCOPE.equals(s.getName()))
                .findFirst()
                .orElse(null);
        if (scope == null) {
            scope = realm.addClientScope(SCOPE);
            scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
            scope.setDescription("LLM gateway: the user's power level (llm_power_level)");
            scope.setIncludeInTokenScope(true);
            scope.setDisplayOnConsentScreen(false);
            scope.addProtocolMapper(PowerLevelMapper.model());
            realm.addDefaultClientScope(scope, true);
            // A realm default scope reaches only clients created later: the realm's existing OpenID Connect clients get
            // it too, this once, so every token carries the level. Later removals from a client are the admins' choice.
            ClientScopeModel llm = scope;
            List<ClientModel> clients = realm.getClientsStream()
                    .filter(c -> c.getProtocol() == null || OIDCLoginProtocol.LOGIN_PROTOCOL.equals(c.getProtocol()))
                    .filter(c -> !c.getClientScopes(true).containsKey(SCOPE)
                            && !c.getClientScopes(false).containsKey(SCOPE))
                    .toList();
            clients.forEach(c -> c.addClientScope(llm, true));
            LOG.infof(
                    "LLM gateway: added the default client scope '%s' to realm %s and its %d existing clients",
                    SCOPE, realm.getName(), clients.size());
        }
        realm.setAttribute(PROVISIONED, "true");
    }
}
