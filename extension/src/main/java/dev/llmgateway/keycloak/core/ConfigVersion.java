package dev.llmgateway.keycloak.core;

import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * The version of a realm's gateway configuration, kept as a realm attribute. Keycloak's realm cache is invalidated
 * cluster-wide when it changes, so every node sees a new version on its next call and reloads its routing snapshot;
 * reading it costs no database query.
 */
public final class ConfigVersion {

    static final String ATTRIBUTE = "llm.gateway.config-version";

    private ConfigVersion() {}

    public static String of(RealmModel realm) {
        String v = realm.getAttribute(ATTRIBUTE);
        return v == null ? "" : v;
    }

    /** Call after any change to providers, models or routing rules of the realm. */
    public static void bump(RealmModel realm) {
        realm.setAttribute(ATTRIBUTE, KeycloakModelUtils.generateId());
    }
}
