package dev.llmgateway.keycloak.setup;

import java.net.http.HttpClient;
import java.time.Duration;

import dev.llmgateway.keycloak.byok.UserKeyCache;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.config.LlmGatewayConfigFactory;
import dev.llmgateway.keycloak.gateway.GatewayState;
import dev.llmgateway.keycloak.gateway.ProviderRecovery;
import dev.llmgateway.keycloak.gateway.StreamRelay;
import dev.llmgateway.keycloak.gateway.VerifiedTokens;
import dev.llmgateway.keycloak.limits.RateLimiter;
import dev.llmgateway.keycloak.observe.GatewayMetrics;
import dev.llmgateway.keycloak.rest.realm.LlmRealmResource;
import dev.llmgateway.keycloak.routing.CooldownTracker;
import dev.llmgateway.keycloak.routing.RoutingSnapshots;
import dev.llmgateway.keycloak.usage.BudgetNotices;
import dev.llmgateway.keycloak.usage.Budgets;
import dev.llmgateway.keycloak.usage.UsageLedger;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;
import org.keycloak.services.scheduled.ScheduledTaskRunner;
import org.keycloak.timer.TimerProvider;

/** Mounts {@code /realms/{realm}/llm} and holds the gateway's per-node state. */
public class LlmRealmResourceProviderFactory implements RealmResourceProviderFactory {

    private static final Logger LOG = Logger.getLogger(LlmRealmResourceProviderFactory.class);
    public static final String PROVIDER_ID = "llm";
    /** Usage events written per transaction. */
    /** The key re-sealing starts this long after start, whatever its interval (the node settles first). */
    static final long KEK_RESEAL_FIRST_RUN_MS = 15_000;

    static final long STREAM_HEARTBEAT_MS = 60_000;

    private GatewayState state;
    private HttpClient http;

    @Override
    public RealmResourceProvider create(KeycloakSession session) {
        return new RealmResourceProvider() {
            @Override
            public Object getResource() {
                return new LlmRealmResource(session, state);
            }

            @Override
            public void close() {}
        };
    }

    /** The gateway's per-node state, for the other parts of the extension (the power-level mapper). */
    public GatewayState state() {
        return state;
    }

    @Override
    public void init(Config.Scope config) {
        http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        LlmGatewayConfigFactory settings = (LlmGatewayConfigFactory) factory.getProviderFactory(LlmGatewayConfig.class);
        BudgetNotices notices = new BudgetNotices(factory);
        UsageLedger ledger = new UsageLedger(
                factory,
                settings.usageQueueCapacity(),
                settings.usageBatchSize(),
                settings.usageFlushIntervalMillis(),
                settings.usageBatchWaitMillis(),
                notices::afterBatch);
        state = new GatewayState(
                new RoutingSnapshots(),
                new CooldownTracker(),
                http,
                ledger,
                new Budgets(settings.budgetRefreshMillis(), settings.usageFlushIntervalMillis()),
                new UserKeyCache(settings.byokRefreshMillis()),
                new ProviderRecovery(factory),
                new RateLimiter(new ClusterCounters(factory), System::currentTimeMillis),
                new VerifiedTokens(settings.tokenCacheMillis(), settings.tokenCacheSize()));
        GatewayMetrics.get().providersCooling(state.cooldowns(), c -> c.coolingDown(System.currentTimeMillis()));
        factory.register(new LifecycleListener(factory, state));
        scheduleMaintenance(factory, settings);
        scheduleHealthCheck(factory, settings);
        scheduleKekReseal(factory, settings);
        scheduleStreamHeartbeat(factory, state.limiter());
    }

    /** On every node: refreshes its part of the cluster's counts of open streams, so a node that dies stops counting. */
    private static void scheduleStreamHeartbeat(KeycloakSessionFactory factory, RateLimiter limiter) {
        KeycloakModelUtils.runJobInTransaction(
                factory,
                session -> session.getProvider(TimerProvider.class)
                        .schedule(
                                new ScheduledTaskRunner(factory, s -> limiter.heartbeat()),
                                STREAM_HEARTBEAT_MS,
                                STREAM_HEARTBEAT_MS));
    }

    /**
     * On nodes given previous KEKs only (a node without any has nothing to re-seal and must not take the interval from
     * one that has): once per interval in the cluster, the first run {@value #KEK_RESEAL_FIRST_RUN_MS} ms after start.
     */
    private static void scheduleKekReseal(KeycloakSessionFactory factory, LlmGatewayConfigFactory settings) {
        if (!settings.previousKeksConfigured()) {
            return;
        }
        long interval = settings.kekResealIntervalMillis();
        KeycloakModelUtils.runJobInTransaction(
                factory,
                session -> session.getProvider(TimerProvider.class)
                        .schedule(
                                new ScheduledTaskRunner(
                                        factory, new ClusterOnceTask(factory, new KekResealTask(factory), interval)),
                                KEK_RESEAL_FIRST_RUN_MS,
                                interval));
    }

    /** Once per interval in the cluster, the first run a minute after start (or sooner when the interval is shorter). */
    private static void scheduleMaintenance(KeycloakSessionFactory factory, LlmGatewayConfigFactory settings) {
        long interval = settings.usageMaintenanceIntervalMillis();
        UsageMaintenanceTask task = new UsageMaintenanceTask(factory, settings.usageRetentionDays());
        KeycloakModelUtils.runJobInTransaction(
                factory,
                session -> session.getProvider(TimerProvider.class)
                        .schedule(
                                new ScheduledTaskRunner(factory, new ClusterOnceTask(factory, task, interval)),
                                Math.min(interval, 60_000L),
                                interval));
    }

    /** Once per interval in the cluster, one node tests the providers in error again. */
    private static void scheduleHealthCheck(KeycloakSessionFactory factory, LlmGatewayConfigFactory settings) {
        long interval = settings.providerHealthIntervalMillis();
        KeycloakModelUtils.runJobInTransaction(
                factory,
                session -> session.getProvider(TimerProvider.class)
                        .schedule(
                                new ScheduledTaskRunner(
                                        factory,
                                        new ClusterOnceTask(factory, new ProviderHealthTask(factory), interval)),
                                interval,
                                interval));
    }

    /** Writes what the usage ledger still holds before the server stops. */
    @Override
    public void close() {
        if (state != null) {
            state.recovery().close();
            int streams = StreamRelay.endAll();
            if (streams > 0) {
                LOG.infof(
                        "LLM gateway: %d streams still being read were ended at shutdown and handed to the ledger as cancelled",
                        streams);
            }
            state.ledger().close();
        }
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
