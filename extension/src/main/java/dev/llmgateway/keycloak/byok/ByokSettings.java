package dev.llmgateway.keycloak.byok;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.llmgateway.keycloak.core.ConfigVersion;
import dev.llmgateway.keycloak.core.StringLists;
import org.keycloak.models.RealmModel;

/**
 * A realm's BYOK policy, kept as realm attributes and carried in the gateway's routing snapshot:
 * which provider types accept users' own keys ({@code null}: every type the realm has a provider of), and whether a
 * call whose BYOK key the vendor rejects may be retried with the organisation's key (default: no, the user chose to
 * pay themselves).
 */
public record ByokSettings(List<String> providerTypes, boolean fallbackToOrganizationKey) {

    static final String TYPES_ATTRIBUTE = "llm.byok.provider-types";
    static final String FALLBACK_ATTRIBUTE = "llm.byok.fallback-to-organization-key";

    public static ByokSettings of(RealmModel realm) {
        String types = realm.getAttribute(TYPES_ATTRIBUTE);
        return new ByokSettings(
                types == null ? null : StringLists.read(types),
                Boolean.parseBoolean(realm.getAttribute(FALLBACK_ATTRIBUTE)));
    }

    public void store(RealmModel realm) {
        if (providerTypes == null) {
            realm.removeAttribute(TYPES_ATTRIBUTE);
        } else {
            realm.setAttribute(TYPES_ATTRIBUTE, StringLists.write(providerTypes));
        }
        realm.setAttribute(FALLBACK_ATTRIBUTE, Boolean.toString(fallbackToOrganizationKey));
        ConfigVersion.bump(realm); // the gateway reads the policy from its routing snapshot
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
