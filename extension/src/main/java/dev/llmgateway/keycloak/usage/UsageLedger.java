package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.observe.GatewayMetrics;
import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.entity.AbstractEntityPersister;
import org.hibernate.persister.entity.EntityPersister;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Writes usage events off the request path: calls only enqueue; one writer thread stores them in batches, each batch
 * with its daily rollups (budgets) and its analytics rollups ({@link Rollup}) in one transaction (rollups are incremented in place, so nodes never overwrite each other's
 * counts). {@link #close()} drains the queue, so a clean shutdown loses nothing. A full queue drops events and says
 * so in the log rather than slowing the gateway. Its metrics: the queue's depth, the age of each batch's oldest event
 * when written, and the events lost (queue full, or a batch that failed its last try).
 */
public final class UsageLedger implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UsageLedger.class);
    private static final int MAX_TRIES = 3;

    private final KeycloakSessionFactory sessions;
    /** An event and when it was queued ({@link System#nanoTime()}). */
    private record Queued(UsageEvent event, long at) {}

    private final BlockingQueue<Queued> queue;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private final Consumer<List<UsageEvent>> afterWrite;
    private volatile boolean running = true;
    private volatile RollupWriter rollupWriter;
    private final GatewayMetrics metrics = GatewayMetrics.get();

    /** @param afterWrite told about each stored batch, on the writer thread (budget notices) */
    public UsageLedger(
            KeycloakSessionFactory sessions,
            int capacity,
            int batchSize,
            long flushIntervalMillis,
            Consumer<List<UsageEvent>> afterWrite) {
        this.sessions = sessions;
        this.afterWrite = afterWrite;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.flushIntervalMillis = flushIntervalMillis;
        metrics.ledgerQueue(queue, BlockingQueue::size);
        // Shown from the start at 0, so a dashboard's increase() sees the first loss.
        metrics.ledgerDropped(GatewayMetrics.DropReason.QUEUE_FULL, 0);
        metrics.ledgerDropped(GatewayMetrics.DropReason.WRITE_FAILED, 0);
        this.writer = new Thread(this::drainLoop, "llm-usage-ledger");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Never blocks. */
    public void record(UsageEvent event) {
        if (!queue.offer(new Queued(event, System.nanoTime()))) {
            metrics.ledgerDropped(GatewayMetrics.DropReason.QUEUE_FULL, 1);
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                LOG.warnf("LLM gateway: usage queue full, %d usage events dropped so far", n);
            }
        }
    }

    private void drainLoop() {
        List<Queued> queued = new ArrayList<>(batchSize);
        List<UsageEvent> batch = new ArrayList<>(batchSize);
        while (running || !queue.isEmpty()) {
            try {
                Queued first = queue.poll(flushIntervalMillis, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                queued.add(first);
                queue.drainTo(queued, batchSize - 1);
                queued.forEach(q -> batch.add(q.event()));
                try {
                    write(batch);
                } catch (RuntimeException e) {
                    metrics.ledgerDropped(GatewayMetrics.DropReason.WRITE_FAILED, batch.size());
                    throw e;
                }
                metrics.ledgerWritten(System.nanoTime() - first.at());
                afterWrite.accept(batch);
            } catch (InterruptedException e) {
                running = false;
            } catch (RuntimeException e) {
                LOG.errorf(e, "LLM gateway: could not write %d usage events", batch.size());
            } finally {
                queued.clear();
                batch.clear();
            }
        }
    }

    private void write(List<UsageEvent> batch) {
        for (int attempt = 1; ; attempt++) {
            try {
                KeycloakModelUtils.runJobInTransaction(sessions, session -> {
                    EntityManager em =
                            session.getProvider(JpaConnectionProvider.class).getEntityManager();
                    batch.forEach(e -> em.persist(toEntity(e)));
                    rollups(batch).values().forEach(r -> increment(em, r));
                    markKeysUsed(em, batch);
                    em.flush();
                    Map<Rollup.Key, Rollup.Totals> sums = Rollup.aggregate(batch);
                    RollupWriter w = rollupWriter(em);
                    em.unwrap(Session.class).doWork(c -> w.write(c, sums));
                });
                return;
            } catch (RuntimeException e) {
                // Another node may have created the same rollup row in the meantime: the next try updates it.
                if (attempt >= MAX_TRIES) {
                    throw e;
                }
            }
        }
    }

    private RollupWriter rollupWriter(EntityManager em) {
        RollupWriter w = rollupWriter;
        if (w == null) {
            w = new RollupWriter(tableName(em, LlmUsageRollupEntity.class));
            rollupWriter = w;
        }
        return w;
    }

    /** An entity's table as Hibernate names it in SQL (with the configured schema, if any). */
    public static String tableName(EntityManager em, Class<?> entity) {
        EntityPersister p = em.getEntityManagerFactory()
                .unwrap(SessionFactoryImplementor.class)
                .getMappingMetamodel()
                .getEntityDescriptor(entity);
        return ((AbstractEntityPersister) p).getIdentifierTableName();
    }

    private static Map<String, LlmUsageDailyEntity> rollups(List<UsageEvent> batch) {
        Map<String, LlmUsageDailyEntity> rows = new LinkedHashMap<>();
        for (UsageEvent e : batch) {
            int day = day(e.createdAt());
            String user = e.userId() == null ? "" : e.userId();
            String provider = e.providerId() == null ? "" : e.providerId();
            String model = e.model() == null ? "" : e.model();
            String key = e.realmId() + "|" + day + "|" + user + "|" + provider + "|" + model + "|" + e.byok();
            LlmUsageDailyEntity r = rows.computeIfAbsent(key, k -> {
                LlmUsageDailyEntity n = new LlmUsageDailyEntity();
                n.setId(KeycloakModelUtils.generateId());
                n.setRealmId(e.realmId());
                n.setDay(day);
                n.setUserId(user);
                n.setProviderId(provider);
                n.setModel(model);
                n.setByok(e.byok());
                n.setCost(BigDecimal.ZERO);
                return n;
            });
            r.setCalls(r.getCalls() + 1);
            r.setErrors(r.getErrors() + ("ok".equals(e.outcome()) ? 0 : 1));
            r.setPromptTokens(r.getPromptTokens() + e.usage().promptTokens());
            r.setCompletionTokens(r.getCompletionTokens() + e.usage().completionTokens());
            r.setCachedTokens(r.getCachedTokens() + e.usage().cachedTokens());
            if (e.cost() != null) {
                r.setCost(r.getCost().add(e.cost()));
            }
        }
        return rows;
    }

    /** Users' own keys the gateway used: their "last used" time, once per key per batch. */
    private static void markKeysUsed(EntityManager em, List<UsageEvent> batch) {
        Map<String, UsageEvent> latest = new LinkedHashMap<>();
        for (UsageEvent e : batch) {
            if (e.byok()
                    && UsageEvent.SOURCE_GATEWAY.equals(e.source())
                    && e.userId() != null
                    && e.providerType() != null) {
                latest.merge(
                        e.realmId() + "|" + e.userId() + "|" + e.providerType(),
                        e,
                        (a, b) -> a.createdAt() >= b.createdAt() ? a : b);
            }
        }
        for (UsageEvent e : latest.values()) {
            em.createNamedQuery("llmUserKeysMarkUsed")
                    .setParameter("at", e.createdAt())
                    .setParameter("realmId", e.realmId())
                    .setParameter("userId", e.userId())
                    .setParameter("type", e.providerType())
                    .executeUpdate();
        }
    }

    private static void increment(EntityManager em, LlmUsageDailyEntity r) {
        int updated = em.createNamedQuery("llmUsageDailyIncrement")
                .setParameter("calls", r.getCalls())
                .setParameter("errors", r.getErrors())
                .setParameter("prompt", r.getPromptTokens())
                .setParameter("completion", r.getCompletionTokens())
                .setParameter("cached", r.getCachedTokens())
                .setParameter("cost", r.getCost())
                .setParameter("realmId", r.getRealmId())
                .setParameter("day", r.getDay())
                .setParameter("userId", r.getUserId())
                .setParameter("providerId", r.getProviderId())
                .setParameter("model", r.getModel())
                .setParameter("byok", r.isByok())
                .executeUpdate();
        if (updated == 0) {
            em.persist(r);
        }
    }

    /** The UTC day as yyyymmdd. */
    public static int day(long epochMillis) {
        return day(Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate());
    }

    /** A date as the rollups key it: yyyymmdd. */
    public static int day(LocalDate d) {
        return d.getYear() * 10_000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }

    private static LlmUsageEventEntity toEntity(UsageEvent e) {
        LlmUsageEventEntity x = new LlmUsageEventEntity();
        x.setId(e.id());
        x.setRealmId(e.realmId());
        x.setUserId(e.userId());
        x.setClientId(e.clientId());
        x.setSource(e.source());
        x.setProviderId(e.providerId());
        x.setProviderType(e.providerType());
        x.setModel(e.model());
        x.setRequestedModel(e.requestedModel());
        x.setLevel(e.level());
        x.setByok(e.byok());
        x.setStreamed(e.streamed());
        x.setPromptTokens(e.usage().promptTokens());
        x.setCompletionTokens(e.usage().completionTokens());
        x.setCachedTokens(e.usage().cachedTokens());
        x.setCacheWriteTokens(e.usage().cacheWriteTokens());
        x.setReasoningTokens(e.usage().reasoningTokens());
        x.setCost(e.cost());
        x.setVendorCost(e.usage().vendorCost());
        x.setStatus(e.status());
        x.setOutcome(e.outcome());
        x.setAttempts(e.attempts());
        x.setLatencyMs(e.latencyMs());
        x.setCreatedAt(e.createdAt());
        x.setUsageEstimated(e.usageEstimated());
        return x;
    }

    /** Stops taking new work only after the queue is written. */
    @Override
    public void close() {
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.warnf("LLM gateway: %d usage events were not written before shutdown", queue.size());
        }
    }
}
