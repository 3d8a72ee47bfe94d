package dev.llmgateway.keycloak.config;

import org.keycloak.provider.ProviderFactory;

public interface LlmGatewayConfigFactory extends ProviderFactory<LlmGatewayConfig> {

    /** How often the usage ledger writes queued events, in milliseconds. */
    long usageFlushIntervalMillis();

    /** How many usage events may wait in memory before new ones are dropped (and logged). */
    int usageQueueCapacity();

    /** Most usage events written in one transaction. */
    int usageBatchSize();

    /** How long the first event of a batch waits for more before the batch is written, in milliseconds. */
    long usageBatchWaitMillis();

    /** How long a node trusts a user's monthly spend read from the database, in milliseconds. */
    long budgetRefreshMillis();

    /** How long a node trusts a user's own keys read from the database, in milliseconds. */
    long byokRefreshMillis();

    /** How many days raw usage events are kept; 0 keeps them forever. Rollups are always kept. */
    int usageRetentionDays();

    /** How often the usage maintenance task (retention, hourly rollup pruning, daily snapshot) runs, in milliseconds. */
    long usageMaintenanceIntervalMillis();

    /** How often one node of the cluster re-seals keys sealed with a previous KEK, in milliseconds. */
    long kekResealIntervalMillis();

    /** Whether this node was given previous KEKs (options, or vault secrets), so has keys to re-seal. */
    boolean previousKeksConfigured();

    /** How often the providers in {@code error} are tested again (one node of the cluster), in milliseconds. */
    long providerHealthIntervalMillis();

    /**
     * How long a node trusts a bearer token it verified in full, in milliseconds (0: every call verifies in full). A
     * session that ended without a not-before, or a revoked token, is refused within this time; a disabled user or
     * client and a not-before revocation at once.
     */
    long tokenCacheMillis();

    /** How many verified bearer tokens a node keeps at most. */
    int tokenCacheSize();
}
