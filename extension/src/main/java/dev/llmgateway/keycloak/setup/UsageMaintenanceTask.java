package dev.llmgateway.keycloak.setup;

import java.time.Instant;
import java.util.List;

import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.usage.UsageMaintenance;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RealmProvider;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.timer.ScheduledTask;

/**
 * The usage housekeeping ({@link UsageMaintenance}) for every realm. Scheduled through {@link ClusterOnceTask}, so one
 * node of a cluster runs it per interval. Each batch of deletions is its own transaction.
 */
final class UsageMaintenanceTask implements ScheduledTask {

    static final String NAME = "llm-usage-maintenance";
    private static final Logger LOG = Logger.getLogger(UsageMaintenanceTask.class);

    private final KeycloakSessionFactory factory;
    private final int retentionDays;

    UsageMaintenanceTask(KeycloakSessionFactory factory, int retentionDays) {
        this.factory = factory;
        this.retentionDays = retentionDays;
    }

    @Override
    public String getTaskName() {
        return NAME;
    }

    @Override
    public void run(KeycloakSession session) {
        Instant now = Instant.now();
        List<String> realmIds = session.getProvider(RealmProvider.class)
                .getRealmsStream()
                .map(RealmModel::getId)
                .toList();
        for (String realmId : realmIds) {
            try {
                maintain(realmId, now);
            } catch (RuntimeException e) {
                LOG.errorf(
                        e, "LLM gateway: usage maintenance of realm %s failed; it runs again next interval", realmId);
            }
        }
    }

    private void maintain(String realmId, Instant now) {
        Long cutoff = UsageMaintenance.cutoff(now, retentionDays);
        long deleted = 0;
        if (cutoff != null) {
            int n;
            do {
                int[] batch = new int[1];
                KeycloakModelUtils.runJobInTransaction(
                        factory, s -> batch[0] = UsageMaintenance.deleteEventsBefore(em(s), realmId, cutoff));
                n = batch[0];
                deleted += n;
            } while (n == UsageMaintenance.DELETE_BATCH);
        }
        KeycloakModelUtils.runJobInTransaction(factory, s -> {
            RealmModel realm = s.realms().getRealm(realmId);
            if (realm == null) {
                return;
            }
            EntityManager em = em(s);
            UsageMaintenance.pruneHourly(em, realmId, now);
            ProviderService providers = new ProviderService(s, realm);
            UsageMaintenance.snapshot(em, realmId, now, providers.list().size(), providers.activeModelCount());
        });
        if (deleted > 0) {
            LOG.infof(
                    "LLM gateway: deleted %d usage events older than %d days in realm %s",
                    deleted, retentionDays, realmId);
        }
    }

    private static EntityManager em(KeycloakSession s) {
        return s.getProvider(JpaConnectionProvider.class).getEntityManager();
    }
}
