package dev.llmgateway.keycloak.usage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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
 * with its daily rollups (budgets) and its analytics rollups ({@link Rollup}) in one transaction, as plain JDBC batches
 * ({@link LedgerWriter}; rollups are incremented in place, so nodes never overwrite each other's counts). A batch is
 * written once it holds {@code batchSize} events or its first event has waited {@code batchWaitMillis}, whichever comes
 * first, so that a busy node writes few large batches rather than many of one event. {@link #close()} drains the
 * queue, so a clean shutdown loses nothing. A full queue drops events and says so in the log rather than slowing the
 * gateway. Its metrics: the queue's depth, the age of each batch's oldest event when written, and the events lost
 * (queue full, or a batch that failed its last try).
 */
public final class UsageLedger implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UsageLedger.class);
    private static final int MAX_TRIES = 3;
    private static final long MILLIS_PER_DAY = 86_400_000L;
    /** Users' own keys (their "last used"): named, not imported, as the usage package does not depend on byok. */
    private static final String USER_KEY_ENTITY = "dev.llmgateway.keycloak.byok.LlmUserKeyEntity";

    /** Runs work on a JDBC connection in one transaction: committed if the work returns, rolled back if it throws. */
    @FunctionalInterface
    public interface BatchStore {
        void inTransaction(Work work);
    }

    /** Work on the connection of a transaction, given the ledger's tables as that connection names them. */
    @FunctionalInterface
    public interface Work {
        void run(Connection c, LedgerWriter.Tables tables) throws SQLException;
    }

    /** An event and when it was queued ({@link System#nanoTime()}). */
    private record Queued(UsageEvent event, long at) {}

    private final BatchStore store;
    private final BlockingQueue<Queued> queue;
    private final int batchSize;
    private final long flushIntervalMillis;
    private final long batchWaitNanos;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private final Consumer<List<UsageEvent>> afterWrite;
    private volatile boolean running = true;
    private LedgerWriter ledgerWriter;
    private LedgerWriter.Tables writerTables;
    private final GatewayMetrics metrics = GatewayMetrics.get();

    /**
     * In Keycloak: each batch in its own Keycloak transaction, on its JPA connection.
     *
     * @param afterWrite told about each stored batch, on the writer thread (budget notices)
     */
    public UsageLedger(
            KeycloakSessionFactory sessions,
            int capacity,
            int batchSize,
            long flushIntervalMillis,
            long batchWaitMillis,
            Consumer<List<UsageEvent>> afterWrite) {
        this(keycloakStore(sessions), capacity, batchSize, flushIntervalMillis, batchWaitMillis, afterWrite);
    }

    /**
     * @param store runs each batch in a transaction (a benchmark or a test can give its own connections)
     * @param batchWaitMillis how long a batch's first event may wait for more before the batch is written
     * @param afterWrite told about each stored batch, on the writer thread (budget notices)
     */
    public UsageLedger(
            BatchStore store,
            int capacity,
            int batchSize,
            long flushIntervalMillis,
            long batchWaitMillis,
            Consumer<List<UsageEvent>> afterWrite) {
        this.store = store;
        this.afterWrite = afterWrite;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.flushIntervalMillis = flushIntervalMillis;
        this.batchWaitNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, batchWaitMillis));
        metrics.ledgerQueue(queue, BlockingQueue::size);
        // Shown from the start at 0, so a dashboard's increase() sees the first loss.
        metrics.ledgerDropped(GatewayMetrics.DropReason.QUEUE_FULL, 0);
        metrics.ledgerDropped(GatewayMetrics.DropReason.WRITE_FAILED, 0);
        this.writer = new Thread(this::drainLoop, "llm-usage-ledger");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Keycloak's way: a transaction of its own per batch, the work on its JPA session's connection. */
    public static BatchStore keycloakStore(KeycloakSessionFactory sessions) {
        LedgerWriter.Tables[] tables = new LedgerWriter.Tables[1];
        return work -> KeycloakModelUtils.runJobInTransaction(sessions, session -> {
            EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
            LedgerWriter.Tables t = tables[0];
            if (t == null) {
                t = new LedgerWriter.Tables(
                        tableName(em, LlmUsageEventEntity.class),
                        tableName(em, LlmUsageDailyEntity.class),
                        tableName(em, LlmUsageRollupEntity.class),
                        tableName(em, USER_KEY_ENTITY));
                tables[0] = t;
            }
            LedgerWriter.Tables names = t;
            em.unwrap(Session.class).doWork(c -> work.run(c, names));
        });
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
                long wait = first.at() + batchWaitNanos - System.nanoTime();
                if (queued.size() < batchSize && wait > 0 && running) {
                    // Let the batch fill: one wake-up per batch, not per event.
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        running = false; // stopping: write what was taken
                    }
                    queue.drainTo(queued, batchSize - queued.size());
                }
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
                store.inTransaction((c, tables) -> writer(tables).write(c, batch));
                return;
            } catch (RuntimeException e) {
                // Another node may have created the same daily or rollup row in the meantime: the next try updates it.
                if (attempt >= MAX_TRIES) {
                    throw e;
                }
            }
        }
    }

    private LedgerWriter writer(LedgerWriter.Tables tables) {
        if (ledgerWriter == null || !tables.equals(writerTables)) {
            ledgerWriter = new LedgerWriter(tables);
            writerTables = tables;
        }
        return ledgerWriter;
    }

    /** An entity's table as Hibernate names it in SQL (with the configured schema, if any). */
    public static String tableName(EntityManager em, Class<?> entity) {
        return tableName(em, entity.getName());
    }

    /** The same, by the entity's name (its class's fully qualified name). */
    static String tableName(EntityManager em, String entityName) {
        EntityPersister p = em.getEntityManagerFactory()
                .unwrap(SessionFactoryImplementor.class)
                .getMappingMetamodel()
                .getEntityDescriptor(entityName);
        return ((AbstractEntityPersister) p).getIdentifierTableName();
    }

    /** The UTC day as yyyymmdd. */
    public static int day(long epochMillis) {
        return day(LocalDate.ofEpochDay(Math.floorDiv(epochMillis, MILLIS_PER_DAY)));
    }

    /** A date as the rollups key it: yyyymmdd. */
    public static int day(LocalDate d) {
        return d.getYear() * 10_000 + d.getMonthValue() * 100 + d.getDayOfMonth();
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
