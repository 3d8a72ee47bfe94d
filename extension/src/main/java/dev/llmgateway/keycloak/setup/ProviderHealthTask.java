package dev.llmgateway.keycloak.setup;

import java.util.List;

import dev.llmgateway.keycloak.observe.GatewayMetrics;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.provider.Providers;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RealmProvider;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.timer.ScheduledTask;

/**
 * Tests again every enabled provider in {@code error}, realm by realm, each in its own transaction. Scheduled through
 * {@link ClusterOnceTask}: one node of a cluster runs it per interval. A provider that answers is active
 * again (and every node's routing learns it from the configuration version); one that does not stays in error, still
 * tried after the healthy ones.
 */
final class ProviderHealthTask implements ScheduledTask {

    static final String NAME = "llm-provider-health";
    private static final Logger LOG = Logger.getLogger(ProviderHealthTask.class);

    private final KeycloakSessionFactory factory;

    ProviderHealthTask(KeycloakSessionFactory factory) {
        this.factory = factory;
    }

    @Override
    public String getTaskName() {
        return NAME;
    }

    @Override
    public void run(KeycloakSession session) {
        record Failing(String realmId, String providerId) {}
        List<Failing> failing = session.getProvider(RealmProvider.class)
                .getRealmsStream()
                .flatMap(realm -> new ProviderService(session, realm)
                        .list().stream()
                                .filter(p -> p.isEnabled() && Providers.STATUS_ERROR.equals(p.getStatus()))
                                .map(p -> new Failing(realm.getId(), p.getId())))
                .toList();
        for (Failing f : failing) {
            try {
                KeycloakModelUtils.runJobInTransaction(factory, s -> recheck(s, f.realmId(), f.providerId()));
            } catch (RuntimeException e) {
                LOG.warnf(
                        "LLM gateway: health check of provider %s failed; it runs again next interval: %s",
                        f.providerId(), e.toString());
            }
        }
    }

    private static void recheck(KeycloakSession session, String realmId, String providerId) {
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm == null) {
            return;
        }
        ProviderService providers = new ProviderService(session, realm);
        for (LlmProviderEntity p : providers.list()) {
            if (p.getId().equals(providerId) && p.isEnabled() && Providers.STATUS_ERROR.equals(p.getStatus())) {
                boolean answered = providers.recheck(p);
                GatewayMetrics.get().healthCheck(realm.getName(), p.getName(), answered);
                if (answered) {
                    LOG.infof(
                            "LLM gateway: provider %s of realm %s answers its connection test again; it is active",
                            p.getName(), realm.getName());
                }
            }
        }
    }
}
