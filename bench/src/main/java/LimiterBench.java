import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.llmgateway.keycloak.core.RateLimits;
import dev.llmgateway.keycloak.limits.LocalCounters;
import dev.llmgateway.keycloak.limits.RateLimiter;
import dev.llmgateway.keycloak.limits.RateLimiter.Decision;
import dev.llmgateway.keycloak.limits.SharedCounters;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;

/**
 * Microbenchmark of the rate limiter on the hot path (hand-written harness: warm-up, timed rounds, medians):
 *
 * <pre>java -cp &lt;extension jar&gt;:&lt;Keycloak's lib/lib/main/*&gt; bench/src/main/java/LimiterBench.java [options]</pre>
 *
 * What one gateway call does with limits: {@code RateLimiter.admit} with the estimate, then {@code settle} with the
 * vendor's tokens (a caller limit: 1 admit + 1 settle; a caller and a provider limit: 2 + 2), on the stores a node
 * really uses: an embedded Infinispan <b>local</b> cache configured as Keycloak configures its {@code work} cache on a
 * single node (a default {@link ConfigurationBuilder}; {@code ClusterCounters}' calls on it), {@link LocalCounters} (a
 * map) for comparison, and with {@code --cluster} two Infinispan nodes in this JVM joined over JGroups TCP on loopback
 * with the {@code work} cache replicated synchronously (Keycloak's clustered set-up), calls alternating between them.
 * Threads: all on one user (contended) or one user per thread. The clock is frozen inside one second, so the windows
 * keep their shape: "61 buckets" is a user who called in every second of the last minute (every check parses and
 * writes 61 buckets), "1 bucket" one who only called in this second. Limits are never reached.
 */
public final class LimiterBench {

    static final RateLimits USER_LIMITS = new RateLimits(Integer.MAX_VALUE, Long.MAX_VALUE / 4, null);
    static final RateLimits PROVIDER_LIMITS = new RateLimits(Integer.MAX_VALUE, Long.MAX_VALUE / 4, null);
    static final long ESTIMATE = 103;
    static final long ACTUAL = 19;
    static final int SAMPLES_PER_THREAD = 1 << 20;

    // ------------------------------------------------------------------------------------------ options

    int[] threads = {1, 32};
    List<String> stores = new ArrayList<>(List.of("infinispan-local", "map"));
    int rounds = 7;
    long roundMillis = 1000;
    long warmupMillis = 1500;
    long globalWarmupMillis = 8000;
    boolean cluster = false;
    boolean onlyBusy = false;

