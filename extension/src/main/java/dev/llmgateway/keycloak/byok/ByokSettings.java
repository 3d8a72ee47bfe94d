package dev.llmgateway.keycloak.byok;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.keycloak.models.RealmModel;

/**
 * A realm's BYOK policy, kept as realm attributes (cached by Keycloak, so the gateway reads it without a query):
 * which provider types accept users' own keys ({@code null}: every type the realm has a provider of), and whether a
 * call whose BYOK key the vendor rejects may be retried with the organisation's key (default: no, the user chose to
 * pay themselves).
 */
public record ByokSettings(List<String> providerTypes, boolean fallbackToOrganizationKey) {

    static final String TYPES_ATTRIBUTE = "llm.byok.provider-types";
    static final String FALLBACK_ATTRIBUTE = "llm.byok.fallback-to-organization-key";

    public static ByokSettings of(RealmModel realm) {
        String types = realm.getAttribute(TYPES_ATTRIBUTE);
        List<String> list = types == null ? null
                : Arrays.stream(types.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new ByokSettings(list, Boolean.parseBoolean(realm.getAttribute(FALLBACK_ATTRIBUTE)));
    }

    public void store(RealmModel realm) {
        if (providerTypes == null) {
            realm.removeAttribute(TYPES_ATTRIBUTE);
        } else {
            realm.setAttribute(TYPES_ATTRIBUTE, String.join(",", providerTypes));
        }
        realm.setAttribute(FALLBACK_ATTRIBUTE, Boolean.toString(fallbackToOrganizationKey));
    }

    /** Whether users may bring their own key for a provider type. */
    public boolean accepts(String providerType) {
        return providerTypes == null || providerTypes.contains(providerType);
    }

    /** The types users may bring keys for, given the types the realm has providers of, in that order. */
    public Set<String> offered(Iterable<String> configuredTypes) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : configuredTypes) {
            if (accepts(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
