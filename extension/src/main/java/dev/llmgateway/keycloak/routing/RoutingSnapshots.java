package dev.llmgateway.keycloak.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.llmgateway.keycloak.byok.ByokSettings;
import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.ConfigVersion;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.powerlevel.PowerLevelService;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.provider.Providers;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The routing snapshots of this node, one per realm. A call compares the realm's configuration version (a cached
 * realm attribute) with its snapshot's and reloads only on a change, so the steady state makes no database query.
 */
public final class RoutingSnapshots {

    private final Map<String, RoutingSnapshot> byRealm = new ConcurrentHashMap<>();

    public RoutingSnapshot get(KeycloakSession session, RealmModel realm) {
        String version = ConfigVersion.of(realm);
        RoutingSnapshot current = byRealm.get(realm.getId());
        if (current != null && current.version().equals(version)) {
            return current;
        }
        RoutingSnapshot loaded = load(session, realm, version);
        byRealm.put(realm.getId(), loaded);
        return loaded;
    }

    public void forget(String realmId) {
        byRealm.remove(realmId);
    }

    static RoutingSnapshot load(KeycloakSession session, RealmModel realm, String version) {
        ProviderService providers = new ProviderService(session, realm);
        RoutingRules rules = new RoutingRulesService(session, realm).get();
        Map<String, LlmProviderEntity> usable = new HashMap<>();
        Map<String, ProviderEndpoint> endpoints = new HashMap<>();
        Set<String> unhealthy = new HashSet<>();
        for (LlmProviderEntity p : providers.list()) {
            boolean active = Providers.STATUS_ACTIVE.equals(p.getStatus());
            if (p.isEnabled() && (active || Providers.STATUS_ERROR.equals(p.getStatus()))) {
                if (!active) {
                    unhealthy.add(p.getId());
                }
                usable.put(p.getId(), p);
                endpoints.put(
                        p.getId(),
                        new ProviderEndpoint(
                                p.getId(),
                                p.getName(),
                                Providers.type(p),
                                Providers.effectiveBaseUrl(p),
                                p.getApiKeySealed(),
                                ProviderService.keyContext(p),
                                Providers.limits(p)));
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        for (ModelView m : providers.allModels()) {
            LlmProviderEntity p = usable.get(m.providerId());
            if (p != null && m.enabled()) {
                candidates.add(new Candidate(
                        p.getId(),
                        p.getName(),
                        p.getType(),
                        p.getPriority(),
                        p.isAutoFallback(),
                        m.id(),
                        m.inputPrice(),
                        m.outputPrice(),
                        m.cachedInputPrice(),
                        m.cacheWritePrice(),
                        m.cacheWrite1hPrice(),
                        m.quality(),
                        providers.catalog().names(p.getType(), m.id()),
                        m.serviceTiers(),
                        providers.catalog().mode(p.getType(), m.id())));
            }
        }
        return new RoutingSnapshot(
                version,
                rules,
                new PowerLevelService(session, realm).get(),
                ByokSettings.of(realm),
                candidates,
                endpoints,
                unhealthy);
    }
}