    public static void main(String[] args) throws Exception {
        // Infinispan and JGroups log through java.util.logging here: warnings and errors only.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
        LimiterBench b = new LimiterBench();
        for (String a : args) {
            if (a.equals("--cluster")) {
                b.cluster = true;
                continue;
            }
            if (a.equals("--only-busy")) {
                b.onlyBusy = true;
                continue;
            }
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "threads" ->
                    b.threads = Arrays.stream(kv[1].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "stores" -> b.stores = new ArrayList<>(List.of(kv[1].split(",")));
                case "rounds" -> b.rounds = Integer.parseInt(kv[1]);
                case "round-millis" -> b.roundMillis = Long.parseLong(kv[1]);
                case "warmup-millis" -> b.warmupMillis = Long.parseLong(kv[1]);
                case "global-warmup-millis" -> b.globalWarmupMillis = Long.parseLong(kv[1]);
                default -> {
                    System.err.println("options: --threads=1,32 --stores=infinispan-local,map[,cluster] --rounds=N "
                            + "--round-millis=MS --warmup-millis=MS --global-warmup-millis=MS --cluster --only-busy");
                    System.exit(2);
                }
            }
        }
        if (b.cluster && !b.stores.contains("cluster")) {
            b.stores.add("cluster");
        }
        b.run();
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------ stores

    /** One or two nodes' counters over the same data; {@link #close} stops them. */
    interface Store extends AutoCloseable {
        SharedCounters node(int i);

        int nodes();

        @Override
        void close();
    }

    /** What ClusterCounters does with Keycloak's work cache. */
    record CacheCounters(Cache<String, String> cache) implements SharedCounters {
        @Override
        public String get(String key) {
            return cache.get(key);
        }

        @Override
        public boolean putIfAbsent(String key, String value, long lifespanMillis) {
            return cache.putIfAbsent(key, value, lifespanMillis, TimeUnit.MILLISECONDS) == null;
        }

        @Override
        public boolean replace(String key, String expected, String value, long lifespanMillis) {
            return cache.replace(key, expected, value, lifespanMillis, TimeUnit.MILLISECONDS);
        }
    }

    static Store open(String kind) throws Exception {
        switch (kind) {
            case "map" -> {
                LocalCounters c = new LocalCounters();
                return new Store() {
                    public SharedCounters node(int i) {
                        return c;
                    }

                    public int nodes() {
                        return 1;
                    }

                    public void close() {}
                };
            }
            case "infinispan-local" -> {
                // Keycloak on a single node (cache=local, start-dev): a non-clustered container; its work cache is a
                // default ConfigurationBuilder (CacheConfigurator.getCacheConfiguration("work", false)).
                DefaultCacheManager m = new DefaultCacheManager(
                        new GlobalConfigurationBuilder().nonClusteredDefault().build());
                m.defineConfiguration("work", new ConfigurationBuilder().build());
                Cache<String, String> cache = m.getCache("work");
                CacheCounters c = new CacheCounters(cache);
                return new Store() {
                    public SharedCounters node(int i) {
                        return c;
                    }

                    public int nodes() {
                        return 1;
                    }

                    public void close() {
                        m.stop();
                    }
                };
            }
            case "cluster" -> {
                // Keycloak clustered (cache=ispn): the work cache is REPL_SYNC. Two nodes in this JVM over JGroups TCP
                // on loopback (no multicast): every conditional write goes to the key's primary owner and is
                // replicated to the other node before it returns.
                int base = 7900 + (int) (ProcessHandle.current().pid() % 50) * 2;
                DefaultCacheManager a = clusterNode("a", base, base);
                DefaultCacheManager b = clusterNode("b", base + 1, base);
                Cache<String, String> ca = a.getCache("work");
                Cache<String, String> cb = b.getCache("work");
                long until = System.currentTimeMillis() + 30_000;
                while (ca.getAdvancedCache().getRpcManager().getMembers().size() < 2
                        || cb.getAdvancedCache().getRpcManager().getMembers().size() < 2) {
                    if (System.currentTimeMillis() > until) {
                        throw new IllegalStateException("the two nodes did not form a cluster");
                    }
                    Thread.sleep(100);
                }
                SharedCounters[] nodes = {new CacheCounters(ca), new CacheCounters(cb)};
                return new Store() {
                    public SharedCounters node(int i) {
                        return nodes[i];
                    }

                    public int nodes() {
                        return 2;
                    }

                    public void close() {
                        b.stop();
                        a.stop();
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown store " + kind);
        }
    }

    static DefaultCacheManager clusterNode(String name, int port, int base) throws Exception {
        String xml = """
                <config xmlns="urn:org:jgroups">
                  <TCP bind_addr="127.0.0.1" bind_port="%d" port_range="0" tcp_nodelay="true"/>
                  <TCPPING initial_hosts="127.0.0.1[%d],127.0.0.1[%d]" port_range="0"/>
                  <MERGE3/>
                  <FD_SOCK2/>
                  <FD_ALL3/>
                  <VERIFY_SUSPECT2/>
                  <pbcast.NAKACK2 use_mcast_xmit="false"/>
                  <UNICAST3/>
                  <pbcast.STABLE/>
                  <pbcast.GMS print_local_addr="false" join_timeout="3000"/>
                  <UFC/>
                  <MFC/>
                  <FRAG4/>
                </config>
                """.formatted(port, base, base + 1);
        Path file = Files.createTempFile("limiter-bench-jgroups-" + name, ".xml");
        Files.writeString(file, xml, StandardCharsets.UTF_8);
        file.toFile().deleteOnExit();
        GlobalConfigurationBuilder g = GlobalConfigurationBuilder.defaultClusteredBuilder();
        g.transport()
                .clusterName("limiter-bench-" + base)
                .nodeName(name)
                .addProperty("configurationFile", file.toString());
        DefaultCacheManager m = new DefaultCacheManager(g.build());
        ConfigurationBuilder work = new ConfigurationBuilder();
        work.clustering().cacheMode(CacheMode.REPL_SYNC);
        m.defineConfiguration("work", work.build());
        return m;
    }

    // ------------------------------------------------------------------------------------------ workload

    record Config(String store, int threads, boolean oneUser, boolean provider, boolean busyWindow) {
        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%-16s %3d  %-13s %-15s %-10s",
                    store,
                    threads,
                    oneUser ? "one user" : "user/thread",
                    provider ? "user+provider" : "user",
                    busyWindow ? "61 buckets" : "1 bucket");
        }
    }

    record Round(double callsPerSecond, double wallNsPerCall, double cpuNsPerCall, long p50, long p99, long p999) {}

    static final class Sample {
        final long[] nanos = new long[SAMPLES_PER_THREAD];
        int n;
        long ops;
        long cpu;
    }

    /** Frozen inside one second (its middle), so that a window keeps its buckets for the whole run. */
    static final long NOW = System.currentTimeMillis() / 1000 * 1000 + 500;

    static final LongSupplier CLOCK = () -> NOW;

    static String userScope(int i) {
        return "u|bench-realm-id-0000000000000000|" + String.format(Locale.ROOT, "%08x-0000-4000-8000-%012x", i, i);
    }

    static final String PROVIDER_SCOPE = "p|3f1c2b6e-8a4d-4f0e-9c1b-7d2e5a6f8b90";

    /** A window with a bucket in each of the 61 seconds a check counts (what a user calling every second has). */
    static String busyWindow() {
        long s = NOW / 1000;
        StringBuilder b = new StringBuilder();
        for (long sec = s - 60; sec <= s; sec++) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(sec).append(":3:").append(sec % 7 * 100 + 57);
        }
        return b.toString();
    }

    Round[] measure(Config c) throws Exception {
        try (Store store = open(c.store)) {
            RateLimiter[] limiters = new RateLimiter[store.nodes()];
            for (int i = 0; i < limiters.length; i++) {
                limiters[i] = new RateLimiter(store.node(i), CLOCK);
            }
            int users = c.oneUser ? 1 : c.threads;
            String[] scopes = new String[users];
            for (int i = 0; i < users; i++) {
                scopes[i] = userScope(i);
            }
            if (c.busyWindow) {
                String w = busyWindow();
                for (String s : scopes) {
                    store.node(0).putIfAbsent("llm-rl|" + s, w, 62_000);
                }
                store.node(0).putIfAbsent("llm-rl|" + PROVIDER_SCOPE, w, 62_000);
            }
            run(c, limiters, scopes, warmupMillis, new Sample[c.threads]);
            Round[] out = new Round[rounds];
            for (int r = 0; r < rounds; r++) {
                Sample[] samples = new Sample[c.threads];
                long wall = run(c, limiters, scopes, roundMillis, samples);
                out[r] = summarise(samples, wall);
            }
            return out;
        }
    }

    static final AtomicLong FAILURES = new AtomicLong();

    /** Runs every thread for {@code millis}; returns the wall time in ns (from the barrier to the last thread). */
    long run(Config c, RateLimiter[] limiters, String[] scopes, long millis, Sample[] samples) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        CyclicBarrier start = new CyclicBarrier(c.threads + 1);
        long[] began = new long[1];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < c.threads; t++) {
            int me = t;
            Sample s = new Sample();
            samples[t] = s;
            Thread th = new Thread(() -> {
                String scope = scopes[c.oneUser ? 0 : me];
                int node = me % limiters.length;
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                long cpu0 = mx.getCurrentThreadCpuTime();
                long end = began[0] + millis * 1_000_000L;
                long t0 = System.nanoTime();
                long ops = 0;
                long[] nanos = s.nanos;
                int n = 0;
                while (t0 < end) {
                    RateLimiter l = limiters[node];
                    Decision u = l.admit(scope, USER_LIMITS, ESTIMATE);
                    Decision p = c.provider ? l.admit(PROVIDER_SCOPE, PROVIDER_LIMITS, ESTIMATE) : null;
                    if (u.charge() == null || (c.provider && p.charge() == null)) {
                        FAILURES.incrementAndGet(); // the store failed or stayed contended: admitted uncounted
                    } else {
                        l.settle(u.charge(), ACTUAL);
                        if (p != null) {
                            l.settle(p.charge(), ACTUAL);
                        }
                    }
                    long t1 = System.nanoTime();
                    nanos[n] = t1 - t0;
                    n = (n + 1) & (SAMPLES_PER_THREAD - 1);
                    ops++;
                    t0 = t1;
                    if (limiters.length > 1) {
                        node = (node + 1) % limiters.length; // calls alternate between the nodes
                    }
                }
                s.cpu = mx.getCurrentThreadCpuTime() - cpu0;
                s.ops = ops;
                s.n = (int) Math.min(ops, SAMPLES_PER_THREAD);
            });
            th.setDaemon(true);
            th.start();
            ts.add(th);
        }
        began[0] = System.nanoTime() + 5_000_000; // the threads start timing together
        start.await();
        for (Thread t : ts) {
            t.join();
        }
        return System.nanoTime() - began[0];
    }

    static Round summarise(Sample[] samples, long wall) {
        long ops = 0;
        long cpu = 0;
        int n = 0;
        for (Sample s : samples) {
            ops += s.ops;
            cpu += s.cpu;
            n += s.n;
        }
        long[] all = new long[n];
        int at = 0;
        for (Sample s : samples) {
            System.arraycopy(s.nanos, 0, all, at, s.n);
            at += s.n;
        }
        Arrays.sort(all);
        double threads = samples.length;
        return new Round(
                ops / (wall / 1e9),
                wall * threads / ops,
                (double) cpu / ops,
                pct(all, 0.50),
                pct(all, 0.99),
                pct(all, 0.999));
    }

    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    // ------------------------------------------------------------------------------------------ report

    void run() throws Exception {
        System.out.printf(
                "Rate limiter microbenchmark, %s, JDK %s (%s), %d CPUs, load average %s%n",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(),
                loadAverage());
        System.out.printf(
                "Infinispan %s; %d rounds of %d ms per case after %d ms of warm-up (and %d ms over all cases first); "
                        + "medians over the rounds%n",
                org.infinispan.commons.util.Version.getVersion(),
                rounds,
                roundMillis,
                warmupMillis,
                globalWarmupMillis);
        System.out.println("One call = admit + settle per limit (user: 1 + 1; user+provider: 2 + 2), limits never "
                + "reached, estimate " + ESTIMATE + " tokens settled to " + ACTUAL + ".");
        System.out.println("wall ns/call = threads x round time / calls (what a call waits, CPU queueing included); "
                + "CPU ns/call = the threads' CPU time / calls; p50/p99/p99.9: each call timed.");

        // Baseline: no limit at all (admit returns at once without touching the store).
        RateLimiter none = new RateLimiter(new LocalCounters(), CLOCK);
        long t0 = System.nanoTime();
        long k = 0;
        while (System.nanoTime() - t0 < 500_000_000L) {
            for (int i = 0; i < 1000; i++) {
                if (none.admit("u|x", RateLimits.NONE, ESTIMATE) == Decision.UNLIMITED) {
                    k++;
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "No limit (the caller has none): %.1f ns per call%n",
                (System.nanoTime() - t0) / (double) k);

        List<Config> configs = new ArrayList<>();
        for (String store : stores) {
            for (boolean busy : onlyBusy ? new boolean[] {true} : new boolean[] {true, false}) {
                for (int th : threads) {
                    for (boolean oneUser : th == 1 ? new boolean[] {true} : new boolean[] {true, false}) {
                        for (boolean provider : new boolean[] {false, true}) {
                            configs.add(new Config(store, th, oneUser, provider, busy));
                        }
                    }
                }
            }
        }
        // Warm the code paths of every store before anything is timed, so the first case does not pay the JIT.
        long each = Math.max(200, globalWarmupMillis / Math.max(1, configs.size()));
        long savedWarm = warmupMillis;
        int savedRounds = rounds;
        warmupMillis = each;
        rounds = 0;
        for (Config c : configs) {
            measure(c);
        }
        warmupMillis = savedWarm;
        rounds = savedRounds;

        System.out.println();
        System.out.println("store          threads scope         limits          window     |    calls/s  wall ns/call"
                + "  CPU ns/call      p50      p99    p99.9  (ns)");
        for (Config c : configs) {
            Round[] rs = measure(c);
            System.out.printf(
                    Locale.ROOT,
                    "%s | %10.0f  %12.0f  %11.0f  %7.0f  %7.0f  %7.0f%n",
                    c.describe(),
                    median(Arrays.stream(rs).mapToDouble(Round::callsPerSecond).toArray()),
                    median(Arrays.stream(rs).mapToDouble(Round::wallNsPerCall).toArray()),
                    median(Arrays.stream(rs).mapToDouble(Round::cpuNsPerCall).toArray()),
                    median(Arrays.stream(rs).mapToDouble(r -> r.p50).toArray()),
                    median(Arrays.stream(rs).mapToDouble(r -> r.p99).toArray()),
                    median(Arrays.stream(rs).mapToDouble(r -> r.p999).toArray()));
        }
        System.out.printf(
                "%nCalls admitted without being counted (store failure or contention past 200 tries): %d%n",
                FAILURES.get());
        System.out.println("Load average at the end: " + loadAverage());
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
