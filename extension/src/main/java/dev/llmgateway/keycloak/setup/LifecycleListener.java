package dev.llmgateway.keycloak.setup;

import dev.llmgateway.keycloak.byok.UserKeyService;
import dev.llmgateway.keycloak.catalog.PriceTables;
import dev.llmgateway.keycloak.gateway.GatewayState;
import dev.llmgateway.keycloak.usage.UsageAnalytics;
import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.provider.ProviderEventListener;

/**
 * The extension's one listener for Keycloak's lifecycle events:
 * <ul>
 *   <li>a realm created (or imported): the account theme, the {@code llm} client scope and the User Profile attribute
 *   ({@link LlmRealmSetup});</li>
 *   <li>the server started (after migrations): the same, once, for realms that existed before the extension;</li>
 *   <li>a realm removed: its rows, in the same transaction that removes the realm (children first), and its entries in
 *   this node's caches;</li>
 *   <li>a user removed: their own keys and budget notices, in the same transaction, and their cached keys.</li>
 * </ul>
 */
final class LifecycleListener implements ProviderEventListener {

    static final String[] DELETE_QUERIES = {
        "llmModelsDeleteByRealm",
        "llmPricesDeleteByRealm",
        "llmProvidersDeleteByRealm",
        "llmAliasesDeleteByRealm",
        "llmRoutingRulesDeleteByRealm",
        "llmUsageEventsDeleteByRealm",
        "llmUsageDailyDeleteByRealm",
        "llmUsageRollupDeleteByRealm",
        "llmRealmSnapshotDeleteByRealm",
        "llmPowerLevelsDeleteByRealm",
        "llmUserKeysDeleteByRealm",
        "llmBudgetNoticesDeleteByRealm"
    };

    private final KeycloakSessionFactory factory;
    private final GatewayState state;

    LifecycleListener(KeycloakSessionFactory factory, GatewayState state) {
        this.factory = factory;
        this.state = state;
    }

    @Override
    public void onEvent(ProviderEvent event) {
        if (event instanceof RealmModel.RealmPostCreateEvent created) {
            LlmRealmSetup.created(created.getKeycloakSession(), created.getCreatedRealm());
        } else if (event instanceof PostMigrationEvent) {
            KeycloakModelUtils.runJobInTransaction(
                    factory,
                    session -> session.realms()
                            .getRealmsStream()
                            .forEach(realm -> LlmRealmSetup.provision(session, realm)));
        } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
            EntityManager em = removed.getKeycloakSession()
                    .getProvider(JpaConnectionProvider.class)
                    .getEntityManager();
            String realmId = removed.getRealm().getId();
            for (String query : DELETE_QUERIES) {
                em.createNamedQuery(query).setParameter("realmId", realmId).executeUpdate();
            }
            state.snapshots().forget(realmId);
            state.budgets().forgetRealm(realmId);
            state.userKeys().forgetRealm(realmId);
            UsageAnalytics.forgetRealm(realmId);
            PriceTables.forget(realmId);
        } else if (event instanceof UserModel.UserRemovedEvent removed) {
            String realmId = removed.getRealm().getId();
            String userId = removed.getUser().getId();
            UserKeyService.deleteAll(removed.getKeycloakSession(), realmId, userId);
            removed.getKeycloakSession()
                    .getProvider(JpaConnectionProvider.class)
                    .getEntityManager()
                    .createNamedQuery("llmBudgetNoticesDeleteByUser")
                    .setParameter("realmId", realmId)
                    .setParameter("userId", userId)
                    .executeUpdate();
            state.userKeys().forget(realmId, userId);
        }
    }
}
