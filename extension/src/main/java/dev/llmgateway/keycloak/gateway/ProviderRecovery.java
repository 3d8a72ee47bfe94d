package dev.llmgateway.keycloak.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderService;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * A call through a provider in {@code error} succeeded: the provider is marked active again, so every node's routing
 * puts it back among the healthy ones. Off the call's path (one background thread), once per provider at a time.
 */
public final class ProviderRecovery implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ProviderRecovery.class);

    private final KeycloakSessionFactory factory;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "llm-provider-recovery");
        t.setDaemon(true);
        return t;
    });

    public ProviderRecovery(KeycloakSessionFactory factory) {
        this.factory = factory;
    }

    /** The provider (in {@code error} in the caller's snapshot) answered a call made with its own key. */
    public void answered(String realmId, String providerId) {
        if (!pending.add(providerId)) {
            return;
        }
        worker.execute(() -> {
            try {
                KeycloakModelUtils.runJobInTransaction(factory, session -> {
                    RealmModel realm = session.realms().getRealm(realmId);
                    if (realm == null) {
                        return;
                    }
                    ProviderService providers = new ProviderService(session, realm);
                    for (LlmProviderEntity p : providers.list()) {
                        if (p.getId().equals(providerId) && providers.markAnswered(p)) {
                            LOG.infof(
                                    "LLM gateway: provider %s of realm %s answered a call; it is active again",
                                    p.getName(), realm.getName());
                        }
                    }
                });
            } catch (RuntimeException e) {
                LOG.warnf("LLM gateway: could not mark provider %s active again: %s", providerId, e.toString());
            } finally {
                pending.remove(providerId);
            }
        });
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
