import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.usage.LedgerWriter;
import dev.llmgateway.keycloak.usage.Rollup;
import dev.llmgateway.keycloak.usage.UsageLedger;
import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * The usage-ledger benchmark (run by {@code bench/run-ledger-bench.sh}; single-file source, JDK 17, launched with the
 * extension's classes and its dependencies on the class path). It creates the schema with the extension's own Liquibase
 * changelog, drives the real {@link UsageLedger} (its writer thread, {@code LedgerWriter}, {@code RollupWriter}) at a
 * fixed offered rate of realistic events through a {@link UsageLedger.BatchStore} that runs each batch in a
 * transaction of one JDBC connection (as Keycloak's runJobInTransaction + doWork does), then reports events/s, the
 * writer thread's CPU per event (ThreadMXBean), the database's CPU per event (the PostgreSQL backend of that
 * connection, and all PostgreSQL processes, from /proc), batch sizes, the deepest queue, events lost, and checks that
 * the daily rows and every rollup cube add up to the events.
 *
 * <pre>
 * java -cp CP bench/src/main/java/LedgerBench.java --db=jdbc:postgresql://127.0.0.1:5432/llm_bench_ledger \
 *     --db-user=postgres [--rate=5000] [--seconds=60] [--warmup=10] [--batch-size=1000] [--batch-wait-ms=100]
 *     [--users=1000] [--seed=42]
 * </pre>
 */
public final class LedgerBench {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    /** Held so the level set stays (JUL keeps loggers weakly). */
    private static final java.util.logging.Logger PGJDBC_LOG = java.util.logging.Logger.getLogger("org.postgresql");

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unknown argument " + a);
            }
            int eq = a.indexOf('=');
            o.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "true" : a.substring(eq + 1));
        }
        String url = o.getOrDefault("db", "jdbc:postgresql://127.0.0.1:5432/llm_bench_ledger");
        String user = o.getOrDefault("db-user", "postgres");
        String password = o.getOrDefault("db-password", "");
        int rate = Integer.parseInt(o.getOrDefault("rate", "5000"));
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "60"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "10"));
        int batchSize = Integer.parseInt(o.getOrDefault("batch-size", "1000"));
        long batchWait = Long.parseLong(o.getOrDefault("batch-wait-ms", "100"));
        int users = Integer.parseInt(o.getOrDefault("users", "1000"));
        long seed = Long.parseLong(o.getOrDefault("seed", "42"));
        boolean pg = url.startsWith("jdbc:postgresql:");

        Connection conn = DriverManager.getConnection(url, user, password);
        migrate(conn);
        // Liquibase leaves java.util.logging at its most verbose: the driver would then format every statement's
        // parameters for the log. Keycloak logs at INFO.
        PGJDBC_LOG.setLevel(java.util.logging.Level.INFO);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        conn.setAutoCommit(false);
        long backendPid = -1;
        if (pg) {
            try (var rs = conn.createStatement().executeQuery("select pg_backend_pid()")) {
                rs.next();
                backendPid = rs.getLong(1);
            }
            conn.commit();
        }
        LedgerWriter.Tables tables =
                new LedgerWriter.Tables("LLM_USAGE_EVENT", "LLM_USAGE_DAILY", "LLM_USAGE_ROLLUP", "LLM_USER_KEY");
        AtomicLong tries = new AtomicLong();
        AtomicLong txNanos = new AtomicLong();
        UsageLedger.BatchStore store = work -> {
            tries.incrementAndGet();
            long t0 = System.nanoTime();
            try {
                work.run(conn, tables);
                conn.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    conn.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r);
                }
                throw new IllegalStateException(e);
            } finally {
                txNanos.addAndGet(System.nanoTime() - t0);
            }
        };

        AtomicLong written = new AtomicLong();
        AtomicLong batches = new AtomicLong();
        AtomicLong maxBatch = new AtomicLong();
        AtomicLong minBatch = new AtomicLong(Long.MAX_VALUE);
        Events gen = new Events(users, seed);

        UsageLedger ledger = new UsageLedger(store, 100_000, batchSize, 1_000, batchWait, b -> {
            written.addAndGet(b.size());
            batches.incrementAndGet();
            maxBatch.accumulateAndGet(b.size(), Math::max);
            minBatch.accumulateAndGet(b.size(), Math::min);
        });
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Thread writerThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("llm-usage-ledger"))
                .findFirst()
                .orElseThrow();
        long writerId = writerThread.getId();

        System.out.printf(
                Locale.ROOT,
                "Ledger benchmark: %s, offered %,d events/s for %d s after a %d s warm-up; batch size %d, batch wait %d ms;"
                        + " %d users%n",
                pg ? "PostgreSQL" : url,
                rate,
                seconds,
                warmup,
                batchSize,
                batchWait,
                users);

        long offered = 0;
        long maxDepth = 0;
        long start = System.nanoTime();
        long measureFrom = start + warmup * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        long[] at = null;
        long offeredAtMeasure = 0;
        long writtenAtMeasure = 0;
        long batchesAtMeasure = 0;
        long txAtMeasure = 0;
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            long due = (long) ((now - start) / 1e9 * rate);
            while (offered < due) {
                ledger.record(gen.next(System.currentTimeMillis()));
                offered++;
            }
            maxDepth = Math.max(maxDepth, offered - written.get());
            if (at == null && now >= measureFrom) {
                at = sample(mx, writerId, backendPid);
                offeredAtMeasure = offered;
                writtenAtMeasure = written.get();
                batchesAtMeasure = batches.get();
                txAtMeasure = txNanos.get();
                maxDepth = 0;
            }
            LockSupport.parkNanos(1_000_000);
        }
        long[] atEnd = sample(mx, writerId, backendPid);
        long writtenAtEnd = written.get();
        long batchesAtEnd = batches.get();
        long txAtEnd = txNanos.get();
        long offeredMeasured = offered - offeredAtMeasure;
        long closeStart = System.nanoTime();
        ledger.close();
        // close() gives up waiting after 30 s; an overloaded run's writer may still be draining: the checks wait for
        // it.
        writerThread.join(TimeUnit.MINUTES.toMillis(10));
        long drainMillis = (System.nanoTime() - closeStart) / 1_000_000;

        long writtenMeasured = writtenAtEnd - writtenAtMeasure;
        double writerUs = (atEnd[0] - at[0]) / 1e3 / writtenMeasured;
        double backendUs = (atEnd[1] - at[1]) * (1e6 / TICKS_PER_SECOND) / writtenMeasured;
        double postgresUs = (atEnd[2] - at[2]) * (1e6 / TICKS_PER_SECOND) / writtenMeasured;
        double wallUs = (txAtEnd - txAtMeasure) / 1e3 / writtenMeasured;
        long measuredBatches = batchesAtEnd - batchesAtMeasure;

        System.out.println();
        System.out.println("== Throughput (measured window)");
        System.out.printf(
                Locale.ROOT,
                "offered            %,d events (%,.0f events/s)%n",
                offeredMeasured,
                offeredMeasured / (double) seconds);
        System.out.printf(
                Locale.ROOT,
                "written            %,d events (%,.0f events/s)%n",
                writtenMeasured,
                writtenMeasured / (double) seconds);
        System.out.printf(
                Locale.ROOT,
                "batches            %,d (mean %.0f events; whole run min %d, max %d)%n",
                measuredBatches,
                writtenMeasured / (double) Math.max(1, measuredBatches),
                minBatch.get(),
                maxBatch.get());
        System.out.printf(Locale.ROOT, "queue depth max    %,d events (queued or being written)%n", maxDepth);
        System.out.printf(
                Locale.ROOT,
                "transaction tries  %,d for %,d batches in all (a retry shows as an extra try)%n",
                tries.get(),
                batches.get());
        System.out.printf(Locale.ROOT, "drain at close     %,d ms (until the writer thread ended)%n", drainMillis);
        System.out.println();
        System.out.println("== CPU per event written (measured window)");
        System.out.printf(Locale.ROOT, "writer thread (llm-usage-ledger, JDBC driver included)  %7.1f µs%n", writerUs);
        if (pg) {
            System.out.printf(
                    Locale.ROOT, "PostgreSQL backend of the ledger's connection             %7.1f µs%n", backendUs);
            System.out.printf(
                    Locale.ROOT, "all PostgreSQL processes (WAL writer, checkpointer...)    %7.1f µs%n", postgresUs);
        }
        System.out.printf(Locale.ROOT, "wall time in transactions (writer's, incl. waiting on DB) %7.1f µs%n", wallUs);

        // Checks: nothing lost, every sum adds up.
        conn.setAutoCommit(true);
        long rows = one(conn, "select count(*) from LLM_USAGE_EVENT").longValue();
        long lost = offered - rows;
        System.out.println();
        System.out.println("== Checks (whole run)");
        System.out.printf(Locale.ROOT, "offered %,d, rows in LLM_USAGE_EVENT %,d, lost %,d%n", offered, rows, lost);
        List<String> failures = new ArrayList<>();
        if (lost != 0) {
            failures.add("events lost: " + lost);
        }
        BigDecimal[] ev = sums(
                conn,
                "select count(*), sum(PROMPT_TOKENS), sum(COMPLETION_TOKENS), sum(CACHED_TOKENS),"
                        + " sum(coalesce(COST, 0)), sum(case when OUTCOME = 'ok' then 0 else 1 end) from LLM_USAGE_EVENT");
        BigDecimal[] daily = sums(
                conn,
                "select sum(CALLS), sum(PROMPT_TOKENS), sum(COMPLETION_TOKENS),"
                        + " sum(CACHED_TOKENS), sum(COST), sum(ERRORS) from LLM_USAGE_DAILY");
        compare("daily", ev, daily, failures);
        for (Rollup.Cube cube : Rollup.Cube.values()) {
            for (Rollup.Grain grain : cube.grains) {
                BigDecimal[] r = sums(
                        conn,
                        "select sum(CALLS), sum(PROMPT_TOKENS), sum(COMPLETION_TOKENS),"
                                + " sum(CACHED_TOKENS), sum(COST) + sum(BYOK_COST), sum(ERRORS) from LLM_USAGE_ROLLUP where DIMS = '"
                                + cube.code + "' and GRAIN = '" + grain.code + "'");
                compare("rollup " + cube.code + "/" + grain.code, ev, r, failures);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "sums (calls, prompt, completion, cached tokens, cost, errors) of the daily rows"
                        + " and of all %d rollup cube/grain pairs equal the events': %s%n",
                18,
                failures.isEmpty() ? "yes" : "NO");
        System.out.printf(
                Locale.ROOT,
                "rows: daily %,d, rollup %,d%n",
                one(conn, "select count(*) from LLM_USAGE_DAILY").longValue(),
                one(conn, "select count(*) from LLM_USAGE_ROLLUP").longValue());
        System.out.println();
        System.out.println("== Verdict");
        boolean kept = writtenMeasured >= offeredMeasured * 0.99 && maxDepth < 100_000;
        System.out.printf(Locale.ROOT, "kept up with %,d events/s: %s%n", rate, kept ? "yes" : "NO");
        failures.forEach(f -> System.out.println("FAILED: " + f));
        conn.close();
        System.exit(failures.isEmpty() && kept ? 0 : 3);
    }

    /** The writer thread's CPU (ns), the backend's and all PostgreSQL processes' (ticks). */
    private static long[] sample(ThreadMXBean mx, long writerId, long backendPid) {
        return new long[] {mx.getThreadCpuTime(writerId), backendPid < 0 ? 0 : ticks(backendPid), postgresTicks()};
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    private static long postgresTicks() {
        long sum = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    if (Files.readString(p.resolve("comm")).trim().startsWith("postgres")) {
                        sum += ticks(Long.parseLong(name));
                    }
                } catch (Exception e) {
                    // gone meanwhile
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return sum;
    }

    private static void compare(String what, BigDecimal[] expected, BigDecimal[] got, List<String> failures) {
        for (int i = 0; i < expected.length; i++) {
            BigDecimal e = expected[i] == null ? BigDecimal.ZERO : expected[i];
            BigDecimal g = got[i] == null ? BigDecimal.ZERO : got[i];
            if (e.compareTo(g) != 0) {
                failures.add(what + " column " + (i + 1) + ": events " + e + ", " + what + " " + g);
            }
        }
    }

    private static BigDecimal[] sums(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            BigDecimal[] out = new BigDecimal[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getBigDecimal(i + 1);
            }
            return out;
        }
    }

    private static Number one(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return (Number) rs.getObject(1);
        }
    }

    private static void migrate(Connection c) throws Exception {
        var db = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
        db.setDatabaseChangeLogTableName("DATABASECHANGELOG_LLM");
        db.setDatabaseChangeLogLockTableName("DATABASECHANGELOGLOCK_LLM");
        new Liquibase("META-INF/llm-changelog-master.xml", new ClassLoaderResourceAccessor(), db).update("");
    }

    /**
     * Realistic events: users with a home client and power level (a few use a second client), 5 providers with 3 models
     * each, skewed towards a few models; 10 % with the user's own key, 3 % failed (no cost), 2 % of models unpriced,
     * 1 % fallbacks, 5 % streamed, a few reported by a service (no provider type).
     */
    static final class Events {
        private final SplittableRandom rnd;
        private final String[] users;
        private final String[] clients = {"chat-ui", "ide-plugin", "batch-jobs", "support-bot", "docs-search", "sdk"};
        private final String[] levels = {"bronze", "silver", "gold", "platinum"};
        private final String[] providers = new String[5];
        private final String[] types = {"openai", "anthropic", "openai", "gemini", "openrouter"};
        private final String realm =
                UUID.nameUUIDFromBytes("ledger-bench".getBytes()).toString();

        Events(int userCount, long seed) {
            rnd = new SplittableRandom(seed);
            users = new String[userCount];
            for (int i = 0; i < userCount; i++) {
                users[i] = UUID.nameUUIDFromBytes(("user" + i).getBytes()).toString();
            }
            for (int i = 0; i < providers.length; i++) {
                providers[i] =
                        UUID.nameUUIDFromBytes(("provider" + i).getBytes()).toString();
            }
        }

        UsageEvent next(long now) {
            int u = (int) (Math.pow(rnd.nextDouble(), 2) * users.length); // a few heavy users
            String client = clients[rnd.nextInt(10) == 0 ? rnd.nextInt(clients.length) : u % clients.length];
            String level = levels[u % levels.length];
            int p = Math.min(providers.length - 1, (int) (Math.pow(rnd.nextDouble(), 1.5) * providers.length));
            int m = rnd.nextInt(3);
            String model = types[p] + "-model-" + m;
            boolean reported = rnd.nextInt(50) == 0;
            boolean byok = !reported && rnd.nextInt(10) == 0;
            boolean failed = rnd.nextInt(33) == 0;
            boolean unpriced = p == 4 && m == 2;
            long prompt = failed ? 0 : 50 + rnd.nextInt(4_000);
            long completion = failed ? 0 : 10 + rnd.nextInt(1_000);
            long cached = failed ? 0 : prompt / 4 * rnd.nextInt(2);
            Usage usage = new Usage(prompt, completion, cached, m == 2 ? completion / 3 : 0, 0, 0);
            BigDecimal cost = failed || unpriced ? null : BigDecimal.valueOf(prompt * 150 + completion * 600, 9);
            return new UsageEvent(
                    UUID.randomUUID().toString(),
                    realm,
                    users[u],
                    client,
                    reported ? UsageEvent.SOURCE_REPORTED : UsageEvent.SOURCE_GATEWAY,
                    reported ? null : providers[p],
                    reported ? null : types[p],
                    model,
                    m == 0 ? "default" : model,
                    level,
                    byok,
                    rnd.nextInt(20) == 0,
                    usage,
                    cost,
                    failed ? 502 : 200,
                    failed ? "vendor_error" : "ok",
                    rnd.nextInt(100) == 0 ? 2 : 1,
                    200 + rnd.nextInt(3_000),
                    now,
                    false);
        }
    }
}
