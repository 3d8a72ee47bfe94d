import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.usage.Pricing;
import dev.llmgateway.keycloak.usage.Rollup;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The usage-analytics benchmark (run by {@code bench/run-analytics-bench.sh}; single-file source, JDK 17, launched with
 * the extension jar and the Keycloak distribution's libraries on the class path, which bring pgjdbc):
 *
 * <pre>
 * java -cp EXT_JAR:KC/lib/lib/main/*:KC/lib/lib/boot/org.jboss.logging.jboss-logging-*.jar \
 *     bench/src/main/java/AnalyticsBench.java setup|fill|measure|diagnose [--option=value ...]
 * </pre>
 *
 * <ul>
 *   <li>{@code setup}: against a running Keycloak whose database Liquibase has just created: the realm (6 clients, 4
 *       power levels, N users with a fixed level each), 5 providers with 3 models each (a fake vendor on loopback
 *       answers their connection test), model prices; writes the ids to the state file.
 *   <li>{@code fill} (Keycloak stopped): N usage events over D days straight into PostgreSQL through COPY, into the
 *       tables the ledger writes: LLM_USAGE_EVENT, LLM_USAGE_DAILY (the budgets' rows, summed like
 *       {@code UsageLedger}) and LLM_USAGE_ROLLUP (summed by the extension's own {@link Rollup#aggregate}, one call per
 *       UTC day of events, month rows added up across days; hourly rows older than the maintenance task's horizon are
 *       not written, as if pruned). Indexes and keys are dropped for the load and rebuilt with their exact definitions.
 *   <li>{@code measure} (Keycloak running): /stats and /usage over HTTP (warm-up, then round-robin timed calls), the
 *       CSV export's throughput with the server's heap sampled during it, the live heap at a quarter, half and three
 *       quarters of an export (forced full GCs), a slow client. Exit code 0 when every target is met, 3 when one is
 *       missed.
 *   <li>{@code diagnose} (Keycloak running with auto_explain and statement logging in its connections): each request
 *       once between markers in PostgreSQL's log; the statements it ran, their time, round trips and rows, and
 *       {@code EXPLAIN (ANALYZE, BUFFERS)} of the slowest with the parameters Keycloak bound.
 * </ul>
 */
public final class AnalyticsBench {

    static final long HOUR_MS = 3_600_000L;
    static final long DAY_MS = 86_400_000L;

    /** Hourly rollups kept by UsageMaintenance.pruneHourly (HOURLY_DAYS_TRENDS and HOURLY_DAYS_WIDE). */
    static final int HOURLY_DAYS_TRENDS = 62;

    static final int HOURLY_DAYS_WIDE = 8;

    // ------------------------------------------------------------------------------------------ the simulated realm

    /** Provider type, display name. */
    static final String[][] PROVIDERS = {
        {"openai", "OpenAI"},
        {"anthropic", "Anthropic"},
        {"mistral", "Mistral"},
        {"groq", "Groq"},
        {"openrouter", "OpenRouter"}
    };

    /** A model: prices in USD per 1M tokens (null input = unpriced), relative popularity, median latency. */
    record ModelSpec(
            int provider,
            String id,
            String in,
            String out,
            String cached,
            double popularity,
            int latencyMs,
            boolean reasoning) {

        BigDecimal inputPrice() {
            return in == null ? null : new BigDecimal(in);
        }

        BigDecimal outputPrice() {
            return out == null ? null : new BigDecimal(out);
        }

        BigDecimal cachedPrice() {
            return cached == null ? null : new BigDecimal(cached);
        }

        /** Mean of input and output price (what a level's price ceiling compares); null when unpriced. */
        BigDecimal blended() {
            return in == null ? null : inputPrice().add(outputPrice()).divide(BigDecimal.valueOf(2));
        }
    }

    static final List<ModelSpec> MODELS = List.of(
            new ModelSpec(0, "gpt-4o-mini", "0.15", "0.60", "0.075", 30, 900, false),
            new ModelSpec(0, "gpt-4.1", "2.00", "8.00", "0.50", 10, 2500, false),
            new ModelSpec(0, "o3-mini", "1.10", "4.40", "0.55", 4, 5000, true),
            new ModelSpec(1, "claude-haiku-4-5", "1.00", "5.00", "0.10", 14, 1200, false),
            new ModelSpec(1, "claude-sonnet-4-5", "3.00", "15.00", "0.30", 12, 3000, false),
            new ModelSpec(1, "claude-opus-4-1", "15.00", "75.00", "1.50", 2, 6000, false),
            new ModelSpec(2, "mistral-small-latest", "0.10", "0.30", null, 6, 800, false),
            new ModelSpec(2, "mistral-medium-latest", "0.40", "2.00", null, 3, 1800, false),
            new ModelSpec(2, "codestral-latest", "0.30", "0.90", null, 5, 700, false),
            new ModelSpec(3, "llama-3.1-8b-instant", "0.05", "0.08", null, 5, 300, false),
            new ModelSpec(3, "llama-3.3-70b-versatile", "0.59", "0.79", null, 4, 600, false),
            new ModelSpec(3, "qwen/qwen3-32b", "0.29", "0.59", null, 1.5, 900, true),
            new ModelSpec(4, "deepseek/deepseek-chat-v3.1", "0.27", "1.10", null, 3, 2500, false),
            new ModelSpec(4, "google/gemini-2.5-flash", "0.30", "2.50", "0.075", 4, 1500, false),
            new ModelSpec(4, "acme/support-ft-v3", null, null, null, 1, 1500, false));

    static final String[] CLIENTS = {
        "chat-portal", "vscode-assistant", "support-bot", "data-pipeline", "mobile-app", "reporting"
    };
    static final double[] CLIENT_WEIGHTS = {40, 25, 15, 10, 7, 3};

    /** Power levels, lowest first, their share of users and price ceilings (blended USD per 1M tokens). */
    static final String[] LEVELS = {"eco", "balanced", "precision", "research"};

    static final double[] LEVEL_SHARE = {45, 33, 17, 5};
    static final String[] LEVEL_CEILING = {"1", "3", "10", "100"};

    // ------------------------------------------------------------------------------------------ options

    static final class Opts {
        String kc = "http://127.0.0.1:8180";
        String realm = "analytics";
        String adminUser = "admin";
        String adminPassword = "admin";
        String db = "jdbc:postgresql://127.0.0.1:5432/llm_bench_analytics";
        String dbUser = "postgres";
        String dbPassword = "";
        Path state = Path.of(".run/analytics-bench-state.properties");
        long events = 10_000_000L;
        int days = 400;
        int users = 1000;
        long seed = 42;
        long kcPid = -1;
        Path gcLog;
        int warmup = 20;
        int repeat = 100;
        String exportPeriod = "30d";
        int quietWait = 600;
        Path pgLog = Path.of("/var/log/postgresql/postgresql-15-main.log");

        static Opts parse(String[] args, int from) {
            Opts o = new Opts();
            for (int i = from; i < args.length; i++) {
                String a = args[i];
                int eq = a.indexOf('=');
                if (!a.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("unknown argument: " + a);
                }
                String k = a.substring(2, eq);
                String v = a.substring(eq + 1);
                switch (k) {
                    case "kc" -> o.kc = v.replaceAll("/+$", "");
                    case "realm" -> o.realm = v;
                    case "admin-user" -> o.adminUser = v;
                    case "admin-password" -> o.adminPassword = v;
                    case "db" -> o.db = v;
                    case "db-user" -> o.dbUser = v;
                    case "db-password" -> o.dbPassword = v;
                    case "state" -> o.state = Path.of(v);
                    case "events" -> o.events = Long.parseLong(v);
                    case "days" -> o.days = Integer.parseInt(v);
                    case "users" -> o.users = Integer.parseInt(v);
                    case "seed" -> o.seed = Long.parseLong(v);
                    case "kc-pid" -> o.kcPid = Long.parseLong(v);
                    case "gc-log" -> o.gcLog = Path.of(v);
                    case "warmup" -> o.warmup = Integer.parseInt(v);
                    case "repeat" -> o.repeat = Integer.parseInt(v);
                    case "export-period" -> o.exportPeriod = v;
                    case "quiet-wait" -> o.quietWait = Integer.parseInt(v);
                    case "pg-log" -> o.pgLog = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option: --" + k);
                }
            }
            URI u = URI.create(o.kc);
            if (!"127.0.0.1".equals(u.getHost()) && !"localhost".equals(u.getHost())) {
                throw new IllegalArgumentException("only loopback addresses: " + o.kc);
            }
            if (u.getPort() == 8080 || u.getPort() == 9000) {
                throw new IllegalArgumentException("ports 8080 and 9000 belong to the test suite");
            }
            if (!o.db.contains("llm_bench")) {
                throw new IllegalArgumentException("the benchmark only writes to a database named llm_bench*: " + o.db);
            }
            return o;
        }

        Connection connect() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", dbUser);
            if (!dbPassword.isEmpty()) {
                p.setProperty("password", dbPassword);
            }
            return DriverManager.getConnection(db, p);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(
                    "usage: AnalyticsBench setup|fill|measure|diagnose [--kc=URL] [--realm=] [--db=JDBC-URL] [--db-user=]"
                            + " [--state=FILE] [--events=N] [--days=D] [--users=N] [--seed=S] [--kc-pid=PID] [--gc-log=FILE]"
                            + " [--warmup=N] [--repeat=N] [--export-period=30d] [--quiet-wait=SECONDS] [--pg-log=FILE]");
            return;
        }
        Opts o = Opts.parse(args, 1);
        int rc = switch (args[0]) {
            case "setup" -> new Setup(o).run();
            case "fill" -> new Fill(o).run();
            case "measure" -> new Measure(o).run();
            case "diagnose" -> new Diagnose(o).run();
            default -> throw new IllegalArgumentException("unknown mode: " + args[0]);
        };
        System.exit(rc);
    }

    // ------------------------------------------------------------------------------------------ state

    /** What setup created and fill and measure need: ids. */
    static final class State {
        String realmName;
        String realmId;
        String[] providerIds = new String[PROVIDERS.length];
        List<String[]> users = new ArrayList<>(); // id, username, level; in order of activity (first = busiest)

        void save(Path file) throws IOException {
            Properties p = new Properties();
            p.setProperty("realm.name", realmName);
            p.setProperty("realm.id", realmId);
            for (int i = 0; i < providerIds.length; i++) {
                p.setProperty("provider." + i, providerIds[i]);
            }
            p.setProperty("users", Integer.toString(users.size()));
            for (int i = 0; i < users.size(); i++) {
                p.setProperty("user." + i, String.join("|", users.get(i)));
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (Writer w = Files.newBufferedWriter(file)) {
                p.store(w, "AnalyticsBench setup");
            }
        }

        static State load(Path file) throws IOException {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            State s = new State();
            s.realmName = p.getProperty("realm.name");
            s.realmId = p.getProperty("realm.id");
            for (int i = 0; i < PROVIDERS.length; i++) {
                s.providerIds[i] = p.getProperty("provider." + i);
            }
            int n = Integer.parseInt(p.getProperty("users"));
            for (int i = 0; i < n; i++) {
                s.users.add(p.getProperty("user." + i).split("\\|"));
            }
            return s;
        }
    }

    // ------------------------------------------------------------------------------------------ setup

    static final class Setup {
        final Opts o;
        final Http http;

        Setup(Opts o) {
            this.o = o;
            this.http = new Http(o);
        }

        int run() throws Exception {
            long t0 = System.nanoTime();
            String admin = http.adminToken();
            String base = o.kc + "/admin/realms/" + o.realm;
            HttpResponse<String> del = http.send(Http.authed(base, admin).DELETE());
            if (del.statusCode() == 204) {
                say("Deleted the realm '" + o.realm + "' left from an earlier run");
            }
            StringBuilder clients = new StringBuilder();
            for (String c : CLIENTS) {
                clients.append(clients.length() == 0 ? "" : ",")
                        .append("{\"clientId\":\"")
                        .append(c)
                        .append("\",\"enabled\":true,\"publicClient\":true,\"standardFlowEnabled\":false,")
                        .append("\"directAccessGrantsEnabled\":true}");
            }
            Http.expect(
                    http.send(Http.json(o.kc + "/admin/realms", admin)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"realm\":\"" + o.realm + "\",\"enabled\":true,\"clients\":[" + clients + "]}"))),
                    201,
                    "create realm");
            State s = new State();
            s.realmName = o.realm;
            s.realmId = Http.field(http.send(Http.authed(base, admin).GET()).body(), "id");

            StringBuilder levels = new StringBuilder();
            for (int i = 0; i < LEVELS.length; i++) {
                levels.append(i == 0 ? "" : ",")
                        .append("{\"id\":\"")
                        .append(LEVELS[i])
                        .append("\",\"name\":\"")
                        .append(Character.toUpperCase(LEVELS[i].charAt(0)))
                        .append(LEVELS[i].substring(1))
                        .append("\",\"price_ceiling\":")
                        .append(LEVEL_CEILING[i])
                        .append('}');
            }
            Http.expect(
                    http.send(Http.json(base + "/llm/power-levels", admin)
                            .PUT(HttpRequest.BodyPublishers.ofString(
                                    "{\"default\":\"eco\",\"levels\":[" + levels + "]}"))),
                    200,
                    "power levels");

            // Users: ids chosen here, each with a fixed level; partial imports of 250.
            SplittableRandom r = new SplittableRandom(o.seed);
            double[] levelCum = cumulative(LEVEL_SHARE);
            for (int i = 0; i < o.users; i++) {
                String id = new UUID(
                                (r.nextLong() & ~0xF000L) | 0x4000L,
                                (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
                        .toString();
                s.users.add(
                        new String[] {id, String.format(Locale.ROOT, "user%04d", i + 1), LEVELS[pick(levelCum, r)]});
            }
            // The busiest users are not the first usernames.
            List<String[]> byActivity = new ArrayList<>(s.users);
            for (int i = byActivity.size() - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                String[] t = byActivity.get(i);
                byActivity.set(i, byActivity.get(j));
                byActivity.set(j, t);
            }
            for (int from = 0; from < s.users.size(); from += 250) {
                StringBuilder users = new StringBuilder();
                for (String[] u : s.users.subList(from, Math.min(from + 250, s.users.size()))) {
                    users.append(users.length() == 0 ? "" : ",")
                            .append("{\"id\":\"")
                            .append(u[0])
                            .append("\",\"username\":\"")
                            .append(u[1])
                            .append("\",\"enabled\":true,\"email\":\"")
                            .append(u[1])
                            .append("@example.org\",\"emailVerified\":true,\"firstName\":\"User\",\"lastName\":\"")
                            .append(u[1].substring(4))
                            .append("\",\"attributes\":{\"llm_power_level\":[\"")
                            .append(u[2])
                            .append("\"]}}");
                }
                Http.expect(
                        http.send(Http.json(base + "/partialImport", admin)
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"ifResourceExists\":\"FAIL\",\"users\":[" + users + "]}"))),
                        200,
                        "import users");
            }
            s.users = byActivity;
            String probe = http.send(Http.authed(base + "/users/" + s.users.get(0)[0], admin)
                            .GET())
                    .body();
            if (!probe.contains(s.users.get(0)[1])) {
                throw new IllegalStateException(
                        "user " + s.users.get(0)[1] + " not found by id: " + abbreviate(probe, 300));
            }

            // A fake vendor answering the providers' connection tests (model lists) on loopback.
            HttpServer vendor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            vendor.createContext("/", ex -> {
                String path = ex.getRequestURI().getPath();
                int p = path.length() > 2 && path.charAt(1) == 'p' ? path.charAt(2) - '0' : -1;
                StringBuilder data = new StringBuilder();
                for (ModelSpec m : MODELS) {
                    if (m.provider() == p) {
                        data.append(data.length() == 0 ? "" : ",")
                                .append("{\"id\":\"")
                                .append(m.id())
                                .append("\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"}");
                    }
                }
                byte[] body = ("{\"object\":\"list\",\"data\":[" + data + "]}").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(path.endsWith("/models") && p >= 0 ? 200 : 404, body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            });
            vendor.start();
            try {
                for (int i = 0; i < PROVIDERS.length; i++) {
                    StringBuilder models = new StringBuilder();
                    for (ModelSpec m : MODELS) {
                        if (m.provider() == i) {
                            models.append(models.length() == 0 ? "" : ",")
                                    .append('"')
                                    .append(m.id())
                                    .append('"');
                        }
                    }
                    String body = "{\"type\":\"" + PROVIDERS[i][0] + "\",\"name\":\"" + PROVIDERS[i][1]
                            + "\",\"apiKey\":\"sk-bench-analytics-000" + i + "\",\"baseUrl\":\"http://127.0.0.1:"
                            + vendor.getAddress().getPort() + "/p" + i + "/v1\",\"models\":[" + models + "]}";
                    HttpResponse<String> created = http.send(
                            Http.json(base + "/llm/providers", admin).POST(HttpRequest.BodyPublishers.ofString(body)));
                    Http.expect(created, 201, "create provider " + PROVIDERS[i][1]);
                    if (!created.body().contains("\"status\":\"active\"")) {
                        throw new IllegalStateException(
                                "provider " + PROVIDERS[i][1] + " is not active: " + abbreviate(created.body(), 400));
                    }
                    s.providerIds[i] = Http.field(created.body(), "id");
                }
            } finally {
                vendor.stop(0);
            }
            for (ModelSpec m : MODELS) {
                String price = m.in() == null
                        ? "{\"inputPrice\":null,\"outputPrice\":null,\"cachedInputPrice\":null}"
                        : "{\"inputPrice\":" + m.in() + ",\"outputPrice\":" + m.out() + ",\"cachedInputPrice\":"
                                + (m.cached() == null ? "null" : m.cached()) + "}";
                Http.expect(
                        http.send(Http.json(
                                        base + "/llm/providers/" + s.providerIds[m.provider()] + "/models/" + m.id(),
                                        admin)
                                .PUT(HttpRequest.BodyPublishers.ofString(price))),
                        200,
                        "price " + m.id());
            }
            String stats =
                    http.send(Http.authed(base + "/llm/stats", admin).GET()).body();
            s.save(o.state);
            say(String.format(
                    Locale.ROOT,
                    "Realm '%s' (id %s): %d users (levels %s), %d clients, %d providers with %d models; set up in %.1f s;"
                            + " /stats before the fill: %s",
                    o.realm,
                    s.realmId,
                    s.users.size(),
                    levelCounts(s),
                    CLIENTS.length,
                    PROVIDERS.length,
                    MODELS.size(),
                    (System.nanoTime() - t0) / 1e9,
                    abbreviate(stats, 300)));
            return 0;
        }

        static String levelCounts(State s) {
            Map<String, Integer> n = new LinkedHashMap<>();
            for (String l : LEVELS) {
                n.put(l, 0);
            }
            s.users.forEach(u -> n.merge(u[2], 1, Integer::sum));
            return n.toString();
        }
    }

    // ------------------------------------------------------------------------------------------ fill

    static final String EVENT_COLUMNS = "ID, REALM_ID, USER_ID, CLIENT_ID, SOURCE, PROVIDER_ID, PROVIDER_TYPE, MODEL,"
            + " REQUESTED_MODEL, LEVEL_KEY, BYOK, STREAMED, PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS,"
            + " CACHE_WRITE_TOKENS, REASONING_TOKENS, COST, STATUS, OUTCOME, ATTEMPTS, LATENCY_MS, CREATED_AT";
    static final String DAILY_COLUMNS = "ID, REALM_ID, USAGE_DAY, USER_ID, PROVIDER_ID, MODEL, BYOK, CALLS, ERRORS,"
            + " PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS, COST";
    static final String ROLLUP_COLUMNS = "ID, REALM_ID, DIMS, GRAIN, BUCKET, USER_ID, CLIENT_ID, PROVIDER_ID, MODEL,"
            + " LEVEL_KEY, CALLS, BYOK_CALLS, BYOK_COST, ERRORS, FALLBACKS, ATTEMPTS, UNPRICED, PROMPT_TOKENS,"
            + " COMPLETION_TOKENS, CACHED_TOKENS, CACHE_WRITE_TOKENS, REASONING_TOKENS, COST, LATENCY_MS, LAT_00,"
            + " LAT_01, LAT_02, LAT_03, LAT_04, LAT_05, LAT_06, LAT_07, LAT_08, LAT_09, LAT_10, LAT_11, LAT_12, LAT_13,"
            + " LAT_14, LAT_15";

    static final class Fill {
        final Opts o;

        Fill(Opts o) {
            this.o = o;
        }

        int run() throws Exception {
            State s = State.load(o.state);
            long t0 = System.nanoTime();
            long now = System.currentTimeMillis();
            long start = now - o.days * DAY_MS;
            say(String.format(
                    Locale.ROOT,
                    "Filling realm '%s' (%s): %,d events from %s to %s, %d users, seed %d",
                    s.realmName,
                    s.realmId,
                    o.events,
                    Instant.ofEpochMilli(start),
                    Instant.ofEpochMilli(now),
                    s.users.size(),
                    o.seed));

            List<String> tables = List.of("llm_usage_event", "llm_usage_daily", "llm_usage_rollup");
            Map<String, List<String>> restore = new LinkedHashMap<>();
            try (Connection c = o.connect();
                    Statement st = c.createStatement()) {
                for (String t : tables) {
                    restore.put(t, dropKeysAndIndexes(c, t));
                }
                st.executeUpdate("DELETE FROM llm_realm_snapshot WHERE realm_id = '" + s.realmId + "'");
            }

            Generator gen = new Generator(s, o.seed, now, start, o.events);
            CopyStream events = new CopyStream(o, "llm_usage_event", EVENT_COLUMNS);
            CopyStream daily = new CopyStream(o, "llm_usage_daily", DAILY_COLUMNS);
            CopyStream rollup = new CopyStream(o, "llm_usage_rollup", ROLLUP_COLUMNS);
            Aggregator agg = new Aggregator(s.realmId, now, daily, rollup);
            Thread aggThread = new Thread(agg, "aggregator");
            aggThread.start();
            Lines eventLines = new Lines(events);
            long lastReport = System.nanoTime();
            long written = 0;
            for (int d = 0; d < gen.dayCount(); d++) {
                List<UsageEvent> day = gen.day(d);
                for (UsageEvent e : day) {
                    eventLine(eventLines.sb, e);
                    eventLines.rowDone();
                }
                written += day.size();
                if (!day.isEmpty()) {
                    agg.put(day);
                }
                if (System.nanoTime() - lastReport > 15_000_000_000L) {
                    lastReport = System.nanoTime();
                    say(String.format(
                            Locale.ROOT, "  %,d events generated (%.0f s)", written, (System.nanoTime() - t0) / 1e9));
                }
            }
            eventLines.flush();
            agg.put(List.of());
            aggThread.join();
            if (agg.failure != null) {
                throw new IllegalStateException("aggregation failed", agg.failure);
            }
            long eventRows = events.finish();
            long dailyRows = daily.finish();
            long rollupRows = rollup.finish();
            double loaded = (System.nanoTime() - t0) / 1e9;
            say(String.format(
                    Locale.ROOT,
                    "Loaded with COPY in %.1f s: %,d events (%.0f MB of text), %,d daily budget rows, %,d rollup rows"
                            + " (%,d hourly rollup rows past the pruning horizon not written)",
                    loaded,
                    eventRows,
                    events.bytes / 1e6,
                    dailyRows,
                    rollupRows,
                    agg.prunedHourly));

            // What the maintenance task writes once a day: the realm's providers and active models.
            try (Connection c = o.connect();
                    PreparedStatement ps = c.prepareStatement("INSERT INTO llm_realm_snapshot"
                            + " (realm_id, snapshot_day, providers, active_models) VALUES (?, ?, ?, ?)")) {
                LocalDate today = LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC);
                for (LocalDate d = LocalDate.ofInstant(Instant.ofEpochMilli(start), ZoneOffset.UTC);
                        d.isBefore(today);
                        d = d.plusDays(1)) {
                    ps.setString(1, s.realmId);
                    ps.setInt(2, d.getYear() * 10_000 + d.getMonthValue() * 100 + d.getDayOfMonth());
                    ps.setInt(3, PROVIDERS.length);
                    ps.setInt(4, MODELS.size());
                    ps.addBatch();
                }
                ps.executeBatch();
            }

            long t1 = System.nanoTime();
            try (Connection c = o.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET maintenance_work_mem = '1GB'");
                st.execute("SET max_parallel_maintenance_workers = 2");
                for (Map.Entry<String, List<String>> t : restore.entrySet()) {
                    for (String ddl : t.getValue()) {
                        long a = System.nanoTime();
                        st.execute(ddl);
                        say(String.format(Locale.ROOT, "  %.1f s  %s", (System.nanoTime() - a) / 1e9, ddl));
                    }
                }
                long a = System.nanoTime();
                for (String t : tables) {
                    st.execute("ANALYZE " + t);
                }
                st.execute("ANALYZE llm_realm_snapshot");
                say(String.format(Locale.ROOT, "  %.1f s  ANALYZE", (System.nanoTime() - a) / 1e9));
            }
            double indexed = (System.nanoTime() - t1) / 1e9;
            double total = (System.nanoTime() - t0) / 1e9;
            StringBuilder sizes = new StringBuilder();
            try (Connection c = o.connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT relname, pg_size_pretty(pg_table_size(oid)),"
                            + " pg_size_pretty(pg_indexes_size(oid)) FROM pg_class WHERE relname IN"
                            + " ('llm_usage_event', 'llm_usage_daily', 'llm_usage_rollup') ORDER BY relname")) {
                while (rs.next()) {
                    sizes.append(String.format(
                            Locale.ROOT, "%s %s + indexes %s; ", rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            Map<String, Long> perCube = new LinkedHashMap<>(agg.rowsPerCube);
            say(String.format(
                    Locale.ROOT,
                    "FILL: %,d events over %d days in %.1f s (COPY %.1f s = %,.0f events/s; keys and indexes rebuilt"
                            + " and ANALYZE %.1f s). Rollup rows per cube/grain: %s. Sizes: %s",
                    eventRows,
                    o.days,
                    total,
                    loaded,
                    eventRows / loaded,
                    indexed,
                    perCube,
                    sizes));
            say(String.format(
                    Locale.ROOT,
                    "Mix: %.2f %% BYOK, %.2f %% errors, %.2f %% fallbacks (attempts > 1), %.2f %% streamed,"
                            + " %.2f %% reported, %.2f %% unpriced; latency p50 %d ms p95 %d ms p99 %d ms",
                    100.0 * gen.byok / eventRows,
                    100.0 * gen.errors / eventRows,
                    100.0 * gen.fallbacks / eventRows,
                    100.0 * gen.streamed / eventRows,
                    100.0 * gen.reported / eventRows,
                    100.0 * gen.unpriced / eventRows,
                    gen.latencyPercentile(50),
                    gen.latencyPercentile(95),
                    gen.latencyPercentile(99)));
            return 0;
        }

        /**
         * Drops a table's primary key, unique constraints and other indexes, and returns the statements that recreate
         * them exactly (pg_get_constraintdef / pg_get_indexdef).
         */
        static List<String> dropKeysAndIndexes(Connection c, String table) throws SQLException {
            List<String> restore = new ArrayList<>();
            List<String> drop = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                            + " WHERE conrelid = ?::regclass AND contype IN ('p', 'u') ORDER BY contype, conname")) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        drop.add("ALTER TABLE " + table + " DROP CONSTRAINT " + rs.getString(1));
                        restore.add(
                                "ALTER TABLE " + table + " ADD CONSTRAINT " + rs.getString(1) + " " + rs.getString(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
                    + " JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = ?::regclass AND NOT EXISTS"
                    + " (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY i.relname")) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        drop.add("DROP INDEX " + rs.getString(1));
                        restore.add(rs.getString(2));
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                for (String d : drop) {
                    st.execute(d);
                }
            }
            return restore;
        }
    }

    /** One table's COPY (in a transaction that truncates it first, so the rows are loaded frozen). */
    static final class CopyStream {
        static final byte[] END = new byte[0];
        final String table;
        final Connection c;
        final CopyIn in;
        final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(8);
        final Thread writer;
        volatile Throwable failure;
        long rows;
        long bytes;

        CopyStream(Opts o, String table, String columns) throws SQLException {
            this.table = table;
            this.c = o.connect();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("TRUNCATE " + table);
            }
            this.in = c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn("COPY " + table + " (" + columns + ") FROM STDIN (FREEZE)");
            this.writer = new Thread(
                    () -> {
                        try {
                            while (true) {
                                byte[] b = queue.take();
                                if (b == END) {
                                    return;
                                }
                                in.writeToCopy(b, 0, b.length);
                            }
                        } catch (Throwable t) {
                            failure = t;
                            queue.clear();
                        }
                    },
                    "copy-" + table);
            writer.start();
        }

        void put(byte[] chunk, int lines) throws InterruptedException {
            if (failure != null) {
                throw new IllegalStateException("COPY into " + table + " failed", failure);
            }
            while (!queue.offer(chunk, 1, TimeUnit.SECONDS)) {
                if (failure != null) {
                    throw new IllegalStateException("COPY into " + table + " failed", failure);
                }
            }
            rows += lines;
            bytes += chunk.length;
        }

        long finish() throws Exception {
            put(END, 0);
            writer.join();
            if (failure != null) {
                throw new IllegalStateException("COPY into " + table + " failed", failure);
            }
            long n = in.endCopy();
            c.commit();
            c.close();
            if (n != rows) {
                throw new IllegalStateException(table + ": COPY stored " + n + " rows of " + rows);
            }
            return n;
        }
    }

    /** Text-format COPY lines of one table, sent in chunks of about 1 MB (used by one thread). */
    static final class Lines {
        final CopyStream out;
        final StringBuilder sb = new StringBuilder(1 << 21);
        int lines;

        Lines(CopyStream out) {
            this.out = out;
        }

        void rowDone() throws InterruptedException {
            lines++;
            if (sb.length() >= 1 << 20) {
                flush();
            }
        }

        void flush() throws InterruptedException {
            if (sb.length() > 0) {
                out.put(sb.toString().getBytes(StandardCharsets.UTF_8), lines);
                sb.setLength(0);
                lines = 0;
            }
        }
    }

    static void eventLine(StringBuilder sb, UsageEvent e) {
        sb.append(e.id()).append('\t');
        sb.append(e.realmId()).append('\t');
        text(sb, e.userId());
        text(sb, e.clientId());
        text(sb, e.source());
        text(sb, e.providerId());
        text(sb, e.providerType());
        text(sb, e.model());
        text(sb, e.requestedModel());
        text(sb, e.level());
        sb.append(e.byok() ? 't' : 'f').append('\t');
        sb.append(e.streamed() ? 't' : 'f').append('\t');
        Usage u = e.usage();
        sb.append(u.promptTokens()).append('\t');
        sb.append(u.completionTokens()).append('\t');
        sb.append(u.cachedTokens()).append('\t');
        sb.append(u.cacheWriteTokens()).append('\t');
        sb.append(u.reasoningTokens()).append('\t');
        sb.append(e.cost() == null ? "\\N" : e.cost().toPlainString()).append('\t');
        sb.append(e.status()).append('\t');
        sb.append(e.outcome()).append('\t');
        sb.append(e.attempts()).append('\t');
        sb.append(e.latencyMs()).append('\t');
        sb.append(e.createdAt()).append('\n');
    }

    static void text(StringBuilder sb, String v) {
        sb.append(v == null ? "\\N" : v).append('\t');
    }

    /**
     * Sums each day's events into the budgets' daily rows (as UsageLedger does) and the analytics rollups (with the
     * extension's Rollup.aggregate), and writes them; week and month rows are added up until their month is over.
     */
    static final class Aggregator implements Runnable {
        final String realmId;
        final BlockingQueue<List<UsageEvent>> days = new ArrayBlockingQueue<>(4);
        final Lines daily;
        final Lines rollup;
        final int hourHorizonTrends;
        final int hourHorizonWide;
        final Map<Rollup.Key, Rollup.Totals> months = new HashMap<>();
        final Map<String, Long> rowsPerCube = new LinkedHashMap<>();
        final SplittableRandom ids = new SplittableRandom(7);
        volatile Throwable failure;
        long prunedHourly;

        Aggregator(String realmId, long now, CopyStream daily, CopyStream rollup) {
            this.realmId = realmId;
            this.daily = new Lines(daily);
            this.rollup = new Lines(rollup);
            this.hourHorizonTrends = Rollup.Grain.HOUR.bucket(now - HOURLY_DAYS_TRENDS * DAY_MS);
            this.hourHorizonWide = Rollup.Grain.HOUR.bucket(now - HOURLY_DAYS_WIDE * DAY_MS);
            for (Rollup.Cube c : Rollup.Cube.values()) {
                for (Rollup.Grain g : Rollup.Grain.values()) {
                    if (c.grains.contains(g)) {
                        rowsPerCube.put(c.code + "/" + g.code, 0L);
                    }
                }
            }
        }

        void put(List<UsageEvent> day) throws InterruptedException {
            while (!days.offer(day, 1, TimeUnit.SECONDS)) {
                if (failure != null) {
                    throw new IllegalStateException("aggregation failed", failure);
                }
            }
        }

        @Override
        public void run() {
            try {
                int month = -1;
                while (true) {
                    List<UsageEvent> day = days.take();
                    if (day.isEmpty()) {
                        break;
                    }
                    int m = Rollup.Grain.MONTH.bucket(day.get(0).createdAt());
                    if (month != -1 && m != month) {
                        flushMonths();
                    }
                    month = m;
                    for (Map.Entry<Rollup.Key, Rollup.Totals> e :
                            Rollup.aggregate(day).entrySet()) {
                        Rollup.Key k = e.getKey();
                        switch (k.grain()) {
                            case HOUR -> {
                                boolean trends =
                                        k.cube() == Rollup.Cube.REALM || k.cube() == Rollup.Cube.PROVIDER_MODEL;
                                if (k.bucket() >= (trends ? hourHorizonTrends : hourHorizonWide)) {
                                    write(k, e.getValue());
                                } else {
                                    prunedHourly++;
                                }
                            }
                            case DAY -> write(k, e.getValue());
                            case WEEK, MONTH ->
                                months.merge(k, e.getValue(), (a, b) -> {
                                    a.add(b);
                                    return a;
                                });
                        }
                    }
                    dailyRows(day);
                }
                flushMonths();
                daily.flush();
                rollup.flush();
            } catch (Throwable t) {
                failure = t;
                days.clear();
            }
        }

        void flushMonths() throws InterruptedException {
            for (Map.Entry<Rollup.Key, Rollup.Totals> e : months.entrySet()) {
                write(e.getKey(), e.getValue());
            }
            months.clear();
        }

        void write(Rollup.Key k, Rollup.Totals t) throws InterruptedException {
            StringBuilder sb = rollup.sb;
            sb.append(k.id()).append('\t');
            sb.append(k.realmId()).append('\t');
            sb.append(k.cube().code).append('\t');
            sb.append(k.grain().code).append('\t');
            sb.append(k.bucket()).append('\t');
            sb.append(k.userId()).append('\t');
            sb.append(k.clientId()).append('\t');
            sb.append(k.providerId()).append('\t');
            sb.append(k.model()).append('\t');
            sb.append(k.level()).append('\t');
            sb.append(t.calls).append('\t');
            sb.append(t.byokCalls).append('\t');
            sb.append(t.byokCost.toPlainString()).append('\t');
            sb.append(t.errors).append('\t');
            sb.append(t.fallbacks).append('\t');
            sb.append(t.attempts).append('\t');
            sb.append(t.unpriced).append('\t');
            sb.append(t.promptTokens).append('\t');
            sb.append(t.completionTokens).append('\t');
            sb.append(t.cachedTokens).append('\t');
            sb.append(t.cacheWriteTokens).append('\t');
            sb.append(t.reasoningTokens).append('\t');
            sb.append(t.cost.toPlainString()).append('\t');
            sb.append(t.latencyMs);
            for (long n : t.latency) {
                sb.append('\t').append(n);
            }
            sb.append('\n');
            rowsPerCube.merge(k.cube().code + "/" + k.grain().code, 1L, Long::sum);
            rollup.rowDone();
        }

        /** The budgets' rows: as UsageLedger.rollups, keyed by day, user, provider, model and BYOK. */
        void dailyRows(List<UsageEvent> day) throws InterruptedException {
            Map<String, long[]> sums = new LinkedHashMap<>();
            Map<String, BigDecimal> costs = new HashMap<>();
            for (UsageEvent e : day) {
                int d = Rollup.Grain.DAY.bucket(e.createdAt());
                String key = d + "\t" + (e.userId() == null ? "" : e.userId()) + "\t"
                        + (e.providerId() == null ? "" : e.providerId()) + "\t" + (e.model() == null ? "" : e.model())
                        + "\t" + (e.byok() ? 't' : 'f');
                long[] s = sums.computeIfAbsent(key, k -> new long[5]);
                s[0]++;
                s[1] += "ok".equals(e.outcome()) ? 0 : 1;
                s[2] += e.usage().promptTokens();
                s[3] += e.usage().completionTokens();
                s[4] += e.usage().cachedTokens();
                if (e.cost() != null) {
                    costs.merge(key, e.cost(), BigDecimal::add);
                } else {
                    costs.putIfAbsent(key, BigDecimal.ZERO);
                }
            }
            for (Map.Entry<String, long[]> e : sums.entrySet()) {
                long[] s = e.getValue();
                StringBuilder sb = daily.sb;
                sb.append(uuid(ids)).append('\t').append(realmId).append('\t').append(e.getKey());
                for (long n : s) {
                    sb.append('\t').append(n);
                }
                sb.append('\t').append(costs.get(e.getKey()).toPlainString()).append('\n');
                daily.rowDone();
            }
        }
    }

    static String uuid(SplittableRandom r) {
        return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
                .toString();
    }

    /** The simulated traffic: who calls which model through which client, when, with what result. */
    static final class Generator {
        final State s;
        final SplittableRandom r;
        final long now;
        final long start;
        final long firstDay;
        final int[] perDay;
        final double[] userCum;
        final String[] userClient;
        final int[][] userModels;
        final double[][] userModelCum;
        final double[] clientCum = cumulative(CLIENT_WEIGHTS);
        final double[] diurnal = new double[24];
        final long[] latencyHistogram = new long[60_001];
        long byok;
        long errors;
        long fallbacks;
        long streamed;
        long reported;
        long unpriced;

        Generator(State s, long seed, long now, long start, long events) {
            this.s = s;
            this.r = new SplittableRandom(seed);
            this.now = now;
            this.start = start;
            int n = s.users.size();
            // Zipf-Mandelbrot activity: the busiest user makes ~2 % of the calls, the quietest ~0.02 %.
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = Math.pow(i + 11, -1.05);
            }
            userCum = cumulative(w);
            userClient = new String[n];
            userModels = new int[n][];
            userModelCum = new double[n][];
            for (int i = 0; i < n; i++) {
                userClient[i] = CLIENTS[pick(clientCum, r)];
                int level = Arrays.asList(LEVELS).indexOf(s.users.get(i)[2]);
                BigDecimal ceiling = new BigDecimal(LEVEL_CEILING[level]);
                List<Integer> allowed = new ArrayList<>();
                List<Double> weights = new ArrayList<>();
                for (int m = 0; m < MODELS.size(); m++) {
                    ModelSpec spec = MODELS.get(m);
                    if (spec.blended() != null && spec.blended().compareTo(ceiling) > 0) {
                        continue;
                    }
                    allowed.add(m);
                    // Personal taste: most people stick to a few models.
                    weights.add(spec.popularity() * Math.exp(1.3 * r.nextGaussian()));
                }
                userModels[i] = allowed.stream().mapToInt(Integer::intValue).toArray();
                userModelCum[i] = cumulative(
                        weights.stream().mapToDouble(Double::doubleValue).toArray());
            }
            for (int h = 0; h < 24; h++) {
                diurnal[h] = 0.12 + Math.exp(-((h - 13.0) * (h - 13.0)) / (2 * 3.5 * 3.5));
            }
            // Events per UTC day: working days, quieter weekends and year end, some noise; exactly `events` in all.
            firstDay = Math.floorDiv(start, DAY_MS);
            int days = (int) (Math.floorDiv(now - 1, DAY_MS) - firstDay + 1);
            double[] dayWeight = new double[days];
            double sum = 0;
            for (int d = 0; d < days; d++) {
                long ds = (firstDay + d) * DAY_MS;
                LocalDate date = LocalDate.ofEpochDay(firstDay + d);
                double f = date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY
                        ? 0.35
                        : 1.0;
                if ((date.getMonthValue() == 12 && date.getDayOfMonth() >= 24)
                        || (date.getMonthValue() == 1 && date.getDayOfMonth() == 1)) {
                    f *= 0.5;
                }
                f *= Math.exp(0.08 * r.nextGaussian());
                double hours = 0;
                for (int h = 0; h < 24; h++) {
                    hours += diurnal[h] * overlap(ds + h * HOUR_MS);
                }
                dayWeight[d] = f * hours;
                sum += dayWeight[d];
            }
            perDay = new int[days];
            double[] rest = new double[days];
            long assigned = 0;
            for (int d = 0; d < days; d++) {
                double exact = events * dayWeight[d] / sum;
                perDay[d] = (int) Math.floor(exact);
                rest[d] = exact - perDay[d];
                assigned += perDay[d];
            }
            Integer[] order = new Integer[days];
            for (int d = 0; d < days; d++) {
                order[d] = d;
            }
            Arrays.sort(order, (a, b) -> Double.compare(rest[b], rest[a]));
            for (int i = 0; assigned < events; i = (i + 1) % days) {
                perDay[order[i]]++;
                assigned++;
            }
        }

        int dayCount() {
            return perDay.length;
        }

        /** The share of an hour that lies inside [start, now). */
        double overlap(long hourStart) {
            long lo = Math.max(start, hourStart);
            long hi = Math.min(now, hourStart + HOUR_MS);
            return hi <= lo ? 0 : (double) (hi - lo) / HOUR_MS;
        }

        List<UsageEvent> day(int d) {
            long ds = (firstDay + d) * DAY_MS;
            double[] hw = new double[24];
            for (int h = 0; h < 24; h++) {
                hw[h] = diurnal[h] * overlap(ds + h * HOUR_MS);
            }
            double[] hourCum = cumulative(hw);
            long[] times = new long[perDay[d]];
            for (int i = 0; i < times.length; i++) {
                long hs = ds + pick(hourCum, r) * HOUR_MS;
                long lo = Math.max(start, hs);
                long hi = Math.min(now, hs + HOUR_MS);
                times[i] = lo + r.nextLong(hi - lo);
            }
            Arrays.sort(times);
            List<UsageEvent> out = new ArrayList<>(times.length);
            for (long t : times) {
                out.add(event(t));
            }
            return out;
        }

        UsageEvent event(long t) {
            int u = pick(userCum, r);
            String[] user = s.users.get(u);
            String client = r.nextDouble() < 0.75 ? userClient[u] : CLIENTS[pick(clientCum, r)];
            ModelSpec m = MODELS.get(userModels[u][pick(userModelCum[u], r)]);
            boolean isReported = r.nextDouble() < 0.03;
            boolean isStreamed = !isReported && r.nextDouble() < 0.55;
            double x = r.nextDouble();
            String outcome = "ok";
            int status = 200;
            int attempts = 1;
            boolean chosen = true;
            boolean ownKey = r.nextDouble() < 0.10;
            long latency;
            Usage usage;
            if (x < 0.015) {
                // Every provider failed: no chosen model, no cost.
                outcome = "error";
                chosen = false;
                ownKey = false;
                double y = r.nextDouble();
                if (y < 0.6) {
                    status = 502;
                    double z = r.nextDouble();
                    attempts = z < 0.4 ? 1 : z < 0.85 ? 2 : 3;
                    latency = lognormal(6000, 0.7) * attempts;
                } else if (y < 0.9) {
                    status = 429;
                    attempts = r.nextDouble() < 0.7 ? 1 : 2;
                    latency = lognormal(300, 0.5) * attempts;
                } else {
                    status = 503;
                    attempts = 0;
                    latency = 2 + r.nextInt(20);
                }
                usage = Usage.NONE;
                if (isReported) {
                    status = 500;
                    attempts = 1;
                }
            } else if (x < 0.019) {
                outcome = "refused";
                status = 400;
                latency = lognormal(250, 0.5);
                usage = Usage.NONE;
                if (isReported) {
                    outcome = "error";
                }
            } else {
                long prompt = clamp(Math.round(lognormal(900, 1.1)), 8, 180_000);
                long completion = clamp(Math.round(lognormal(m.reasoning() ? 900 : 220, 0.9)), 1, 16_000);
                long cached = 0;
                if (prompt >= 1024 && r.nextDouble() < 0.35) {
                    cached = (long) (prompt * (0.3 + 0.6 * r.nextDouble())) / 64 * 64;
                }
                long written = 0;
                if (m.provider() == 1 && r.nextDouble() < 0.2) {
                    written = (long) ((prompt - cached) * (0.2 + 0.6 * r.nextDouble()));
                }
                long reasoning = m.reasoning() ? (long) (completion * (0.4 + 0.45 * r.nextDouble())) : 0;
                if (x < 0.020 && isStreamed) {
                    outcome = "cancelled";
                    completion = Math.max(1, completion / 3);
                    reasoning = Math.min(reasoning, completion);
                }
                usage = new Usage(prompt, completion, cached, reasoning, written);
                latency = lognormal(m.latencyMs() * Math.sqrt(completion / 220.0), 0.6);
                if (!isReported && r.nextDouble() < 0.022) {
                    attempts = r.nextDouble() < 0.85 ? 2 : 3;
                    for (int a = 1; a < attempts; a++) {
                        latency += lognormal(2500, 0.6);
                    }
                }
            }
            latency = clamp(latency, 120, 60_000);
            if (status == 503) {
                latency = 2 + r.nextInt(20);
            }
            String requested = isReported || r.nextDouble() < 0.7
                    ? m.id()
                    : r.nextDouble() < 0.67
                            ? "auto"
                            : m.blended() != null && m.blended().doubleValue() < 1 ? "fast" : "smart";
            BigDecimal cost =
                    chosen ? Pricing.cost(usage, m.inputPrice(), m.outputPrice(), m.cachedPrice(), null) : null;
            if (ownKey) {
                byok++;
            }
            if (!"ok".equals(outcome)) {
                errors++;
            }
            if (attempts > 1) {
                fallbacks++;
            }
            if (isStreamed) {
                streamed++;
            }
            if (isReported) {
                reported++;
            }
            if (cost == null) {
                unpriced++;
            }
            latencyHistogram[(int) Math.min(latency, 60_000)]++;
            return new UsageEvent(
                    uuid(r),
                    s.realmId,
                    user[0],
                    client,
                    isReported ? UsageEvent.SOURCE_REPORTED : UsageEvent.SOURCE_GATEWAY,
                    chosen ? s.providerIds[m.provider()] : null,
                    chosen ? PROVIDERS[m.provider()][0] : null,
                    chosen ? m.id() : null,
                    requested,
                    user[2],
                    ownKey,
                    isStreamed,
                    usage,
                    cost,
                    status,
                    outcome,
                    attempts,
                    latency,
                    t);
        }

        long lognormal(double median, double sigma) {
            return Math.round(median * Math.exp(sigma * r.nextGaussian()));
        }

        long latencyPercentile(double p) {
            long n = Arrays.stream(latencyHistogram).sum();
            long rank = (long) Math.ceil(p / 100 * n);
            long seen = 0;
            for (int i = 0; i < latencyHistogram.length; i++) {
                seen += latencyHistogram[i];
                if (seen >= rank) {
                    return i;
                }
            }
            return latencyHistogram.length - 1;
        }
    }

    static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static double[] cumulative(double[] w) {
        double[] c = new double[w.length];
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i];
            c[i] = s;
        }
        for (int i = 0; i < c.length; i++) {
            c[i] /= s;
        }
        return c;
    }

    /** An index drawn with the weights behind a cumulative array (see {@link #cumulative}). */
    static int pick(double[] cum, SplittableRandom r) {
        double x = r.nextDouble();
        int i = Arrays.binarySearch(cum, x);
        i = i >= 0 ? i + 1 : -i - 1;
        while (i < cum.length - 1 && cum[i] == (i == 0 ? 0 : cum[i - 1])) {
            i++; // skip zero weights
        }
        return Math.min(i, cum.length - 1);
    }

    // ------------------------------------------------------------------------------------------ measure

    record Variant(String label, String query, boolean target) {}

    /** The requests measured: a cheap admin call for comparison, the targets, then filtered variants. */
    static List<Variant> variants(State s) {
        String heavyUser = s.users.get(0)[0];
        String median = s.users.get(s.users.size() / 2)[0];
        String openai = s.providerIds[0];
        return List.of(
                new Variant("/power-levels (baseline: no usage read)", "power-levels", false),
                new Variant("/stats", "stats", true),
                new Variant("/usage?period=7d", "usage?period=7d", true),
                new Variant("/usage?period=30d", "usage?period=30d", true),
                new Variant("/usage?period=90d", "usage?period=90d", true),
                new Variant("/usage?period=all", "usage?period=all", true),
                new Variant("/usage?period=30d&provider=<OpenAI>", "usage?period=30d&provider=" + openai, false),
                new Variant("/usage?period=30d&model=gpt-4o-mini", "usage?period=30d&model=gpt-4o-mini", false),
                new Variant("/usage?period=30d&user=<busiest user>", "usage?period=30d&user=" + heavyUser, false),
                new Variant("/usage?period=90d&user=<median user>", "usage?period=90d&user=" + median, false),
                new Variant("/usage?period=30d&client=chat-portal", "usage?period=30d&client=chat-portal", false),
                new Variant("/usage?period=7d&client=chat-portal", "usage?period=7d&client=chat-portal", false),
                new Variant("/usage?period=90d&level=precision", "usage?period=90d&level=precision", false));
    }

    static final class Timings {
        final List<Long> micros = new ArrayList<>();
        long bytes;
        String sample;

        long pct(double p) {
            long[] v = micros.stream().mapToLong(Long::longValue).sorted().toArray();
            int idx = (int) Math.ceil(p / 100 * v.length) - 1;
            return v[Math.max(0, Math.min(v.length - 1, idx))];
        }

        long max() {
            return micros.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    static final class Measure {
        static final long TARGET_P95_MICROS = 50_000;
        static final double TARGET_EXPORT_ROWS_PER_S = 50_000;

        final Opts o;
        final Http http;
        final State s;
        String token;
        long tokenAt;
        boolean allMet = true;
        final List<String> verdicts = new ArrayList<>();

        Measure(Opts o) throws IOException {
            this.o = o;
            this.http = new Http(o);
            this.s = State.load(o.state);
        }

        String token() throws Exception {
            // admin-cli tokens of the master realm live 60 s: a fresh one well before, outside any timing.
            if (token == null || System.nanoTime() - tokenAt > 30_000_000_000L) {
                token = http.adminToken();
                tokenAt = System.nanoTime();
            }
            return token;
        }

        int run() throws Exception {
            section("Set-up");
            say("Keycloak java pid " + o.kcPid + ": " + procStatus(o.kcPid));
            say("Heap: " + heapInfo(o.kcPid));
            String base = o.kc + "/admin/realms/" + s.realmName + "/llm";
            long eventCount;
            long windowEvents;
            Instant now = Instant.now();
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            long from30 =
                    today.minusDays(29).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            try (Connection c = o.connect();
                    Statement st = c.createStatement()) {
                eventCount = scalar(st, "SELECT count(*) FROM llm_usage_event WHERE realm_id = '" + s.realmId + "'");
                windowEvents = scalar(
                        st,
                        "SELECT count(*) FROM llm_usage_event WHERE realm_id = '" + s.realmId + "' AND created_at >= "
                                + from30);
                say(String.format(
                        Locale.ROOT,
                        "Database: %,d usage events in realm '%s' (%,d since %s, the 30-day window), %,d rollup rows,"
                                + " %,d daily budget rows; PostgreSQL %s, shared_buffers %s, work_mem %s,"
                                + " random_page_cost %s",
                        eventCount,
                        s.realmName,
                        windowEvents,
                        Instant.ofEpochMilli(from30),
                        scalar(st, "SELECT count(*) FROM llm_usage_rollup"),
                        scalar(st, "SELECT count(*) FROM llm_usage_daily"),
                        text(st, "SHOW server_version"),
                        text(st, "SHOW shared_buffers"),
                        text(st, "SHOW work_mem"),
                        text(st, "SHOW random_page_cost")));
                say(
                        "Table sizes: "
                                + text(
                                        st,
                                        "SELECT string_agg(relname || ' ' || pg_size_pretty(pg_table_size(oid)) || ' + indexes '"
                                                + " || pg_size_pretty(pg_indexes_size(oid)), '; ' ORDER BY relname) FROM pg_class"
                                                + " WHERE relname IN ('llm_usage_event', 'llm_usage_daily', 'llm_usage_rollup')"));
            }
            List<Variant> variants = variants(s);

            String stats = get(base + "/stats").body();
            say("/stats: " + abbreviate(stats, 400));
            String usage30 = get(base + "/usage?period=30d").body();
            Matcher calls = Pattern.compile("\"totals\":\\{\"calls\":(\\d+)").matcher(usage30);
            if (!calls.find()) {
                throw new IllegalStateException("no totals in /usage: " + abbreviate(usage30, 300));
            }
            long rollupCalls = Long.parseLong(calls.group(1));
            say(String.format(
                    Locale.ROOT,
                    "Check: /usage?period=30d counts %,d calls from the rollups; the events table holds %,d in the"
                            + " window: %s",
                    rollupCalls,
                    windowEvents,
                    rollupCalls == windowEvents ? "equal" : "DIFFERENT"));
            if (rollupCalls != windowEvents) {
                allMet = false;
                verdicts.add("rollups and events disagree on the 30-day window");
            }

            section("Latency: " + o.warmup + " warm-up + " + o.repeat
                    + " timed calls per request, round-robin, one at a time, admin token of the master realm");
            Map<Variant, Timings> results = new LinkedHashMap<>();
            variants.forEach(v -> results.put(v, new Timings()));
            HostCpu.waitQuiet(o.kcPid, o.quietWait);
            HostCpu host = new HostCpu(o.kcPid);
            long cpu0 = cpuTicks(o.kcPid);
            for (int round = 0; round < o.warmup + o.repeat; round++) {
                for (Variant v : variants) {
                    String t = token();
                    long a = System.nanoTime();
                    HttpResponse<byte[]> r = http.http.send(
                            Http.authed(base + "/" + v.query(), t).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    long us = (System.nanoTime() - a) / 1000;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(v.label() + ": HTTP " + r.statusCode() + " "
                                + abbreviate(new String(r.body(), StandardCharsets.UTF_8), 300));
                    }
                    if (round >= o.warmup) {
                        Timings tm = results.get(v);
                        tm.micros.add(us);
                        tm.bytes = r.body().length;
                    }
                }
                if (round == o.warmup - 1) {
                    cpu0 = cpuTicks(o.kcPid);
                    host.start();
                }
            }
            long cpuTicks = cpuTicks(o.kcPid) - cpu0;
            double othersTimed = host.others();
            long calls2 = (long) o.repeat * variants.size();
            say(String.format(
                    Locale.ROOT,
                    "%-42s %9s %9s %9s %9s %9s  %s",
                    "request",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "max ms",
                    "bytes",
                    "target p95 <= 50 ms"));
            for (Map.Entry<Variant, Timings> e : results.entrySet()) {
                Timings t = e.getValue();
                boolean met = t.pct(95) <= TARGET_P95_MICROS;
                String verdict = e.getKey().target() ? (met ? "MET" : "MISSED") : (met ? "(within)" : "(over)");
                if (e.getKey().target() && !met) {
                    allMet = false;
                }
                say(String.format(
                        Locale.ROOT,
                        "%-42s %9.1f %9.1f %9.1f %9.1f %9d  %s",
                        e.getKey().label(),
                        t.pct(50) / 1000.0,
                        t.pct(95) / 1000.0,
                        t.pct(99) / 1000.0,
                        t.max() / 1000.0,
                        t.bytes,
                        verdict));
                if (e.getKey().target()) {
                    verdicts.add(String.format(
                            Locale.ROOT,
                            "%s p95 %.1f ms (target <= 50 ms): %s",
                            e.getKey().label(),
                            t.pct(95) / 1000.0,
                            met ? "MET" : "MISSED"));
                }
            }
            if (cpuTicks > 0) {
                say(String.format(
                        Locale.ROOT,
                        "Keycloak CPU time during the timed calls: %.1f ms per request on average (all requests);"
                                + " other processes on the host used %.2f of the 2 cores meanwhile",
                        cpuTicks * 10.0 / calls2,
                        othersTimed));
            }

            // The cheap requests once more, each alone (no heavy request's garbage collected during them).
            say("");
            say("Alone (" + o.warmup + " warm-up + " + o.repeat + " calls in a row each):");
            for (Variant v : variants.subList(0, 2)) {
                Timings tm = new Timings();
                HostCpu.waitQuiet(o.kcPid, 60);
                HostCpu alone = new HostCpu(o.kcPid);
                for (int i = 0; i < o.warmup + o.repeat; i++) {
                    if (i == o.warmup) {
                        alone.start();
                    }
                    String t = token();
                    long a = System.nanoTime();
                    HttpResponse<byte[]> r = http.http.send(
                            Http.authed(base + "/" + v.query(), t).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(v.label() + ": HTTP " + r.statusCode());
                    }
                    if (i >= o.warmup) {
                        tm.micros.add((System.nanoTime() - a) / 1000);
                        tm.bytes = r.body().length;
                    }
                }
                say(String.format(
                        Locale.ROOT,
                        "%-42s %9.1f %9.1f %9.1f %9.1f %9d  (other processes: %.2f cores)",
                        v.label(),
                        tm.pct(50) / 1000.0,
                        tm.pct(95) / 1000.0,
                        tm.pct(99) / 1000.0,
                        tm.max() / 1000.0,
                        tm.bytes,
                        alone.others()));
            }

            long exported = export(base, "events", o.exportPeriod);
            heapProbe(base, o.exportPeriod, exported);
            slowReader(base, o.exportPeriod);
            export(base, "daily", o.exportPeriod);

            section("Verdict");
            verdicts.forEach(AnalyticsBench::say);
            say(allMet ? "Every target met." : "A target was missed.");
            return allMet ? 0 : 3;
        }

        HttpResponse<String> get(String url) throws Exception {
            HttpResponse<String> r = http.send(Http.authed(url, token()).GET());
            Http.expect(r, 200, url);
            return r;
        }

        // -------------------------------------------------------------------------------- export and heap

        long export(String base, String kind, String period) throws Exception {
            boolean main = kind.equals("events");
            section("Export: GET /usage/export?period=" + period + "&kind=" + kind + " (streamed, lines counted)");
            HostCpu.waitQuiet(o.kcPid, main ? o.quietWait : 120);
            HostCpu host = new HostCpu(o.kcPid);
            HeapSampler heap = new HeapSampler(o.kcPid);
            heap.start();
            Thread.sleep(2000);
            host.start();
            String before = heapInfo(o.kcPid);
            String t = token();
            long a = System.nanoTime();
            heap.mark("start");
            HttpResponse<InputStream> r = http.http.send(
                    Http.authed(base + "/usage/export?period=" + period + "&kind=" + kind, t)
                            .timeout(Duration.ofMinutes(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long lines = 0;
            long bytes = 0;
            long firstByte = -1;
            byte[] buf = new byte[64 * 1024];
            long lastProgress = System.nanoTime();
            try (InputStream in = r.body()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (firstByte < 0) {
                        firstByte = System.nanoTime() - a;
                    }
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                    if (System.nanoTime() - lastProgress > 10_000_000_000L) {
                        lastProgress = System.nanoTime();
                        say(String.format(
                                Locale.ROOT,
                                "  %,d rows after %.0f s (%,.0f rows/s so far)",
                                lines - 1,
                                (lastProgress - a) / 1e9,
                                (lines - 1) / ((lastProgress - a) / 1e9)));
                    }
                }
            }
            long elapsed = System.nanoTime() - a;
            double others = host.others();
            double kcCores = host.keycloak();
            double pgCores = host.pg();
            heap.mark("end");
            Thread.sleep(3000);
            heap.stop();
            String after = heapInfo(o.kcPid);
            if (r.statusCode() != 200) {
                throw new IllegalStateException("export: HTTP " + r.statusCode());
            }
            long rows = lines - 1;
            double rate = rows / (elapsed / 1e9);
            boolean met = rate >= TARGET_EXPORT_ROWS_PER_S;
            say(String.format(
                    Locale.ROOT,
                    "%,d rows (+ header), %.1f MB of CSV in %.2f s (first byte after %.0f ms): %,.0f rows/s, %.1f MB/s%s"
                            + "%nKeycloak used %.2f cores, PostgreSQL %.2f, other processes on the host %.2f (of 2)",
                    rows,
                    bytes / 1e6,
                    elapsed / 1e9,
                    firstByte / 1e6,
                    rate,
                    bytes / 1e6 / (elapsed / 1e9),
                    main ? "  -> target >= 50,000 rows/s: " + (met ? "MET" : "MISSED") : "",
                    kcCores,
                    pgCores,
                    others));
            say("Heap before: " + before);
            say("Heap after:  " + after);
            String flat = heap.report(o.gcLog, bytes);
            say(flat);
            if (main) {
                if (!met) {
                    allMet = false;
                }
                verdicts.add(String.format(
                        Locale.ROOT,
                        "export of %,d events (%s): %,.0f rows/s (target >= 50,000): %s",
                        rows,
                        period,
                        rate,
                        met ? "MET" : "MISSED"));
            }
            return rows;
        }

        /**
         * The export read by a slow client (about 1 MB/s) for 20 s, then abandoned: whether the server holds back
         * (what is live stays flat) or queues what the client has not read yet (what is live grows), and whether it
         * stops working once the client has gone.
         */
        void slowReader(String base, String period) throws Exception {
            section("Slow client: the export read at about 1 MB/s for 20 s, then the connection closed");
            if (o.kcPid <= 0) {
                say("skipped (no server pid)");
                return;
            }
            long live0 = liveAfterFullGc(o.kcPid, o.gcLog);
            String t = token();
            HttpResponse<InputStream> r = http.http.send(
                    Http.authed(base + "/usage/export?period=" + period + "&kind=events", t)
                            .timeout(Duration.ofMinutes(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long bytes = 0;
            long a = System.nanoTime();
            long cpuStart = cpuTicks(o.kcPid);
            byte[] buf = new byte[16 * 1024];
            List<String> points = new ArrayList<>();
            long maxGrowth = 0;
            InputStream in = r.body();
            int checkpoint = 1;
            while (System.nanoTime() - a < 20_000_000_000L) {
                long budget = 512 * 1024;
                while (budget > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, budget));
                    if (n <= 0) {
                        break;
                    }
                    bytes += n;
                    budget -= n;
                }
                Thread.sleep(500);
                if (System.nanoTime() - a >= checkpoint * 10_000_000_000L) {
                    long live = liveAfterFullGc(o.kcPid, o.gcLog);
                    maxGrowth = Math.max(maxGrowth, live - live0);
                    points.add(String.format(
                            Locale.ROOT,
                            "after %d s: %.0f MB read by the client, %.1f MB live (%+.1f MB)",
                            checkpoint * 10,
                            bytes / 1e6,
                            live / 1024.0,
                            (live - live0) / 1024.0));
                    checkpoint++;
                }
            }
            long cpuReading = cpuTicks(o.kcPid) - cpuStart;
            in.close();
            long closedAt = cpuTicks(o.kcPid);
            Thread.sleep(5000);
            long cpuAfterClose = cpuTicks(o.kcPid) - closedAt;
            long liveEnd = liveAfterFullGc(o.kcPid, o.gcLog);
            say(String.format(Locale.ROOT, "  before: %.1f MB live", live0 / 1024.0));
            points.forEach(pt -> say("  " + pt));
            say(String.format(
                    Locale.ROOT,
                    "  Keycloak CPU while the client read slowly: %.1f s in 20 s; in the 5 s after the client closed"
                            + " the connection: %.2f s; 5 s later %.1f MB live (%+.1f MB)",
                    cpuReading / 100.0,
                    cpuAfterClose / 100.0,
                    liveEnd / 1024.0,
                    (liveEnd - live0) / 1024.0));
            boolean held = maxGrowth / 1024.0 < 32;
            String v = String.format(
                    Locale.ROOT,
                    "slow client: live heap %+.1f MB at most while %.0f MB were read: %s",
                    maxGrowth / 1024.0,
                    bytes / 1e6,
                    held ? "the server waits for the client (flat)" : "the server QUEUES what the client has not read");
            say("Verdict: " + v);
            verdicts.add(v);
            if (!held) {
                allMet = false;
            }
        }

        /**
         * The export once more, with a full GC (jcmd GC.run) before it, at a quarter, half and three quarters of its
         * rows and after it: the heap used right after a full GC is what is live, so this shows whether memory grows
         * with the rows already written. (Its throughput is not a result: the forced GCs pause the server.)
         */
        void heapProbe(String base, String period, long expectedRows) throws Exception {
            section("Heap probe: the same export again, a full GC (jcmd GC.run) before it, at 25, 50 and 75 % of its"
                    + " rows and after it; the heap right after a full GC (GC log) is what is live");
            if (o.kcPid <= 0 || expectedRows <= 0) {
                say("skipped (no server pid or nothing exported)");
                return;
            }
            long live0 = liveAfterFullGc(o.kcPid, o.gcLog);
            say(String.format(Locale.ROOT, "  before the export: %.1f MB live", live0 / 1024.0));
            String t = token();
            HttpResponse<InputStream> r = http.http.send(
                    Http.authed(base + "/usage/export?period=" + period + "&kind=events", t)
                            .timeout(Duration.ofMinutes(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long lines = 0;
            long bytes = 0;
            int next = 1;
            long maxGrowth = Long.MIN_VALUE;
            long firstGrowth = 0;
            long lastGrowth = 0;
            long firstBytes = 0;
            long lastBytes = 0;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = r.body()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                    if (next <= 3 && lines - 1 >= expectedRows * next / 4) {
                        long live = liveAfterFullGc(o.kcPid, o.gcLog);
                        long growth = live - live0;
                        maxGrowth = Math.max(maxGrowth, growth);
                        if (next == 1) {
                            firstGrowth = growth;
                            firstBytes = bytes;
                        }
                        lastGrowth = growth;
                        lastBytes = bytes;
                        say(String.format(
                                Locale.ROOT,
                                "  at %d %% (%,d rows, %.0f MB of CSV read): %.1f MB live (%+.1f MB)",
                                next * 25,
                                lines - 1,
                                bytes / 1e6,
                                live / 1024.0,
                                growth / 1024.0));
                        next++;
                    }
                }
            }
            long liveEnd = liveAfterFullGc(o.kcPid, o.gcLog);
            say(String.format(
                    Locale.ROOT,
                    "  after the export (%,d rows, %.0f MB): %.1f MB live (%+.1f MB)",
                    lines - 1,
                    bytes / 1e6,
                    liveEnd / 1024.0,
                    (liveEnd - live0) / 1024.0));
            // Flat: what is live does not grow with the rows written. Rows kept in memory would take at least the room
            // of their CSV (Java strings take more), so between the 25 % and the 75 % probe what is live must grow by
            // less than a quarter of the CSV written in between; and never by 32 MB or more. A page of rows in flight
            // (10,000 rows, ~10 MB) stays below both.
            double between = (lastGrowth - firstGrowth) / 1024.0;
            double csvBetween = (lastBytes - firstBytes) / 1e6;
            boolean flat = maxGrowth / 1024.0 < 32 && between < csvBetween / 4;
            String v = String.format(
                    Locale.ROOT,
                    "live heap during the export %+.1f MB at most against the %.1f MB live before it (%+.1f MB from"
                            + " the 25 %% to the 75 %% probe, while %.0f MB of CSV were written), %.0f MB of CSV in all:"
                            + " %s",
                    maxGrowth / 1024.0,
                    live0 / 1024.0,
                    between,
                    csvBetween,
                    bytes / 1e6,
                    flat ? "FLAT" : "NOT FLAT");
            say("Heap verdict: " + v);
            verdicts.add("heap during the export: " + v + " (target: flat)");
            if (!flat) {
                allMet = false;
            }
        }
    }

    // ------------------------------------------------------------------------------------------ diagnose

    /**
     * Where the database time goes, from the SQL Keycloak really runs: against a server whose connections load
     * PostgreSQL's auto_explain (every statement's plan with actual times and buffers goes to the server log), each
     * request is made twice to warm up, then once between two markers written to the same log; the statements logged
     * between the markers are that request's. Timings here include auto_explain's instrumentation.
     */
    static final class Diagnose {
        static final Pattern ENTRY = Pattern.compile(
                "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+ \\S+ \\[(\\d+)\\] (\\S*)@(\\S*) (\\w+):  (.*)$");
        static final Pattern DURATION = Pattern.compile("^duration: ([0-9.]+) ms  plan:");
        static final Pattern ROWS = Pattern.compile("actual (?:time=[0-9.]+\\.\\.[0-9.]+ )?rows=(\\d+)");

        static final Pattern STEP =
                Pattern.compile("^duration: ([0-9.]+) ms  (parse|bind|execute fetch from|execute) ");
        static final Pattern PARAM = Pattern.compile("\\$(\\d+) = ('(?:[^']|'')*'|NULL)");

        /**
         * One statement: PostgreSQL's own time for it (parse, bind, execute and each fetch of the next rows, as
         * log_min_duration_statement logged them), how many round trips it took, how long its portal was open
         * (auto_explain's duration: also the time Keycloak took between fetches), its plan with actual rows and
         * buffers, and its parameters.
         */
        static final class Logged {
            double planMs = -1;
            long rows;
            String text = "";
            List<String> plan = List.of();
            double execMs;
            int trips;
            boolean executed;
            String params;

            /** PostgreSQL's own time: parse + bind + execute + fetches. */
            double ms() {
                return execMs;
            }

            long rows() {
                return rows;
            }

            String text() {
                return text;
            }

            List<String> plan() {
                return plan;
            }

            /** The statement with its parameters written in, for EXPLAIN; null without parameters. */
            String withParams() {
                if (params == null) {
                    return null;
                }
                Map<Integer, String> values = new HashMap<>();
                Matcher m = PARAM.matcher(params);
                while (m.find()) {
                    String v = m.group(2);
                    String inner = v.length() >= 2 ? v.substring(1, v.length() - 1) : v;
                    values.put(Integer.parseInt(m.group(1)), inner.matches("-?\\d+") ? inner : v);
                }
                String sql = text;
                for (int n = values.size(); n >= 1; n--) {
                    if (values.containsKey(n)) {
                        sql = sql.replace("$" + n, values.get(n));
                    }
                }
                return sql;
            }
        }

        final Opts o;
        final Http http;
        final State s;
        final String db;

        Diagnose(Opts o) throws IOException {
            this.o = o;
            this.http = new Http(o);
            this.s = State.load(o.state);
            this.db = o.db.replaceAll("^.*/([^/?]+).*$", "$1");
        }

        int run() throws Exception {
            section("Where the database time goes: each request's statements as PostgreSQL ran them (one call after"
                    + " two warm-up calls, on a server whose connections load auto_explain)");
            say("Per statement: PostgreSQL's own time (parse, bind, execute and every fetch of more rows, ms); how long"
                    + " it was open (ms, first execute to last fetch: includes Keycloak reading the rows between"
                    + " fetches); round trips; rows returned; the SQL. Times include auto_explain's row counting.");
            if (!Files.isReadable(o.pgLog)) {
                say("skipped: cannot read PostgreSQL's log " + o.pgLog + " (--pg-log / BENCH_PG_LOG)");
                return 0;
            }
            String base = o.kc + "/admin/realms/" + s.realmName + "/llm";
            List<Variant> requests =
                    new ArrayList<>(variants(s).subList(1, variants(s).size()));
            requests.add(new Variant(
                    "/usage/export?period=" + o.exportPeriod + " (events)",
                    "usage/export?period=" + o.exportPeriod,
                    false));
            long offset = Files.size(o.pgLog);
            Map<String, Long> httpMs = new LinkedHashMap<>();
            try (Connection c = o.connect();
                    Statement st = c.createStatement()) {
                for (int i = 0; i < requests.size(); i++) {
                    Variant v = requests.get(i);
                    // A fresh token for each request, taken before the marker: its session writes are not counted.
                    String token = http.adminToken();
                    for (int w = 0; w < 2 && !v.query().contains("export"); w++) {
                        call(base, v, token);
                    }
                    st.execute("DO $$BEGIN RAISE LOG 'analytics-bench-marker begin " + i + "'; END$$");
                    long a = System.nanoTime();
                    call(base, v, token);
                    httpMs.put(v.label(), (System.nanoTime() - a) / 1_000_000);
                    st.execute("DO $$BEGIN RAISE LOG 'analytics-bench-marker end " + i + "'; END$$");
                }
            }
            Thread.sleep(1000);
            Map<Integer, List<Logged>> byRequest = parse(offset);
            Logged slowestOverall = null;
            String slowestLabel = null;
            for (int i = 0; i < requests.size(); i++) {
                Variant v = requests.get(i);
                List<Logged> sts = byRequest.getOrDefault(i, List.of());
                double total = sts.stream().mapToDouble(Logged::ms).sum();
                say("");
                double openMs = sts.stream().mapToDouble(x -> x.planMs).sum();
                say(String.format(
                        Locale.ROOT,
                        "%s: %d ms over HTTP; %d statements: PostgreSQL's own time %.1f ms, open %.1f ms, %d round trips",
                        v.label(),
                        httpMs.get(v.label()),
                        sts.size(),
                        total,
                        openMs,
                        sts.stream().mapToInt(x -> x.trips).sum()));
                if (v.query().contains("export")) {
                    exportSummary(sts);
                } else {
                    sts.stream()
                            .sorted((x, y) -> Double.compare(y.ms(), x.ms()))
                            .limit(6)
                            .forEach(x -> say(String.format(
                                    Locale.ROOT,
                                    "  %8.2f %8.2f %5d %,8d  %s",
                                    x.ms(),
                                    x.planMs,
                                    x.trips,
                                    x.rows(),
                                    shortSql(x.text()))));
                }
                for (Logged x : sts) {
                    if (v.target() && (slowestOverall == null || x.ms() > slowestOverall.ms())) {
                        slowestOverall = x;
                        slowestLabel = v.label();
                    }
                }
            }
            if (slowestOverall != null) {
                section(String.format(
                        Locale.ROOT,
                        "The slowest statement of the target requests (%s, %.1f ms): EXPLAIN (ANALYZE, BUFFERS) with"
                                + " the parameters Keycloak bound (second run)",
                        slowestLabel,
                        slowestOverall.ms()));
                explain(slowestOverall);
            }
            if (slowestPage != null) {
                section(String.format(
                        Locale.ROOT,
                        "The export's slowest page query (%.1f ms): EXPLAIN (ANALYZE, BUFFERS) with its parameters"
                                + " (second run)",
                        slowestPage.ms()));
                explain(slowestPage);
            }
            return 0;
        }

        Logged slowestPage;

        /** EXPLAIN (ANALYZE, BUFFERS) of a logged statement with its parameters; its logged plan without them. */
        void explain(Logged l) throws SQLException {
            String sql = l.withParams();
            say("  " + abbreviate(l.text().replaceAll("\\s+", " "), 3000));
            if (sql == null) {
                say("  (no parameters logged; the plan auto_explain logged, row counts without times:)");
                l.plan().forEach(p -> say("  " + p));
                return;
            }
            try (Connection c = o.connect();
                    Statement st = c.createStatement()) {
                // Twice: the first run brings the pages into shared buffers (the export before has just read the
                // events table through them); the second is the plan as it runs when the data is cached.
                st.execute("EXPLAIN (ANALYZE) " + sql);
                try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
                    while (rs.next()) {
                        say("  " + rs.getString(1));
                    }
                }
            }
        }

        void exportSummary(List<Logged> sts) {
            List<Logged> pages = sts.stream()
                    .filter(x -> x.text().toLowerCase(Locale.ROOT).contains("llm_usage_event"))
                    .toList();
            if (pages.isEmpty()) {
                return;
            }
            int k = pages.size();
            double first = pages.subList(0, Math.max(1, k / 10)).stream()
                    .mapToDouble(Logged::ms)
                    .average()
                    .orElse(0);
            double last = pages.subList(k - Math.max(1, k / 10), k).stream()
                    .mapToDouble(Logged::ms)
                    .average()
                    .orElse(0);
            Logged slowest =
                    pages.stream().max((x, y) -> Double.compare(x.ms(), y.ms())).get();
            say(String.format(
                    Locale.ROOT,
                    "  %d page queries, %.0f ms in all; a page took %.1f ms on average in the first tenth of the window"
                            + " and %.1f ms in the last tenth; slowest %.1f ms:",
                    k,
                    pages.stream().mapToDouble(Logged::ms).sum(),
                    first,
                    last,
                    slowest.ms()));
            say("  " + shortSql(slowest.text()));
        }

        void call(String base, Variant v, String token) throws Exception {
            HttpResponse<InputStream> r = http.http.send(
                    Http.authed(base + "/" + v.query(), token)
                            .timeout(Duration.ofMinutes(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException(v.label() + ": HTTP " + r.statusCode());
            }
        }

        /** The auto_explain entries of our database between each pair of markers, by request index. */
        Map<Integer, List<Logged>> parse(long offset) throws IOException {
            List<String> lines;
            try (var ch = Files.newByteChannel(o.pgLog)) {
                ch.position(offset);
                lines = new BufferedReader(new InputStreamReader(
                                java.nio.channels.Channels.newInputStream(ch), StandardCharsets.UTF_8))
                        .lines()
                        .toList();
            }
            Map<Integer, List<Logged>> out = new HashMap<>();
            Map<String, Logged> open = new HashMap<>();
            Integer current = null;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = ENTRY.matcher(lines.get(i));
                if (!m.matches() || !m.group(3).equals(db)) {
                    continue;
                }
                String pid = m.group(1);
                String level = m.group(4);
                String msg = m.group(5);
                if (msg.startsWith("analytics-bench-marker begin ")) {
                    current = Integer.parseInt(msg.substring("analytics-bench-marker begin ".length())
                            .trim());
                    continue;
                }
                if (msg.startsWith("analytics-bench-marker end ")) {
                    current = null;
                    continue;
                }
                if (current == null) {
                    continue;
                }
                Matcher x = STEP.matcher(msg);
                if (level.equals("LOG") && x.find()) {
                    String step = x.group(2);
                    Logged l = open.get(pid);
                    // A statement starts with its parse, or with its bind when it was prepared before.
                    boolean starts = l == null || step.equals("parse") || (step.equals("bind") && l.executed);
                    if (starts) {
                        l = new Logged();
                        open.put(pid, l);
                        out.computeIfAbsent(current, k -> new ArrayList<>()).add(l);
                    }
                    l.execMs += Double.parseDouble(x.group(1));
                    if (step.startsWith("execute")) {
                        l.executed = true;
                        l.trips++;
                    }
                    if (l.text.isEmpty()) {
                        int colon = msg.indexOf(": ", x.end());
                        l.text = colon >= 0 ? msg.substring(colon + 2) : "";
                    }
                    continue;
                }
                if (level.equals("DETAIL") && msg.startsWith("parameters: ")) {
                    Logged l = open.get(pid);
                    if (l != null && l.params == null) {
                        l.params = msg.substring("parameters: ".length());
                    }
                    continue;
                }
                Matcher d = DURATION.matcher(msg);
                if (!level.equals("LOG") || !d.find()) {
                    continue;
                }
                // auto_explain: logged when the statement's portal closes, after its last fetch.
                List<String> plan = new ArrayList<>();
                String text = "";
                int j = i + 1;
                for (; j < lines.size() && lines.get(j).startsWith("\t"); j++) {
                    String l = lines.get(j).substring(1);
                    if (l.startsWith("Query Text: ")) {
                        text = l.substring("Query Text: ".length());
                    } else {
                        plan.add(l);
                    }
                }
                i = j - 1;
                Logged l = open.remove(pid);
                if (l == null) {
                    continue;
                }
                l.planMs = Double.parseDouble(d.group(1));
                l.plan = plan;
                if (!text.isEmpty()) {
                    l.text = text;
                }
                if (!plan.isEmpty()) {
                    Matcher r = ROWS.matcher(plan.get(0));
                    if (r.find()) {
                        l.rows = Long.parseLong(r.group(1));
                    }
                }
            }
            // Statements without a plan (BEGIN, COMMIT) are left out.
            out.values().forEach(list -> list.removeIf(l -> l.planMs < 0));
            return out;
        }

        /** A statement in one line: the select list shortened, the rest as it is. */
        static String shortSql(String sql) {
            String one = sql.replaceAll("\\s+", " ").trim();
            int from = one.toLowerCase(Locale.ROOT).indexOf(" from ");
            if (one.toLowerCase(Locale.ROOT).startsWith("select ") && from > 90) {
                one = one.substring(0, 60) + " … " + one.substring(from + 1);
            }
            return abbreviate(one, 400);
        }
    }

    /** Samples the server's heap with jstat while the export runs, and reads the GC log for the heap after each GC. */
    static final class HeapSampler {
        final long pid;
        final List<long[]> samples = new CopyOnWriteArrayList<>(); // nanoTime, used KB, old KB, young GCs, full GCs
        final Map<String, Long> marks = new HashMap<>();
        final Map<String, Double> markUptime = new HashMap<>();
        volatile double lastUptime;
        Process process;
        Thread reader;

        HeapSampler(long pid) {
            this.pid = pid;
        }

        void start() throws IOException {
            if (pid <= 0) {
                return;
            }
            process = new ProcessBuilder("jstat", "-gc", "-t", Long.toString(pid), "200")
                    .redirectErrorStream(true)
                    .start();
            reader = new Thread(() -> {
                try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String[] header = null;
                    String line;
                    while ((line = in.readLine()) != null) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 0 && f[0].equals("Timestamp")) {
                            header = f;
                            continue;
                        }
                        if (header == null || f.length != header.length) {
                            continue;
                        }
                        Map<String, Double> v = new HashMap<>();
                        for (int i = 0; i < f.length; i++) {
                            v.put(header[i], Double.parseDouble(f[i]));
                        }
                        lastUptime = v.get("Timestamp");
                        long used = Math.round(v.get("S0U") + v.get("S1U") + v.get("EU") + v.get("OU"));
                        samples.add(new long[] {
                            System.nanoTime(),
                            used,
                            Math.round(v.get("OU")),
                            Math.round(v.get("YGC")),
                            Math.round(v.get("FGC"))
                        });
                    }
                } catch (IOException | RuntimeException e) {
                    // the sampler ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void mark(String name) {
            marks.put(name, System.nanoTime());
            markUptime.put(name, lastUptime);
        }

        void stop() throws InterruptedException {
            if (process != null) {
                process.destroy();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }

        String report(Path gcLog, long exportBytes) throws IOException {
            if (samples.isEmpty()) {
                return "heap not sampled (jstat gave nothing)";
            }
            long start = marks.get("start");
            long end = marks.get("end");
            long beforeUsed = 0;
            long beforeOld = -1;
            long duringMin = Long.MAX_VALUE;
            long duringMax = 0;
            long oldMaxDuring = 0;
            long afterOld = -1;
            long ygcStart = -1;
            long ygcEnd = -1;
            long fgcStart = -1;
            long fgcEnd = -1;
            int during = 0;
            for (long[] s : samples) {
                if (s[0] < start) {
                    beforeUsed = s[1];
                    beforeOld = s[2];
                    ygcStart = s[3];
                    fgcStart = s[4];
                } else if (s[0] <= end) {
                    duringMin = Math.min(duringMin, s[1]);
                    duringMax = Math.max(duringMax, s[1]);
                    oldMaxDuring = Math.max(oldMaxDuring, s[2]);
                    ygcEnd = s[3];
                    fgcEnd = s[4];
                    during++;
                } else {
                    afterOld = s[2];
                }
            }
            StringBuilder out = new StringBuilder();
            out.append(String.format(
                    Locale.ROOT,
                    "Heap (jstat, %d samples during the export, every 200 ms): used before %.0f MB; during min %.0f /"
                            + " max %.0f MB; old generation before %.0f MB, max during %.0f MB, after %.0f MB;"
                            + " %d young and %d full GCs during the export",
                    during,
                    beforeUsed / 1024.0,
                    duringMin / 1024.0,
                    duringMax / 1024.0,
                    beforeOld / 1024.0,
                    oldMaxDuring / 1024.0,
                    afterOld / 1024.0,
                    Math.max(0, ygcEnd - ygcStart),
                    Math.max(0, fgcEnd - fgcStart)));
            // The heap right after each GC during the export (from -Xlog:gc with uptime decorations): what stays live.
            List<Long> afterGc = new ArrayList<>();
            Double up0 = markUptime.get("start");
            Double up1 = lastUptime;
            if (gcLog != null && Files.exists(gcLog) && up0 != null) {
                Pattern p = Pattern.compile("^\\[(\\d+\\.\\d+)s\\].*Pause.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");
                for (String line : Files.readAllLines(gcLog)) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        double at = Double.parseDouble(m.group(1));
                        if (at >= up0 && at <= up1) {
                            afterGc.add(Long.parseLong(m.group(3)));
                        }
                    }
                }
            }
            if (afterGc.size() >= 2) {
                long min = afterGc.stream().mapToLong(Long::longValue).min().orElse(0);
                long max = afterGc.stream().mapToLong(Long::longValue).max().orElse(0);
                long firstThird = afterGc.subList(0, Math.max(1, afterGc.size() / 3)).stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElse(0);
                long lastThird =
                        afterGc.subList(afterGc.size() - Math.max(1, afterGc.size() / 3), afterGc.size()).stream()
                                .mapToLong(Long::longValue)
                                .max()
                                .orElse(0);
                long growthMb = lastThird - firstThird;
                out.append(String.format(
                        Locale.ROOT,
                        "%nHeap after each of the %d young GCs during the export (GC log): min %d MB, max %d MB, first"
                                + " %d MB, last %d MB (highest of the last third minus highest of the first third: %+d MB;"
                                + " young GCs promote what is in flight, so this drifts until an old-generation cycle;"
                                + " the heap probe below measures what is live), against %.0f MB of CSV streamed",
                        afterGc.size(),
                        min,
                        max,
                        afterGc.get(0),
                        afterGc.get(afterGc.size() - 1),
                        growthMb,
                        exportBytes / 1e6));
            } else {
                out.append(String.format(
                        Locale.ROOT,
                        "%nFewer than 2 GCs during the export; old generation %+.0f MB",
                        (afterOld - beforeOld) / 1024.0));
            }
            return out.toString();
        }
    }

    /**
     * CPU used on the host by everything but Keycloak, this driver and PostgreSQL (which serves both), from /proc: the
     * test suite and builds of other work in the same checkout share these 2 cores, so each phase says how much they
     * took, and measuring waits for a quiet moment first.
     */
    static final class HostCpu {
        final long kcPid;
        final long self = ProcessHandle.current().pid();
        long busy0;
        long mine0;
        long kc0;
        long pg0;
        long at0;

        HostCpu(long kcPid) {
            this.kcPid = kcPid;
        }

        void start() {
            busy0 = hostBusy();
            kc0 = cpuTicks(kcPid);
            pg0 = postgres();
            mine0 = kc0 + pg0 + cpuTicks(self);
            at0 = System.nanoTime();
        }

        /** Cores Keycloak used since {@link #start()}. */
        double keycloak() {
            return (cpuTicks(kcPid) - kc0) / 100.0 / ((System.nanoTime() - at0) / 1e9);
        }

        /** Cores PostgreSQL's processes used since {@link #start()}. */
        double pg() {
            return (postgres() - pg0) / 100.0 / ((System.nanoTime() - at0) / 1e9);
        }

        /** Cores used by other processes since {@link #start()}. */
        double others() {
            double seconds = (System.nanoTime() - at0) / 1e9;
            long busy = hostBusy() - busy0;
            long mine = cpuTicks(kcPid) + postgres() + cpuTicks(self) - mine0;
            return Math.max(0, busy - mine) / 100.0 / seconds;
        }

        static long postgres() {
            long n = 0;
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : (Iterable<Path>) procs::iterator) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        if (Files.readString(p.resolve("comm")).trim().equals("postgres")) {
                            n += cpuTicks(Long.parseLong(name));
                        }
                    } catch (IOException e) {
                        // gone
                    }
                }
            } catch (IOException e) {
                // no /proc
            }
            return n;
        }

        static long hostBusy() {
            try {
                String[] f =
                        Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                // cpu user nice system idle iowait irq softirq steal
                return Long.parseLong(f[1])
                        + Long.parseLong(f[2])
                        + Long.parseLong(f[3])
                        + Long.parseLong(f[6])
                        + Long.parseLong(f[7])
                        + Long.parseLong(f[8]);
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        /** Waits (at most {@code maxSeconds}) until other processes use less than 0.3 cores over 5 s. */
        static void waitQuiet(long kcPid, int maxSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
            long lastSaid = 0;
            while (true) {
                HostCpu c = new HostCpu(kcPid);
                c.start();
                Thread.sleep(5000);
                double others = c.others();
                if (others < 0.3) {
                    say(String.format(Locale.ROOT, "(other processes: %.2f cores over 5 s; measuring)", others));
                    return;
                }
                if (System.nanoTime() > deadline) {
                    say(String.format(
                            Locale.ROOT,
                            "(other processes still use %.2f cores after waiting %d s: measuring anyway)",
                            others,
                            maxSeconds));
                    return;
                }
                if (System.nanoTime() - lastSaid > 60_000_000_000L) {
                    lastSaid = System.nanoTime();
                    say(String.format(
                            Locale.ROOT, "(other processes use %.2f cores: waiting for a quiet moment)", others));
                }
            }
        }
    }

    /**
     * Runs a full GC in the server (jcmd GC.run) and answers the heap in use right after it, in KB: from the GC log's
     * line of that collection when there is one (a later heap reading would also count what the server allocated
     * since), else from jcmd GC.heap_info.
     */
    static long liveAfterFullGc(long pid, Path gcLog) throws IOException, InterruptedException {
        int before =
                gcLog != null && Files.exists(gcLog) ? Files.readAllLines(gcLog).size() : 0;
        Process gc = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run")
                .redirectErrorStream(true)
                .start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(120, TimeUnit.SECONDS);
        if (gcLog != null && Files.exists(gcLog)) {
            Pattern full = Pattern.compile("Pause Full .* (\\d+)M->(\\d+)M\\((\\d+)M\\)");
            for (int attempt = 0; attempt < 20; attempt++) {
                List<String> lines = Files.readAllLines(gcLog);
                for (int i = lines.size() - 1; i >= before; i--) {
                    Matcher m = full.matcher(lines.get(i));
                    if (m.find()) {
                        return Long.parseLong(m.group(2)) * 1024;
                    }
                }
                Thread.sleep(100);
            }
        }
        Matcher m = Pattern.compile("used (\\d+)K").matcher(heapInfo(pid));
        if (!m.find()) {
            throw new IllegalStateException("no heap figure from jcmd: " + heapInfo(pid));
        }
        return Long.parseLong(m.group(1));
    }

    static String heapInfo(long pid) {
        if (pid <= 0) {
            return "n/a";
        }
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            for (String line : out.split("\n")) {
                if (line.contains("total") && line.contains("used")) {
                    return line.trim().replaceAll("\\s+", " ");
                }
            }
            return abbreviate(out, 200);
        } catch (IOException | InterruptedException e) {
            return "n/a (" + e.getMessage() + ")";
        }
    }

    static String procStatus(long pid) {
        try {
            StringBuilder sb = new StringBuilder();
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS") || line.startsWith("Threads")) {
                    sb.append(line.replaceAll("\\s+", " ")).append("; ");
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return "n/a";
        }
    }

    /** utime + stime of a process in clock ticks (1/100 s), or 0. */
    static long cpuTicks(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long scalar(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String text(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static int dayKey(LocalDate d) {
        return d.getYear() * 10_000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }

    // ------------------------------------------------------------------------------------------ HTTP

    static final class Http {
        final Opts o;
        final HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();

        Http(Opts o) {
            this.o = o;
        }

        HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
            return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        }

        String adminToken() throws Exception {
            HttpResponse<String> r = send(HttpRequest.newBuilder(
                            URI.create(o.kc + "/realms/master/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=admin-cli&username="
                            + URLEncoder.encode(o.adminUser, StandardCharsets.UTF_8) + "&password="
                            + URLEncoder.encode(o.adminPassword, StandardCharsets.UTF_8))));
            expect(r, 200, "admin token");
            return field(r.body(), "access_token");
        }

        static HttpRequest.Builder authed(String url, String token) {
            return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
        }

        static HttpRequest.Builder json(String url, String token) {
            return authed(url, token).header("Content-Type", "application/json");
        }

        static void expect(HttpResponse<String> r, int status, String what) {
            if (r.statusCode() != status) {
                throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + abbreviate(r.body(), 500));
            }
        }

        static String field(String json, String name) {
            Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"")
                    .matcher(json);
            if (!m.find()) {
                throw new IllegalStateException("no " + name + " in " + abbreviate(json, 300));
            }
            return m.group(1);
        }
    }

    static String abbreviate(String s, int n) {
        if (s == null) {
            return "null";
        }
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() > n ? s.substring(0, n) + "…" : s;
    }

    static void section(String title) {
        say("");
        say("== " + title);
    }

    static void say(String s) {
        System.out.println(s);
        System.out.flush();
    }
}
