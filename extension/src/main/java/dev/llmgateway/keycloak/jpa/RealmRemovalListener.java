package dev.llmgateway.keycloak.jpa;

import dev.llmgateway.keycloak.byok.UserKeyService;
import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ProviderEventListener;

/**
 * Removes a realm's rows in the same transaction that removes the realm (children first), and a user's own keys in
 * the transaction that removes the user.
 */
public class RealmRemovalListener implements ProviderEventListener {

    static final String[] DELETE_QUERIES = {"llmModelsDeleteByRealm", "llmProvidersDeleteByRealm",
            "llmAliasesDeleteByRealm", "llmRoutingRulesDeleteByRealm", "llmUsageEventsDeleteByRealm", "llmUsageDailyDeleteByRealm", "llmPowerLevelsDeleteByRealm",
            "llmUserKeysDeleteByRealm", "llmBudgetNoticesDeleteByRealm"};

    @Override
    public void onEvent(ProviderEvent event) {
        if (event instanceof RealmModel.RealmRemovedEvent removed) {
            EntityManager em = removed.getKeycloakSession().getProvider(JpaConnectionProvider.class).getEntityManager();
            String realmId = removed.getRealm().getId();
            for (String query : DELETE_QUERIES) {
                em.createNamedQuery(query).setParameter("realmId", realmId).executeUpdate();
            }
        } else if (event instanceof UserModel.UserRemovedEvent removed) {
            UserKeyService.deleteAll(removed.getKeycloakSession(), removed.getRealm().getId(), removed.getUser().getId());
            removed.getKeycloakSession().getProvider(JpaConnectionProvider.class).getEntityManager()
                    .createNamedQuery("llmBudgetNoticesDeleteByUser").setParameter("realmId", removed.getRealm().getId())
                    .setParameter("userId", removed.getUser().getId()).executeUpdate();
        }
    }
}
