package dev.llmgateway.keycloak.powerlevel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.llmgateway.keycloak.core.RateLimits;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.userprofile.config.UPAttribute;
import org.keycloak.representations.userprofile.config.UPAttributePermissions;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.userprofile.UserProfileProvider;

/**
 * The user attribute {@value PowerLevelResolver#ATTRIBUTE} in the realm's User Profile: admins edit it (a select of
 * the realm's levels), users see it, and any other value is refused by the profile's {@code options} validator. The
 * options follow the realm's levels whenever they change. Declared once per realm: admins may remove or edit it, and a
 * removed declaration is not added back.
 */
public final class PowerLevelProfile {

    static final String DECLARED = "llm.gateway.profile-attribute-declared";

    private PowerLevelProfile() {}

    /** Declares the attribute in a realm that never had it declared by us. */
    public static void declareOnce(KeycloakSession session, RealmModel realm, PowerLevels levels) {
        if (Boolean.parseBoolean(realm.getAttribute(DECLARED))) {
            return;
        }
        update(session, realm, config -> {
            UPAttribute attribute = config.getAttribute(PowerLevelResolver.ATTRIBUTE);
            if (attribute == null) {
                attribute = new UPAttribute(
                        PowerLevelResolver.ATTRIBUTE,
                        new UPAttributePermissions(Set.of("admin", "user"), Set.of("admin")));
                attribute.setDisplayName("LLM power level");
                attribute.setMultivalued(false);
                config.addOrReplaceAttribute(attribute);
            }
            applyOptions(attribute, levels);
            return true;
        });
        realm.setAttribute(DECLARED, "true");
    }

    static final String LIMITS_DECLARED = "llm.gateway.limit-attributes-declared";

    /**
     * Declares the three rate-limit override attributes ({@link RateLimits#REQUESTS_ATTRIBUTE} …) once per realm: whole
     * numbers, seen and edited by admins only (a user cannot raise their own limit).
     */
    public static void declareLimitsOnce(KeycloakSession session, RealmModel realm) {
        if (Boolean.parseBoolean(realm.getAttribute(LIMITS_DECLARED))) {
            return;
        }
        update(session, realm, config -> {
            declareLimit(config, RateLimits.REQUESTS_ATTRIBUTE, "LLM requests per minute", RateLimits.MAX_REQUESTS);
            declareLimit(config, RateLimits.TOKENS_ATTRIBUTE, "LLM tokens per minute", RateLimits.MAX_TOKENS);
            declareLimit(config, RateLimits.STREAMS_ATTRIBUTE, "LLM concurrent streams", RateLimits.MAX_STREAMS);
            return true;
        });
        realm.setAttribute(LIMITS_DECLARED, "true");
    }

    private static void declareLimit(UPConfig config, String name, String label, long max) {
        if (config.getAttribute(name) != null) {
            return;
        }
        UPAttribute attribute = new UPAttribute(name, new UPAttributePermissions(Set.of("admin"), Set.of("admin")));
        attribute.setDisplayName(label);
        attribute.setMultivalued(false);
        attribute.addValidation("integer", Map.of("min", 0L, "max", max));
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("inputType", "html5-number");
        annotations.put(
                "inputHelperTextBefore",
                "Overrides the limit of the user's power level (and of their client) for this user. "
                        + "Empty: that limit applies. 0 refuses every call.");
        attribute.setAnnotations(annotations);
        config.addOrReplaceAttribute(attribute);
    }

    /** Makes the declared attribute's options the realm's levels (nothing when the admins removed the attribute). */
    static void syncOptions(KeycloakSession session, RealmModel realm, PowerLevels levels) {
        update(session, realm, config -> {
            UPAttribute attribute = config.getAttribute(PowerLevelResolver.ATTRIBUTE);
            if (attribute == null) {
                return false;
            }
            applyOptions(attribute, levels);
            return true;
        });
    }

    private static void applyOptions(UPAttribute attribute, PowerLevels levels) {
        List<String> ids = levels.levels().stream().map(PowerLevel::id).toList();
        Map<String, Object> labels = new LinkedHashMap<>();
        levels.levels().forEach(l -> labels.put(l.id(), l.name()));
        attribute.addValidation("options", Map.of("options", ids));
        Map<String, Object> annotations = attribute.getAnnotations() == null
                ? new LinkedHashMap<>()
                : new LinkedHashMap<>(attribute.getAnnotations());
        annotations.put("inputType", "select");
        annotations.put("inputOptionLabels", labels);
        // Without a value the user is on the realm's default level: say so in the field's help (the consoles of
        // Keycloak 26.7 show inputHelperTextBefore as the help icon next to the label; they ignore ...After).
        annotations.remove("inputHelperTextAfter");
        annotations.put(
                "inputHelperTextBefore",
                "When no level is selected, the realm's default applies: "
                        + levels.defaultOne().name() + ". Only administrators change it.");
        attribute.setAnnotations(annotations);
    }

    private interface Change {
        boolean apply(UPConfig config);
    }

    /** The User Profile provider reads the realm from the session's context: set it for the change. */
    private static void update(KeycloakSession session, RealmModel realm, Change change) {
        RealmModel previous = session.getContext().getRealm();
        session.getContext().setRealm(realm);
        try {
            UserProfileProvider profiles = session.getProvider(UserProfileProvider.class);
            UPConfig config = profiles.getConfiguration();
            if (change.apply(config)) {
                profiles.setConfiguration(config);
            }
        } finally {
            session.getContext().setRealm(previous);
        }
    }
}
