package dev.llmgateway.keycloak.setup;

import java.util.List;

import dev.llmgateway.keycloak.byok.LlmUserKeyEntity;
import dev.llmgateway.keycloak.catalog.LlmModelEntity;
import dev.llmgateway.keycloak.catalog.LlmPriceEntity;
import dev.llmgateway.keycloak.powerlevel.LlmPowerLevelEntity;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.routing.LlmModelAliasEntity;
import dev.llmgateway.keycloak.routing.LlmRoutingRulesEntity;
import dev.llmgateway.keycloak.usage.LlmBudgetNoticeEntity;
import dev.llmgateway.keycloak.usage.LlmRealmSnapshotEntity;
import dev.llmgateway.keycloak.usage.LlmUsageDailyEntity;
import dev.llmgateway.keycloak.usage.LlmUsageEventEntity;
import dev.llmgateway.keycloak.usage.LlmUsageRollupEntity;
import org.keycloak.Config;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Registers our tables. The id names Liquibase's tracking table ({@code DATABASECHANGELOG_LLM}): never change it.
 */
public class LlmJpaEntityProviderFactory implements JpaEntityProviderFactory, JpaEntityProvider {

    public static final String PROVIDER_ID = "llm";

    @Override
    public JpaEntityProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public List<Class<?>> getEntities() {
        return List.of(
                LlmProviderEntity.class,
                LlmModelEntity.class,
                LlmRoutingRulesEntity.class,
                LlmModelAliasEntity.class,
                LlmUsageEventEntity.class,
                LlmUsageDailyEntity.class,
                LlmPowerLevelEntity.class,
                LlmUserKeyEntity.class,
                LlmBudgetNoticeEntity.class,
                LlmUsageRollupEntity.class,
                LlmRealmSnapshotEntity.class,
                LlmTaskRunEntity.class,
                LlmPriceEntity.class);
    }

    @Override
    public String getChangelogLocation() {
        return "META-INF/llm-changelog-master.xml";
    }

    @Override
    public String getFactoryId() {
        return PROVIDER_ID;
    }

    @Override
    public void init(Config.Scope config) {}

    @Override
    public void postInit(KeycloakSessionFactory factory) {}

    @Override
    public void close() {}

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
