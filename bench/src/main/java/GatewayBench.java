import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Load driver for the Keycloak LLM Gateway (single-file source, JDK 17, no dependencies):
 *
 * <pre>java bench/GatewayBench.java --kc=http://127.0.0.1:8180 --kc-pid=&lt;keycloak java pid&gt; [options]</pre>
 *
 * Starts its own fake OpenAI-compatible vendor on 127.0.0.1 (random port), creates the realm "bench" (user, public
 * client with direct access grants), two custom providers pointing at the fake vendor, takes a user access token and
 * drives {@code POST /realms/bench/llm/v1/chat/completions}: non-streamed at several concurrency levels, streamed, and
 * many concurrent slow streams. The fake vendor runs in this JVM and records, per request id (sent as the OpenAI
 * {@code user} field, which the gateway passes through), when it received the request, when it wrote its first byte
 * and when it finished, on the same {@link System#nanoTime()} clock as the client: "added latency" is the client's
 * latency minus the vendor's own handling time. Options: see {@link Opts}. Everything is bounded in count and time.
 */
public final class GatewayBench {

    // ---------------------------------------------------------------------------------------------- options

    static final class Opts {
        String kc = "http://127.0.0.1:8180";
        String adminUser = "admin";
        String adminPassword = "admin";
        long kcPid = -1;
        int warmup = 2000;
        int requests = 5000;
        int[] levels = {1, 8, 32, 64};
        int streamConcurrency = 32;
        int streamRequests = 5000;
        long levelLimitSeconds = 60;
        int slowStreams = 1000;
        long slowMillis = 10_000;
        long slowRampMillis = 2_000;
        long slowExtraSeconds = 60;
        boolean skipSlow = false;
        String realm = "bench";
        /** --limiter-paired: only the rate limiter's paired rounds (concurrency:requests per side and round). */
        boolean limiterPaired = false;

        int[][] paired = {{1, 600}, {32, 3000}};
        int pairedRounds = 16;

        /** --compare: side by side with a peer gateway (see {@link Compare}); the vendor runs in its own process. */
        boolean compare = false;
        /** An external fake vendor (--vendor-url=http://127.0.0.1:P): no vendor in this JVM. */
        String vendorUrl;

        long vendorPid = -1;
        String portkey;
        long portkeyPid = -1;
        int rounds = 10;
        int roundRequests = 1000;
        int[] compareLevels = {1, 8, 32};
        int[] streamLevels = {1, 8};
        int warmupCurveSeconds = 60;
        int warmupWindowSeconds = 5;
        boolean slowStreamsSet = false;
        boolean warmupSet = false;

        static Opts parse(String[] args) {
            Opts o = new Opts();
            for (String a : args) {
                if (a.equals("-h") || a.equals("--help")) {
                    System.out.println(
                            "options: --kc=URL --admin-user= --admin-password= --kc-pid= --warmup=N --requests=N "
                                    + "--levels=1,8,32,64 --stream-concurrency=N --stream-requests=N --level-limit-seconds=S "
                                    + "--slow-streams=N --slow-millis=MS --slow-ramp-millis=MS --skip-slow "
                                    + "--limiter-paired [--paired=1:600,32:3000 --paired-rounds=16] "
                                    + "--compare --vendor-url=URL --vendor-pid= --portkey=URL --portkey-pid= [--rounds=10 "
                                    + "--round-requests=1000 --compare-levels=1,8,32 --stream-levels=1,8 --warmup=3000 "
                                    + "--warmup-curve-seconds=60 --warmup-window-seconds=5 --slow-streams=N]; "
                                    + "or: --vendor [--port=N --slow-millis=MS] (the fake vendor alone, until killed)");
                    System.exit(0);
                }
                if (a.equals("--skip-slow")) {
                    o.skipSlow = true;
                    continue;
                }
                if (a.equals("--limiter-paired")) {
                    o.limiterPaired = true;
                    continue;
                }
                if (a.equals("--compare")) {
                    o.compare = true;
                    continue;
                }
                int eq = a.indexOf('=');
                if (!a.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("unknown argument: " + a);
                }
                String k = a.substring(2, eq);
                String v = a.substring(eq + 1);
                switch (k) {
                    case "kc" -> o.kc = v.replaceAll("/+$", "");
                    case "admin-user" -> o.adminUser = v;
                    case "admin-password" -> o.adminPassword = v;
                    case "kc-pid" -> o.kcPid = Long.parseLong(v);
                    case "warmup" -> {
                        o.warmup = Integer.parseInt(v);
                        o.warmupSet = true;
                    }
                    case "requests" -> o.requests = Integer.parseInt(v);
                    case "levels" ->
                        o.levels = Arrays.stream(v.split(","))
                                .mapToInt(s -> Integer.parseInt(s.trim()))
                                .toArray();
                    case "stream-concurrency" -> o.streamConcurrency = Integer.parseInt(v);
                    case "stream-requests" -> o.streamRequests = Integer.parseInt(v);
                    case "level-limit-seconds" -> o.levelLimitSeconds = Long.parseLong(v);
                    case "slow-streams" -> {
                        o.slowStreams = Integer.parseInt(v);
                        o.slowStreamsSet = true;
                    }
                    case "slow-millis" -> o.slowMillis = Long.parseLong(v);
                    case "slow-ramp-millis" -> o.slowRampMillis = Long.parseLong(v);
                    case "realm" -> o.realm = v;
                    case "paired" ->
                        o.paired = Arrays.stream(v.split(","))
                                .map(p -> Arrays.stream(p.trim().split(":"))
                                        .mapToInt(Integer::parseInt)
                                        .toArray())
                                .toArray(int[][]::new);
                    case "paired-rounds" -> o.pairedRounds = Integer.parseInt(v);
                    case "vendor-url" -> o.vendorUrl = v.replaceAll("/+$", "");
                    case "vendor-pid" -> o.vendorPid = Long.parseLong(v);
                    case "portkey" -> o.portkey = v.replaceAll("/+$", "");
                    case "portkey-pid" -> o.portkeyPid = Long.parseLong(v);
                    case "rounds" -> o.rounds = Integer.parseInt(v);
                    case "round-requests" -> o.roundRequests = Integer.parseInt(v);
                    case "compare-levels" -> o.compareLevels = ints(v);
                    case "stream-levels" -> o.streamLevels = ints(v);
                    case "warmup-curve-seconds" -> o.warmupCurveSeconds = Integer.parseInt(v);
                    case "warmup-window-seconds" -> o.warmupWindowSeconds = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option: --" + k);
                }
            }
            if (o.compare && !o.warmupSet) {
                o.warmup = 3000;
            }
            for (String url : new String[] {o.vendorUrl, o.portkey}) {
                if (url != null && !"127.0.0.1".equals(URI.create(url).getHost())) {
                    throw new IllegalArgumentException("only loopback addresses: " + url);
                }
            }
            URI u = URI.create(o.kc);
            if (!"127.0.0.1".equals(u.getHost()) && !"localhost".equals(u.getHost()) && !"[::1]".equals(u.getHost())) {
                throw new IllegalArgumentException("only loopback addresses: " + o.kc);
            }
            if (u.getPort() == 8080 || u.getPort() == 9000) {
                throw new IllegalArgumentException("ports 8080 and 9000 belong to the test suite");
            }
            return o;
        }

        static int[] ints(String v) {
            return Arrays.stream(v.split(","))
                    .filter(s -> !s.isBlank())
                    .mapToInt(s -> Integer.parseInt(s.trim()))
                    .toArray();
        }
    }

    // ---------------------------------------------------------------------------------------------- fake vendor

    /** A fake OpenAI-compatible vendor: /v1/models and /v1/chat/completions; keys containing "slow" stream slowly. */
    static final class FakeVendor {
        static final String MODELS = "{\"object\":\"list\",\"data\":["
                + "{\"id\":\"bench-model\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"},"
                + "{\"id\":\"bench-slow\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"}]}";
        static final String COMPLETION =
                "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1741569952,"
                        + "\"model\":\"{MODEL}\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + "\"Hello from the bench vendor.\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,\"total_tokens\":19,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}},"
                        + "\"system_fingerprint\":\"fp_bench\"}";
        static final Pattern USER = Pattern.compile("\"user\"\\s*:\\s*\"([^\"]*)\"");
        static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");
        static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
        static final int SLOW_PIECES = 10;

        /** Per request id: {received, first byte written, finished} in System.nanoTime(); 0 = not yet. */
        final ConcurrentHashMap<String, AtomicLongArray> timings = new ConcurrentHashMap<>();

        final AtomicInteger openStreams = new AtomicInteger();
        final AtomicInteger peakOpenStreams = new AtomicInteger();
        final AtomicLong chatCalls = new AtomicLong();
        final AtomicLong writeFailures = new AtomicLong();
        final HttpServer server;
        final ExecutorService pool;
        final long slowMillis;

        /** Whether to keep per-request timings (only when this JVM's client reads them). */
        final boolean record;

        FakeVendor(long slowMillis) throws IOException {
            this(slowMillis, 0, true);
        }

        FakeVendor(long slowMillis, int port, boolean record) throws IOException {
            this.slowMillis = slowMillis;
            this.record = record;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
            // A bounded cached pool (no virtual threads on JDK 17): one thread per open exchange, slow streams sleep.
            pool = new ThreadPoolExecutor(8, 6000, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(null, r, "fake-vendor", 256 * 1024);
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(pool);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void stop() {
            server.stop(0);
            pool.shutdownNow();
        }

        void resetPeak() {
            peakOpenStreams.set(openStreams.get());
        }

        private void handle(HttpExchange ex) throws IOException {
            long received = System.nanoTime();
            try (ex) {
                String path = ex.getRequestURI().getPath();
                byte[] raw = ex.getRequestBody().readAllBytes();
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (auth == null || !auth.startsWith("Bearer sk-bench")) {
                    send(
                            ex,
                            401,
                            "{\"error\":{\"message\":\"Incorrect API key provided\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}",
                            received);
                    return;
                }
                if (ex.getRequestMethod().equals("GET") && path.equals("/v1/models")) {
                    send(ex, 200, MODELS, received);
                    return;
                }
                if (!ex.getRequestMethod().equals("POST") || !path.equals("/v1/chat/completions")) {
                    send(
                            ex,
                            404,
                            "{\"error\":{\"message\":\"Not found\",\"type\":\"invalid_request_error\"}}",
                            received);
                    return;
                }
                chatCalls.incrementAndGet();
                String body = new String(raw, StandardCharsets.UTF_8);
                Matcher um = USER.matcher(body);
                String id = um.find() ? um.group(1) : null;
                Matcher mm = MODEL.matcher(body);
                String model = mm.find() ? mm.group(1) : "unknown";
                AtomicLongArray t = new AtomicLongArray(3);
                t.set(0, received);
                if (id != null && record) {
                    timings.put(id, t);
                }
                if (STREAM.matcher(body).find()) {
                    stream(ex, model, auth.contains("slow"), t);
                } else {
                    byte[] bytes = COMPLETION.replace("{MODEL}", model).getBytes(StandardCharsets.UTF_8);
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.getResponseHeaders()
                            .add(
                                    "X-Fake-Vendor-Ms",
                                    String.format(Locale.ROOT, "%.6f", (System.nanoTime() - received) / 1e6));
                    ex.sendResponseHeaders(200, bytes.length);
                    t.set(1, System.nanoTime());
                    ex.getResponseBody().write(bytes);
                    ex.getResponseBody().flush();
                    t.set(2, System.nanoTime());
                }
            } catch (IOException e) {
                writeFailures.incrementAndGet();
            }
        }

        private void stream(HttpExchange ex, String model, boolean slow, AtomicLongArray t) throws IOException {
            int open = openStreams.incrementAndGet();
            peakOpenStreams.accumulateAndGet(open, Math::max);
            try {
                ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
                ex.getResponseHeaders()
                        .add(
                                "X-Fake-Vendor-Ms",
                                String.format(Locale.ROOT, "%.6f", (System.nanoTime() - t.get(0)) / 1e6));
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                String head =
                        "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\""
                                + model + "\",\"system_fingerprint\":\"fp_bench\",\"choices\":[";
                write(
                        out,
                        head
                                + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
                t.set(1, System.nanoTime());
                int pieces = slow ? SLOW_PIECES : 4;
                for (int i = 0; i < pieces; i++) {
                    if (slow) {
                        sleepUntil(t.get(1) + (i + 1) * slowMillis * 1_000_000L / SLOW_PIECES);
                    }
                    write(
                            out,
                            head + "{\"index\":0,\"delta\":{\"content\":\"piece " + i
                                    + " \"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
                }
                write(
                        out,
                        head
                                + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}");
                write(
                        out,
                        head + "],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":" + (pieces * 2)
                                + ",\"total_tokens\":" + (12 + pieces * 2)
                                + ",\"prompt_tokens_details\":{\"cached_tokens\":0},"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}");
                write(out, "[DONE]");
                out.close();
                t.set(2, System.nanoTime());
            } finally {
                openStreams.decrementAndGet();
            }
        }

        private static void write(OutputStream out, String event) throws IOException {
            out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private static void sleepUntil(long nanoDeadline) {
            long left;
            while ((left = nanoDeadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        }

        private static void send(HttpExchange ex, int status, String body, long received) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders()
                    .add("X-Fake-Vendor-Ms", String.format(Locale.ROOT, "%.6f", (System.nanoTime() - received) / 1e6));
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }

    // ---------------------------------------------------------------------------------------------- client side

    /** A response body read as it arrives, with the time of the headers, the first body byte and the end. */
    static final class Timed implements HttpResponse.BodySubscriber<Timed> {
        final CompletableFuture<Timed> done = new CompletableFuture<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        final long headersAt = System.nanoTime();
        volatile long firstByteAt;
        volatile long endAt;
        final Runnable onEnd;

        Timed(Runnable onEnd) {
            this.onEnd = onEnd;
        }

        @Override
        public CompletionStage<Timed> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (b.hasRemaining()) {
                    if (firstByteAt == 0) {
                        firstByteAt = System.nanoTime();
                    }
                    byte[] a = new byte[b.remaining()];
                    b.get(a);
                    synchronized (bytes) {
                        bytes.write(a, 0, a.length);
                    }
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            endAt = System.nanoTime();
            if (onEnd != null) {
                onEnd.run();
            }
            done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            endAt = System.nanoTime();
            if (onEnd != null) {
                onEnd.run();
            }
            done.complete(this);
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** Errors by kind, with a few samples. */
    static final class Errors {
        final Map<String, AtomicLong> kinds = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
        final AtomicInteger sampleCount = new AtomicInteger();

        void add(String kind, String sample) {
            kinds.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            if (sample != null && sampleCount.incrementAndGet() <= 5) {
                samples.add(kind + ": " + abbreviate(sample, 400));
            }
        }

        long total() {
            return kinds.values().stream().mapToLong(AtomicLong::get).sum();
        }

        String describe() {
            if (kinds.isEmpty()) {
                return "none";
            }
            StringBuilder sb = new StringBuilder();
            new TreeMap<>(kinds)
                    .forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ")
                            .append(k)
                            .append(" x")
                            .append(v.get()));
            return sb.toString();
        }
    }

    /** One run of N requests at a concurrency level: per-request figures in nanoseconds (or ms for the header). */
    static final class LevelResult {
        final String label;
        final int concurrency;
        final long[] client;
        final long[] added;
        final long[] ttfb;
        final long[] addedTtfb;
        final long[] toVendor;
        final long[] overheadMs;
        final boolean[] ok;
        final Errors errors = new Errors();
        final AtomicInteger finished = new AtomicInteger();
        int completed;
        long wallNanos;
        String kcAfter = "";
        String cpu = "";

        LevelResult(String label, int concurrency, int n) {
            this.label = label;
            this.concurrency = concurrency;
            client = filled(n);
            added = filled(n);
            ttfb = filled(n);
            addedTtfb = filled(n);
            toVendor = filled(n);
            overheadMs = filled(n);
            ok = new boolean[n];
        }

        static long[] filled(int n) {
            long[] a = new long[n];
            Arrays.fill(a, -1);
            return a;
        }
    }

    final Opts opts;
    final HttpClient http;
    final FakeVendor vendor;
    final AtomicLong ids = new AtomicLong();
    String userToken;

    GatewayBench(Opts opts) throws IOException {
        this.opts = opts;
        this.vendor = opts.vendorUrl == null ? new FakeVendor(opts.slowMillis) : null;
        ExecutorService clientPool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(null, r, "bench-client", 256 * 1024);
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(clientPool)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public static void main(String[] args) throws Exception {
        // The JDK's HttpServer leaves Nagle's algorithm on by default: its header and body writes would then wait for
        // the gateway's delayed ACK (up to 40 ms on Linux loopback), a delay that is the fake vendor's, not the
        // gateway's.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        if (args.length > 0 && args[0].equals("--vendor")) {
            runVendor(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        // Close idle connections before a peer's server does (Node closes them after 5 s): a pooled connection the
        // server has just closed would fail a POST, which the JDK client does not retry.
        System.setProperty("jdk.httpclient.keepalive.timeout", "3");
        Opts opts = Opts.parse(args);
        GatewayBench bench = new GatewayBench(opts);
        int rc;
        try {
            rc = opts.compare ? new Compare(bench).run() : bench.run();
        } finally {
            if (bench.vendor != null) {
                bench.vendor.stop();
            }
        }
        System.exit(rc);
    }

    /** The fake vendor alone, in its own process (so its CPU is measured apart): {@code --vendor --port=N}. */
    static void runVendor(String[] args) throws Exception {
        int port = 0;
        long slowMillis = 10_000;
        for (String a : args) {
            if (a.startsWith("--port=")) {
                port = Integer.parseInt(a.substring(7));
            } else if (a.startsWith("--slow-millis=")) {
                slowMillis = Long.parseLong(a.substring(14));
            } else {
                throw new IllegalArgumentException("unknown vendor option: " + a);
            }
        }
        FakeVendor v = new FakeVendor(slowMillis, port, false);
        say("fake vendor listening on http://127.0.0.1:" + v.port() + "/v1 (pid "
                + ProcessHandle.current().pid() + ")");
        Thread.currentThread().join();
    }

    /** The vendor's base URL as providers see it ({@code .../v1}). */
    String vendorBase() {
        return (opts.vendorUrl != null ? opts.vendorUrl : "http://127.0.0.1:" + vendor.port()) + "/v1";
    }

    int run() throws Exception {
        say("Keycloak LLM Gateway benchmark, "
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))
                + ", driver JDK " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
                + "), "
                + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + loadAverage());
        say("Fake vendor on " + vendorBase() + ", gateway " + opts.kc + "/realms/" + opts.realm
                + "/llm/v1, Keycloak pid " + opts.kcPid + " " + procStatus());
        setUp();
        if (opts.limiterPaired) {
            return new LimiterPaired(this).run();
        }

        section("Warm-up");
        int warmStreams = Math.min(500, opts.warmup / 4);
        LevelResult w1 = runLevel("warm-up", 8, opts.warmup - warmStreams, false, "bench-model");
        LevelResult w2 = runLevel("warm-up stream", 8, warmStreams, true, "bench-model");
        say(String.format(
                Locale.ROOT,
                "%d non-streamed + %d streamed requests at concurrency 8, errors: %s / %s",
                w1.completed,
                w2.completed,
                w1.errors.describe(),
                w2.errors.describe()));

        section("Non-streamed completions (model bench-model, " + opts.requests + " requests per level, at most "
                + opts.levelLimitSeconds + " s)");
        List<LevelResult> results = new ArrayList<>();
        for (int level : opts.levels) {
            results.add(runLevel("non-streamed", level, opts.requests, false, "bench-model"));
        }
        printTable(results, false);

        section("Streamed completions (model bench-model, concurrency " + opts.streamConcurrency + ")");
        LevelResult streamed = runLevel("streamed", opts.streamConcurrency, opts.streamRequests, true, "bench-model");
        printTable(List.of(streamed), true);

        SlowResult slow = null;
        if (!opts.skipSlow) {
            section("Slow streams: " + opts.slowStreams + " concurrent streamed calls to bench-slow, upstream "
                    + opts.slowMillis / 1000.0 + " s each");
            slow = runSlow();
        }

        section("Against the targets");
        boolean allOk = true;
        for (LevelResult r : results) {
            long p50 = pct(r.overheadMs, 0.50);
            long p99 = pct(r.overheadMs, 0.99);
            double a50 = pct(r.added, 0.50) / 1e6;
            double a99 = pct(r.added, 0.99) / 1e6;
            boolean hdr = p50 <= 1 && p99 <= 5;
            boolean cli = a50 <= 1.0 && a99 <= 5.0;
            allOk &= hdr && r.errors.total() == 0;
            say(String.format(
                    Locale.ROOT,
                    "concurrency %3d: X-LLM-Overhead-Ms p50 %d / p99 %d ms -> %s;  client-side added latency p50 %.3f / p99 %.3f ms -> %s%s",
                    r.concurrency,
                    p50,
                    p99,
                    hdr ? "MET" : "MISSED",
                    a50,
                    a99,
                    cli ? "MET" : "MISSED",
                    r.errors.total() == 0 ? "" : ";  errors " + r.errors.total()));
        }
        if (slow != null) {
            boolean met = slow.completed == opts.slowStreams && opts.slowStreams >= 1000;
            allOk &= met;
            say(String.format(
                    Locale.ROOT,
                    "slow streams: %d of %d completed with 200 and [DONE], peak %d open at once -> %s",
                    slow.completed,
                    opts.slowStreams,
                    slow.peakOpen,
                    met ? "MET (1,000 target)" : "MISSED (target 1,000 without errors)"));
        }
        say("Keycloak at the end: " + procStatus());
        return allOk ? 0 : 3;
    }

    // ---------------------------------------------------------------------------------------------- set-up

    void setUp() throws Exception {
        String admin = adminToken();
        HttpResponse<String> del = send(HttpRequest.newBuilder(URI.create(opts.kc + "/admin/realms/" + opts.realm))
                .header("Authorization", "Bearer " + admin)
                .DELETE());
        if (del.statusCode() == 204) {
            say("Deleted the realm '" + opts.realm + "' left from an earlier run");
        }
        String realm = "{\"realm\":\"" + opts.realm + "\",\"enabled\":true,\"accessTokenLifespan\":3600,"
                + "\"ssoSessionIdleTimeout\":7200,\"ssoSessionMaxLifespan\":36000,"
                + "\"clients\":[{\"clientId\":\"bench-client\",\"enabled\":true,\"publicClient\":true,"
                + "\"directAccessGrantsEnabled\":true,\"standardFlowEnabled\":false}],"
                + "\"users\":[{\"username\":\"bench-user\",\"enabled\":true,\"email\":\"bench-user@example.org\","
                + "\"emailVerified\":true,\"firstName\":\"Bench\",\"lastName\":\"User\","
                + "\"credentials\":[{\"type\":\"password\",\"value\":\"bench-pass\",\"temporary\":false}]}]}";
        expect(
                send(json(opts.kc + "/admin/realms", admin).POST(HttpRequest.BodyPublishers.ofString(realm))),
                201,
                "create realm");

        String base = vendorBase();
        for (String[] p : new String[][] {
            {"Bench fast", "sk-bench-fast-0001", "bench-model"}, {"Bench slow", "sk-bench-slow-0001", "bench-slow"}
        }) {
            String body = "{\"type\":\"custom\",\"name\":\"" + p[0] + "\",\"apiKey\":\"" + p[1] + "\",\"baseUrl\":\""
                    + base + "\",\"models\":[\"" + p[2] + "\"]}";
            HttpResponse<String> r = send(json(opts.kc + "/admin/realms/" + opts.realm + "/llm/providers", admin)
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            expect(r, 201, "create provider " + p[0]);
            if (!r.body().contains("\"status\":\"active\"")) {
                throw new IllegalStateException("provider " + p[0] + " is not active: " + r.body());
            }
            // Price the model so the bench user's power level (the realm default, Balanced) reaches it.
            String providerId = field(r.body(), "id");
            expect(
                    send(json(
                                    opts.kc + "/admin/realms/" + opts.realm + "/llm/providers/" + providerId
                                            + "/models/" + p[2],
                                    admin)
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"inputPrice\":0.15,\"outputPrice\":0.60}"))),
                    200,
                    "price " + p[2]);
        }
        HttpResponse<String> tok = send(
                HttpRequest.newBuilder(URI.create(opts.kc + "/realms/" + opts.realm + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "bench-client",
                                "username",
                                "bench-user",
                                "password",
                                "bench-pass")))));
        expect(tok, 200, "user token");
        userToken = field(tok.body(), "access_token");
        HttpResponse<String> models =
                send(HttpRequest.newBuilder(URI.create(opts.kc + "/realms/" + opts.realm + "/llm/v1/models"))
                        .header("Authorization", "Bearer " + userToken)
                        .GET());
        expect(models, 200, "list models");
        say("Realm '" + opts.realm + "' with user bench-user, client bench-client (token lifespan 3600 s), providers "
                + "'Bench fast' (bench-model) and 'Bench slow' (bench-slow, key contains 'slow'); /v1/models: "
                + abbreviate(models.body(), 200));
    }

    String adminToken() throws Exception {
        HttpResponse<String> r =
                send(HttpRequest.newBuilder(URI.create(opts.kc + "/realms/master/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "admin-cli",
                                "username",
                                opts.adminUser,
                                "password",
                                opts.adminPassword)))));
        expect(r, 200, "admin token");
        return field(r.body(), "access_token");
    }

    // ---------------------------------------------------------------------------------------------- closed-loop levels

    HttpRequest chat(String model, boolean stream, String id, Duration timeout) {
        return chat(model, stream, id, timeout, userToken);
    }

    HttpRequest chat(String model, boolean stream, String id, Duration timeout, String token) {
        String body =
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"user\":\""
                        + id + "\"" + (stream ? ",\"stream\":true" : "") + "}";
        return HttpRequest.newBuilder(URI.create(opts.kc + "/realms/" + opts.realm + "/llm/v1/chat/completions"))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    LevelResult runLevel(String label, int concurrency, int n, boolean stream, String model)
            throws InterruptedException {
        return runLevel(label, concurrency, n, stream, model, userToken);
    }

    LevelResult runLevel(String label, int concurrency, int n, boolean stream, String model, String token)
            throws InterruptedException {
        LevelResult r = new LevelResult(label, concurrency, n);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(opts.levelLimitSeconds);
        List<Thread> lanes = new ArrayList<>();
        Cpu cpu0 = Cpu.now(opts.kcPid);
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(
                    () -> {
                        while (System.nanoTime() < deadline) {
                            int k = next.getAndIncrement();
                            if (k >= n) {
                                return;
                            }
                            one(r, k, stream, model, token);
                        }
                    },
                    "lane-" + i);
            t.setDaemon(true);
            t.start();
            lanes.add(t);
        }
        for (Thread t : lanes) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 35_000));
        }
        r.wallNanos = System.nanoTime() - start;
        r.completed = r.finished.get();
        r.cpu = Cpu.now(opts.kcPid).since(cpu0, r.completed);
        r.kcAfter = procStatus();
        return r;
    }

    void one(LevelResult r, int k, boolean stream, String model) {
        one(r, k, stream, model, userToken);
    }

    void one(LevelResult r, int k, boolean stream, String model, String token) {
        String id = "b" + ids.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            HttpResponse<Timed> resp =
                    http.send(chat(model, stream, id, Duration.ofSeconds(30), token), info -> new Timed(null));
            Timed body = resp.body();
            long end = body.endAt;
            AtomicLongArray v = vendorTimes(id);
            r.client[k] = end - t0;
            String overhead = resp.headers().firstValue("X-LLM-Overhead-Ms").orElse(null);
            if (overhead != null) {
                r.overheadMs[k] = Long.parseLong(overhead.trim());
            }
            if (resp.statusCode() != 200) {
                r.errors.add("HTTP " + resp.statusCode(), body.text());
                return;
            }
            String text = body.text();
            if (stream && !text.contains("data: [DONE]")) {
                r.errors.add("stream without [DONE]", text);
                return;
            }
            if (!stream && !text.contains("\"chat.completion\"")) {
                r.errors.add("not a chat.completion", text);
                return;
            }
            r.ok[k] = true;
            if (v != null && v.get(2) > 0) {
                r.added[k] = (end - t0) - (v.get(2) - v.get(0));
                r.toVendor[k] = v.get(0) - t0;
                if (stream && body.firstByteAt > 0 && v.get(1) > 0) {
                    r.ttfb[k] = body.firstByteAt - t0;
                    r.addedTtfb[k] = (body.firstByteAt - t0) - (v.get(1) - v.get(0));
                }
            } else {
                r.errors.add("vendor did not see the request id", null);
            }
        } catch (IOException e) {
            r.client[k] = System.nanoTime() - t0;
            r.errors.add(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            r.client[k] = System.nanoTime() - t0;
            r.errors.add(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } finally {
            r.finished.incrementAndGet();
        }
    }

    /**
     * The vendor's record of a request. The vendor notes its end right after its last write returns, which can be a
     * moment after the client already has the answer: wait for it briefly (at most 200 ms).
     */
    AtomicLongArray vendorTimes(String id) {
        AtomicLongArray v = vendor == null ? null : vendor.timings.remove(id);
        if (v == null) {
            return null;
        }
        long until = System.nanoTime() + 200_000_000L;
        while (v.get(2) == 0 && System.nanoTime() < until) {
            LockSupport.parkNanos(20_000);
        }
        return v;
    }

    void printTable(List<LevelResult> results, boolean stream) {
        say(String.format(
                Locale.ROOT,
                "%-5s %6s %5s %8s | %-21s | %-19s | %-21s | %-6s %-6s",
                "conc",
                "done",
                "err",
                "req/s",
                "client p50/p99 ms",
                "added p50/p99 ms",
                "X-LLM-Overhead-Ms p50/p99/max",
                "=0",
                "<=1"));
        for (LevelResult r : results) {
            say(String.format(
                    Locale.ROOT,
                    "%-5d %6d %5d %8.1f | %9.3f / %9.3f | %8.3f / %8.3f | %6d / %5d / %5d     | %5.1f%% %5.1f%%",
                    r.concurrency,
                    r.completed,
                    r.errors.total(),
                    r.completed / (r.wallNanos / 1e9),
                    pct(r.client, 0.50) / 1e6,
                    pct(r.client, 0.99) / 1e6,
                    pct(r.added, 0.50) / 1e6,
                    pct(r.added, 0.99) / 1e6,
                    pct(r.overheadMs, 0.50),
                    pct(r.overheadMs, 0.99),
                    max(r.overheadMs),
                    share(r.overheadMs, 0),
                    share(r.overheadMs, 1)));
        }
        for (LevelResult r : results) {
            StringBuilder sb = new StringBuilder(String.format(
                    Locale.ROOT,
                    "  conc %d: wall %.1f s; added latency max %.3f ms; client->vendor p50 %.3f ms; ",
                    r.concurrency,
                    r.wallNanos / 1e9,
                    max(r.added) / 1e6,
                    pct(r.toVendor, 0.50) / 1e6));
            if (stream) {
                sb.append(String.format(
                        Locale.ROOT,
                        "time to first byte p50 %.3f / p99 %.3f ms, added TTFB p50 %.3f / p99 %.3f ms; ",
                        pct(r.ttfb, 0.50) / 1e6,
                        pct(r.ttfb, 0.99) / 1e6,
                        pct(r.addedTtfb, 0.50) / 1e6,
                        pct(r.addedTtfb, 0.99) / 1e6));
            }
            sb.append("errors: ")
                    .append(r.errors.describe())
                    .append(";\n      CPU: ")
                    .append(r.cpu)
                    .append("; Keycloak after: ")
                    .append(r.kcAfter);
            say(sb.toString());
            r.errors.samples.forEach(s -> say("    e.g. " + s));
        }
    }

    // ---------------------------------------------------------------------------------------------- slow streams

    static final class SlowResult {
        int completed;
        int peakOpen;
    }

    SlowResult runSlow() throws Exception {
        int n = opts.slowStreams;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peakInFlight = new AtomicInteger();
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peakOpen = new AtomicInteger();
        AtomicInteger completedOk = new AtomicInteger();
        Errors errors = new Errors();
        long[] total = LevelResult.filled(n);
        long[] ttfb = LevelResult.filled(n);
        long[] overhead = LevelResult.filled(n);
        if (vendor != null) {
            vendor.resetPeak();
        }

        Sampler sampler = new Sampler(opts.kcPid, inFlight, open);
        Thread samplerThread = new Thread(sampler, "sampler");
        samplerThread.setDaemon(true);
        String before = procStatus();
        samplerThread.start();

        Cpu cpu0 = Cpu.now(opts.kcPid);
        long start = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>(n);
        long gap = n > 1 ? TimeUnit.MILLISECONDS.toNanos(opts.slowRampMillis) / n : 0;
        Duration timeout = Duration.ofMillis(opts.slowMillis + 30_000);
        for (int i = 0; i < n; i++) {
            int k = i;
            String id = "s" + ids.incrementAndGet();
            long t0 = System.nanoTime();
            peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            AtomicInteger counted = new AtomicInteger();
            CompletableFuture<Void> f = http.sendAsync(chat("bench-slow", true, id, timeout), info -> {
                        if (info.statusCode() == 200) {
                            peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                            counted.set(1);
                        }
                        return new Timed(() -> {
                            if (counted.getAndSet(0) == 1) {
                                open.decrementAndGet();
                            }
                        });
                    })
                    .handle((resp, error) -> {
                        inFlight.decrementAndGet();
                        if (vendor != null) {
                            vendor.timings.remove(id);
                        }
                        if (error != null) {
                            Throwable c = error.getCause() != null ? error.getCause() : error;
                            errors.add(c.getClass().getSimpleName(), String.valueOf(c.getMessage()));
                            return null;
                        }
                        Timed body = resp.body();
                        total[k] = body.endAt - t0;
                        if (body.firstByteAt > 0) {
                            ttfb[k] = body.firstByteAt - t0;
                        }
                        resp.headers()
                                .firstValue("X-LLM-Overhead-Ms")
                                .ifPresent(h -> overhead[k] = Long.parseLong(h.trim()));
                        String text = body.text();
                        if (resp.statusCode() != 200) {
                            errors.add("HTTP " + resp.statusCode(), text);
                        } else if (!text.contains("data: [DONE]")) {
                            errors.add("stream without [DONE]", text);
                        } else {
                            completedOk.incrementAndGet();
                        }
                        return null;
                    });
            all.add(f);
            if (gap > 0) {
                LockSupport.parkNanos(gap);
            }
        }
        long submitted = System.nanoTime();
        int unfinished = 0;
        try {
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
                    .get(opts.slowMillis + TimeUnit.SECONDS.toMillis(opts.slowExtraSeconds), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            for (CompletableFuture<Void> f : all) {
                if (!f.isDone()) {
                    unfinished++;
                    f.cancel(true);
                }
            }
            errors.add(
                    "unfinished at the deadline",
                    unfinished + " calls still open " + opts.slowExtraSeconds + " s after the upstream's end");
        }
        long wall = System.nanoTime() - start;
        String cpu = Cpu.now(opts.kcPid).since(cpu0, n);
        sampler.stop = true;
        samplerThread.join(2_000);

        SlowResult out = new SlowResult();
        out.completed = completedOk.get();
        out.peakOpen = peakOpen.get();
        say(String.format(
                Locale.ROOT,
                "submitted %d calls in %.2f s; wall time %.2f s",
                n,
                (submitted - start) / 1e9,
                wall / 1e9));
        say(String.format(
                Locale.ROOT,
                "completed with 200 and [DONE]: %d of %d; errors: %s",
                out.completed,
                n,
                errors.describe()));
        errors.samples.forEach(s -> say("    e.g. " + s));
        say(String.format(
                Locale.ROOT,
                "peak in flight %d, peak open streams (200 headers received, body not ended) %d, peak streams open at the fake vendor %d",
                peakInFlight.get(),
                out.peakOpen,
                vendor == null ? -1 : vendor.peakOpenStreams.get()));
        say(String.format(
                Locale.ROOT,
                "per stream: time to first byte p50 %.1f / p99 %.1f / max %.1f ms; total p50 %.3f / p99 %.3f / max %.3f s; X-LLM-Overhead-Ms p50 %d / p99 %d / max %d",
                pct(ttfb, 0.5) / 1e6,
                pct(ttfb, 0.99) / 1e6,
                max(ttfb) / 1e6,
                pct(total, 0.5) / 1e9,
                pct(total, 0.99) / 1e9,
                max(total) / 1e9,
                pct(overhead, 0.5),
                pct(overhead, 0.99),
                max(overhead)));
        say("CPU during the phase: " + cpu);
        say("Keycloak before: " + before);
        say(String.format(
                Locale.ROOT,
                "Keycloak during (%d samples every 250 ms): VmRSS peak %d MB, Threads peak %d (at the peak of open streams: %s)",
                sampler.samples,
                sampler.peakRssKb / 1024,
                sampler.peakThreads,
                sampler.atPeakOpen));
        if (!sampler.threadGroups.isEmpty()) {
            say("Keycloak threads by name when the most streams were open: " + sampler.threadGroups);
        }
        say("Keycloak after: " + procStatus());
        return out;
    }

    /** Samples the Keycloak process's RSS and thread count while the slow streams run. */
    static final class Sampler implements Runnable {
        final long pid;
        final AtomicInteger inFlight;
        final AtomicInteger open;
        volatile boolean stop;
        int samples;
        long peakRssKb;
        long peakThreads;
        int peakOpenSeen = -1;
        String atPeakOpen = "n/a";
        String threadGroups = "";

        Sampler(long pid, AtomicInteger inFlight, AtomicInteger open) {
            this.pid = pid;
            this.inFlight = inFlight;
            this.open = open;
        }

        @Override
        public void run() {
            long limit = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!stop && System.nanoTime() < limit) {
                long[] s = status(pid);
                if (s != null) {
                    samples++;
                    peakRssKb = Math.max(peakRssKb, s[0]);
                    peakThreads = Math.max(peakThreads, s[1]);
                    int o = open.get();
                    if (o > peakOpenSeen) {
                        peakOpenSeen = o;
                        atPeakOpen =
                                String.format(Locale.ROOT, "%d open, VmRSS %d MB, Threads %d", o, s[0] / 1024, s[1]);
                        if (o > 0) {
                            threadGroups = threadGroups(pid);
                        }
                    }
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- side by side

    /**
     * Side by side with a peer gateway ({@code --compare}, bench/run-compare-bench.sh): the same calls to the fake
     * vendor directly (the baseline), through Portkey's gateway and through ours, in interleaved rounds. The vendor,
     * Portkey and Keycloak each run in their own process so that each one's CPU time is read apart
     * ({@code /proc/<pid>/stat}). "Added" figures are a target's figure minus the baseline's in the same round (the
     * median over the rounds), so the vendor's own time and the client's cancel out.
     */
    static final class Compare {
        enum Target {
            BASELINE("baseline"),
            PORTKEY("portkey"),
            OURS("ours");

            final String label;

            Target(String label) {
                this.label = label;
            }
        }

        /** The processes whose CPU and memory are read: Keycloak, Portkey's node, the vendor, this driver. */
        static final String[] PROCS = {"keycloak", "portkey", "vendor", "driver"};

        /** One target at one level in one round. */
        static final class Phase {
            final Target target;
            final int concurrency;
            final boolean stream;
            long[] latency;
            long[] ttfb;
            final Errors errors = new Errors();
            int completed;
            long wallNanos;
            /** CPU ticks per process (PROCS order) and of the whole machine (busy), over the phase. */
            final long[] ticks = new long[PROCS.length];

            long busyTicks;
            /** {VmRSS, VmHWM} kB per server process after the phase (keycloak, portkey, vendor). */
            final long[][] memory = new long[3][];

            String load;

            Phase(Target target, int concurrency, boolean stream) {
                this.target = target;
                this.concurrency = concurrency;
                this.stream = stream;
            }

            double seconds() {
                return wallNanos / 1e9;
            }

            double reqPerSec() {
                return completed / seconds();
            }

            double p(long[] a, double q) {
                return pct(a, q) / 1e6;
            }

            /** CPU µs per completed call of one process. */
            double cpuPerCall(int proc) {
                return ticks[proc] < 0 || completed == 0 ? Double.NaN : ticks[proc] * 1e6 / Cpu.HZ / completed;
            }

            double otherCores() {
                long mine = 0;
                for (long t : ticks) {
                    mine += Math.max(0, t);
                }
                return busyTicks < 0 ? Double.NaN : Math.max(0, (busyTicks - mine) / Cpu.HZ / seconds());
            }
        }

        /** A level: concurrency and streamed or not. */
        record Level(int concurrency, boolean stream) {
            String name() {
                return (stream ? "streamed" : "non-streamed") + " c=" + concurrency;
            }
        }

        final GatewayBench b;
        final Opts opts;
        final long[] pids;
        /** Whether Portkey answered a streamed call correctly (checked before measuring). */
        boolean portkeyStreams = true;

        Compare(GatewayBench b) {
            this.b = b;
            this.opts = b.opts;
            this.pids = new long[] {
                opts.kcPid,
                opts.portkeyPid,
                opts.vendorPid,
                ProcessHandle.current().pid()
            };
            if (opts.vendorUrl == null || opts.portkey == null) {
                throw new IllegalArgumentException("--compare needs --vendor-url and --portkey");
            }
        }

        HttpRequest request(Target t, boolean stream, String id) {
            String body = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],"
                    + "\"user\":\"" + id + "\"" + (stream ? ",\"stream\":true" : "") + "}";
            HttpRequest.Builder rb = switch (t) {
                case BASELINE ->
                    HttpRequest.newBuilder(URI.create(opts.vendorUrl + "/v1/chat/completions"))
                            .header("Authorization", "Bearer sk-bench-fast-0001");
                case PORTKEY ->
                    HttpRequest.newBuilder(URI.create(opts.portkey + "/v1/chat/completions"))
                            .header("x-portkey-provider", "openai")
                            .header("x-portkey-custom-host", opts.vendorUrl + "/v1")
                            .header("Authorization", "Bearer sk-bench-fast-0001");
                case OURS ->
                    HttpRequest.newBuilder(URI.create(opts.kc + "/realms/" + opts.realm + "/llm/v1/chat/completions"))
                            .header("Authorization", "Bearer " + b.userToken);
            };
            return rb.header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
        }

        /** One call; returns null when correct, else the error's kind (and fills latency and TTFB in ns). */
        String call(Target t, boolean stream, long[] out, Errors errors) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<Timed> resp =
                        b.http.send(request(t, stream, "c" + b.ids.incrementAndGet()), info -> new Timed(null));
                Timed body = resp.body();
                out[0] = body.endAt - t0;
                out[1] = body.firstByteAt > 0 ? body.firstByteAt - t0 : -1;
                String text = body.text();
                if (resp.statusCode() != 200) {
                    errors.add("HTTP " + resp.statusCode(), text);
                    return "HTTP " + resp.statusCode();
                }
                if (!text.contains("\"choices\"")) {
                    errors.add("no choices", text);
                    return "no choices";
                }
                if (stream && !text.contains("data: [DONE]")) {
                    errors.add("stream without [DONE]", text);
                    return "stream without [DONE]";
                }
                return null;
            } catch (IOException | RuntimeException e) {
                out[0] = -1;
                errors.add(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
                return e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }

        long[] ticksNow() {
            long[] t = new long[PROCS.length];
            for (int i = 0; i < PROCS.length; i++) {
                t[i] = Cpu.ticks(String.valueOf(pids[i]));
            }
            return t;
        }

        static long busyNow() {
            return Cpu.now(-1).busy();
        }

        Phase run(Target t, int c, int n, boolean stream) throws InterruptedException {
            Phase p = new Phase(t, c, stream);
            p.latency = LevelResult.filled(n);
            p.ttfb = LevelResult.filled(n);
            AtomicInteger next = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(opts.levelLimitSeconds);
            List<Thread> lanes = new ArrayList<>();
            long[] t0 = ticksNow();
            long busy0 = busyNow();
            long start = System.nanoTime();
            for (int i = 0; i < c; i++) {
                Thread th = new Thread(
                        () -> {
                            long[] out = new long[2];
                            while (System.nanoTime() < deadline) {
                                int k = next.getAndIncrement();
                                if (k >= n) {
                                    return;
                                }
                                String error = call(t, stream, out, p.errors);
                                if (error == null) {
                                    p.latency[k] = out[0];
                                    p.ttfb[k] = out[1];
                                }
                                done.incrementAndGet();
                            }
                        },
                        "lane-" + i);
                th.setDaemon(true);
                th.start();
                lanes.add(th);
            }
            for (Thread th : lanes) {
                th.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 35_000));
            }
            p.wallNanos = System.nanoTime() - start;
            long[] t1 = ticksNow();
            p.busyTicks = busy0 < 0 ? -1 : busyNow() - busy0;
            for (int i = 0; i < PROCS.length; i++) {
                p.ticks[i] = t0[i] < 0 || t1[i] < 0 ? -1 : t1[i] - t0[i];
            }
            p.completed = done.get();
            for (int i = 0; i < 3; i++) {
                p.memory[i] = memory(pids[i]);
            }
            p.load = loadAverage();
            return p;
        }

        /** {VmRSS, VmHWM} in kB, or {-1, -1}. */
        static long[] memory(long pid) {
            long rss = -1;
            long hwm = -1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
            return new long[] {rss, hwm};
        }

        int run() throws Exception {
            say("Side by side with Portkey, "
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))
                    + ", driver JDK " + System.getProperty("java.version") + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs, load average " + loadAverage());
            say("Targets: baseline = the fake vendor directly (" + opts.vendorUrl + "/v1, pid " + opts.vendorPid
                    + "); portkey = " + opts.portkey + "/v1 (node pid " + opts.portkeyPid
                    + ", x-portkey-provider: openai, x-portkey-custom-host: " + opts.vendorUrl
                    + "/v1); ours = " + opts.kc + "/realms/" + opts.realm + "/llm/v1 (Keycloak java pid "
                    + opts.kcPid + ")");
            b.setUp();

            // Every target answers correctly before anything is timed.
            for (Target t : Target.values()) {
                for (boolean stream : new boolean[] {false, true}) {
                    long[] out = new long[2];
                    Errors e = new Errors();
                    String error = call(t, stream, out, e);
                    if (error != null) {
                        if (t == Target.PORTKEY && stream) {
                            portkeyStreams = false;
                            say("Portkey's streamed answer is not usable (" + e.describe() + "): streams are measured "
                                    + "without it");
                            e.samples.forEach(s -> say("    e.g. " + s));
                            continue;
                        }
                        say("The " + t.label + " target does not answer correctly" + (stream ? " (streamed)" : "")
                                + ": " + e.describe());
                        e.samples.forEach(s -> say("    e.g. " + s));
                        return 1;
                    }
                }
            }
            say("Each target answered a non-streamed call with 200 and choices, and a streamed one with 200, chunks "
                    + "and [DONE]" + (portkeyStreams ? "" : " (Portkey: non-streamed only)"));

            WarmupCurve curve = warmupCurve();

            section("Warm-up: " + opts.warmup + " calls per target at concurrency 8 (a quarter of them streamed)");
            for (Target t : Target.values()) {
                int streams = t == Target.PORTKEY && !portkeyStreams ? 0 : opts.warmup / 4;
                Phase w1 = run(t, 8, opts.warmup - streams, false);
                Phase w2 = streams == 0 ? null : run(t, 8, streams, true);
                say(String.format(
                        Locale.ROOT,
                        "%-8s %d + %d calls in %.1f s, errors: %s / %s",
                        t.label,
                        w1.completed,
                        w2 == null ? 0 : w2.completed,
                        w1.seconds() + (w2 == null ? 0 : w2.seconds()),
                        w1.errors.describe(),
                        w2 == null ? "-" : w2.errors.describe()));
            }

            List<Level> levels = new ArrayList<>();
            for (int c : opts.compareLevels) {
                levels.add(new Level(c, false));
            }
            for (int c : opts.streamLevels) {
                levels.add(new Level(c, true));
            }
            section(String.format(
                    Locale.ROOT,
                    "Rounds: %d; per round, level and target %d calls (at concurrency c: max(%d, 60 x c)); the three "
                            + "targets back to back, the order rotating each round",
                    opts.rounds,
                    opts.roundRequests,
                    opts.roundRequests));
            Map<Level, List<Map<Target, Phase>>> all = new LinkedHashMap<>();
            for (Level l : levels) {
                all.put(l, new ArrayList<>());
            }
            Target[] order = Target.values();
            for (int r = 0; r < opts.rounds; r++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d:", r + 1));
                for (Level l : levels) {
                    int n = Math.max(opts.roundRequests, 60 * l.concurrency());
                    Map<Target, Phase> round = new LinkedHashMap<>();
                    for (int i = 0; i < order.length; i++) {
                        Target t = order[(i + r) % order.length];
                        if (t == Target.PORTKEY && l.stream() && !portkeyStreams) {
                            continue;
                        }
                        round.put(t, run(t, l.concurrency(), n, l.stream()));
                    }
                    all.get(l).add(round);
                    Phase ours = round.get(Target.OURS);
                    Phase base = round.get(Target.BASELINE);
                    line.append(String.format(
                            Locale.ROOT,
                            "  %s%d ours-base p50 %+.2f ms",
                            l.stream() ? "s" : "c",
                            l.concurrency(),
                            ours.p(ours.latency, 0.5) - base.p(base.latency, 0.5)));
                }
                say(line + "  (load " + loadAverage() + ")");
            }

            SlowResult slow = null;
            if (opts.slowStreamsSet) {
                section("Slow streams (ours): " + opts.slowStreams + " concurrent streamed calls to bench-slow, "
                        + "upstream " + opts.slowMillis / 1000.0 + " s each");
                slow = b.runSlow();
            }
            return report(levels, all, curve, slow);
        }

        // ------------------------------------------------------------------------------------------ warm-up curve

        record WarmupCurve(List<double[]> windows, double steady, double fromSeconds, boolean settled) {}

        /** Calls to ours at concurrency 1 on the fresh server: p50 per window, and when it settles. */
        WarmupCurve warmupCurve() throws InterruptedException {
            int secs = opts.warmupCurveSeconds;
            int win = opts.warmupWindowSeconds;
            section("Warm-up curve: ours at concurrency 1 for " + secs + " s on the freshly started Keycloak, p50 per "
                    + win + "-s window");
            if (secs <= 0) {
                return null;
            }
            int nw = Math.max(1, secs / win);
            List<List<Long>> lat = new ArrayList<>();
            for (int i = 0; i < nw; i++) {
                lat.add(new ArrayList<>());
            }
            long[] kcTicks = new long[nw + 1];
            long start = System.nanoTime();
            kcTicks[0] = Cpu.ticks(String.valueOf(opts.kcPid));
            int errors = 0;
            long[] out = new long[2];
            Errors e = new Errors();
            int w = 0;
            while (true) {
                long now = System.nanoTime();
                int idx = (int) ((now - start) / TimeUnit.SECONDS.toNanos(win));
                while (w < idx && w < nw) {
                    kcTicks[++w] = Cpu.ticks(String.valueOf(opts.kcPid));
                }
                if (idx >= nw) {
                    break;
                }
                String error = call(Target.OURS, false, out, e);
                if (error != null) {
                    errors++;
                } else {
                    lat.get(idx).add(out[0]);
                }
            }
            List<double[]> windows = new ArrayList<>();
            say("window (s)   calls   p50 ms   p99 ms   Keycloak CPU ms/call");
            for (int i = 0; i < nw; i++) {
                long[] v = lat.get(i).stream().mapToLong(Long::longValue).toArray();
                double p50 = pct(v, 0.5) / 1e6;
                double cpu = v.length == 0 ? Double.NaN : (kcTicks[i + 1] - kcTicks[i]) * 1000.0 / Cpu.HZ / v.length;
                windows.add(new double[] {i * win, p50});
                say(String.format(
                        Locale.ROOT,
                        "%3d-%-3d   %7d  %7.3f  %7.3f   %7.2f",
                        i * win,
                        (i + 1) * win,
                        v.length,
                        p50,
                        pct(v, 0.99) / 1e6,
                        cpu));
            }
            // The steady value: the median of the last three windows' p50s; settled from the first window after
            // which every window is within 10 % (or 0.2 ms) of it.
            List<Double> last = new ArrayList<>();
            for (int i = Math.max(0, nw - 3); i < nw; i++) {
                last.add(windows.get(i)[1]);
            }
            double steady = LimiterPaired.median(last);
            double tol = Math.max(0.1 * steady, 0.2);
            int from = nw;
            for (int i = nw - 1; i >= 0; i--) {
                if (Math.abs(windows.get(i)[1] - steady) <= tol) {
                    from = i;
                } else {
                    break;
                }
            }
            double fromSeconds = from * (double) win;
            say(String.format(
                    Locale.ROOT,
                    "steady p50 %.3f ms (median of the last 3 windows); within %.3f ms of it from %.0f s on; errors %d %s",
                    steady,
                    tol,
                    fromSeconds,
                    errors,
                    errors == 0 ? "" : e.describe()));
            return new WarmupCurve(windows, steady, fromSeconds, errors == 0);
        }

        // ------------------------------------------------------------------------------------------ report

        static double med(List<Map<Target, Phase>> rounds, Target t, java.util.function.ToDoubleFunction<Phase> f) {
            List<Double> v = new ArrayList<>();
            for (Map<Target, Phase> r : rounds) {
                Phase p = r.get(t);
                if (p != null) {
                    double x = f.applyAsDouble(p);
                    if (!Double.isNaN(x)) {
                        v.add(x);
                    }
                }
            }
            return v.isEmpty() ? Double.NaN : LimiterPaired.median(v);
        }

        /** The median over rounds of (target's figure - the baseline's in the same round). */
        static double medAdded(
                List<Map<Target, Phase>> rounds, Target t, java.util.function.ToDoubleFunction<Phase> f) {
            List<Double> v = new ArrayList<>();
            for (Map<Target, Phase> r : rounds) {
                Phase p = r.get(t);
                Phase base = r.get(Target.BASELINE);
                if (p != null && base != null) {
                    v.add(f.applyAsDouble(p) - f.applyAsDouble(base));
                }
            }
            return v.isEmpty() ? Double.NaN : LimiterPaired.median(v);
        }

        static String f(double v, int decimals) {
            return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
        }

        static String mb(long kb) {
            return kb < 0 ? "n/a" : String.valueOf(kb / 1024);
        }

        final List<String[]> goals = new ArrayList<>();

        void goal(String what, String measured, double value, double limit) {
            String verdict = Double.isNaN(value) || Double.isNaN(limit) ? "n/a" : value <= limit ? "met" : "MISSED";
            goals.add(new String[] {what, measured, verdict});
        }

        int report(List<Level> levels, Map<Level, List<Map<Target, Phase>>> all, WarmupCurve curve, SlowResult slow) {
            section("Per target and level (medians over the rounds; added = target minus baseline in the same round)");
            say(String.format(
                    Locale.ROOT,
                    "%-17s %-8s %6s %9s | %-17s | %-19s | %-19s | %-33s | %s",
                    "level",
                    "target",
                    "errors",
                    "req/s",
                    "latency p50/p99",
                    "added p50/p99 ms",
                    "TTFB added p50/p99",
                    "CPU µs/call kc/portkey/vendor/drv",
                    "other cores, load"));
            long errorsTotal = 0;
            for (Level l : levels) {
                List<Map<Target, Phase>> rounds = all.get(l);
                for (Target t : Target.values()) {
                    if (rounds.isEmpty() || rounds.get(0).get(t) == null) {
                        say(String.format(Locale.ROOT, "%-17s %-8s (not measured)", l.name(), t.label));
                        continue;
                    }
                    long errs = rounds.stream()
                            .mapToLong(
                                    r -> r.get(t).errors.total() + (long) r.get(t).latency.length - r.get(t).completed)
                            .sum();
                    errorsTotal += errs;
                    String added = t == Target.BASELINE
                            ? "-"
                            : f(medAdded(rounds, t, p -> p.p(p.latency, 0.5)), 3) + " / "
                                    + f(medAdded(rounds, t, p -> p.p(p.latency, 0.99)), 3);
                    String ttfb = !l.stream() || t == Target.BASELINE
                            ? "-"
                            : f(medAdded(rounds, t, p -> p.p(p.ttfb, 0.5)), 3) + " / "
                                    + f(medAdded(rounds, t, p -> p.p(p.ttfb, 0.99)), 3);
                    StringBuilder cpu = new StringBuilder();
                    for (int i = 0; i < PROCS.length; i++) {
                        int proc = i;
                        cpu.append(i == 0 ? "" : " / ").append(f(med(rounds, t, p -> p.cpuPerCall(proc)), 0));
                    }
                    Phase lastPhase = rounds.get(rounds.size() - 1).get(t);
                    say(String.format(
                            Locale.ROOT,
                            "%-17s %-8s %6d %9.1f | %7s / %7s | %-19s | %-19s | %-33s | %s, %s",
                            l.name(),
                            t.label,
                            errs,
                            med(rounds, t, Phase::reqPerSec),
                            f(med(rounds, t, p -> p.p(p.latency, 0.5)), 3),
                            f(med(rounds, t, p -> p.p(p.latency, 0.99)), 3),
                            added,
                            ttfb,
                            cpu,
                            f(med(rounds, t, Phase::otherCores), 2),
                            lastPhase.load.split(" ")[0]));
                }
            }
            say("(CPU µs per call: each process's utime+stime over the phase divided by the phase's calls; a process"
                    + " that is not on the path idles, e.g. Keycloak during Portkey's phases)");

            section("Memory of the server processes after each level's last round: VmRSS / VmHWM (peak) MB");
            say(String.format(
                    Locale.ROOT, "%-17s %-8s  %-11s  %-11s  %-11s", "level", "after", "Keycloak", "Portkey", "vendor"));
            long kcPeak = -1;
            for (Level l : levels) {
                List<Map<Target, Phase>> rounds = all.get(l);
                for (Target t : Target.values()) {
                    Phase p = rounds.isEmpty()
                            ? null
                            : rounds.get(rounds.size() - 1).get(t);
                    if (p == null) {
                        continue;
                    }
                    kcPeak = Math.max(kcPeak, p.memory[0][1]);
                    say(String.format(
                            Locale.ROOT,
                            "%-17s %-8s  %4s / %4s  %4s / %4s  %4s / %4s",
                            l.name(),
                            t.label,
                            mb(p.memory[0][0]),
                            mb(p.memory[0][1]),
                            mb(p.memory[1][0]),
                            mb(p.memory[1][1]),
                            mb(p.memory[2][0]),
                            mb(p.memory[2][1])));
                }
            }

            section("Ours against Portkey (ratios of the medians; below 1 = ours smaller)");
            say(String.format(
                    Locale.ROOT,
                    "%-17s %-22s %-22s %-14s %-16s",
                    "level",
                    "added p50 ours/pk",
                    "added p99 ours/pk",
                    "req/s ours/pk",
                    "CPU/call kc/node"));
            for (Level l : levels) {
                List<Map<Target, Phase>> rounds = all.get(l);
                if (rounds.isEmpty() || rounds.get(0).get(Target.PORTKEY) == null) {
                    say(String.format(Locale.ROOT, "%-17s (Portkey not measured)", l.name()));
                    continue;
                }
                double o50 = medAdded(rounds, Target.OURS, p -> p.p(p.latency, 0.5));
                double k50 = medAdded(rounds, Target.PORTKEY, p -> p.p(p.latency, 0.5));
                double o99 = medAdded(rounds, Target.OURS, p -> p.p(p.latency, 0.99));
                double k99 = medAdded(rounds, Target.PORTKEY, p -> p.p(p.latency, 0.99));
                double oRate = med(rounds, Target.OURS, Phase::reqPerSec);
                double kRate = med(rounds, Target.PORTKEY, Phase::reqPerSec);
                double oCpu = med(rounds, Target.OURS, p -> p.cpuPerCall(0));
                double kCpu = med(rounds, Target.PORTKEY, p -> p.cpuPerCall(1));
                say(String.format(
                        Locale.ROOT,
                        "%-17s %-22s %-22s %-14s %-16s",
                        l.name(),
                        f(o50 / k50, 2) + " (" + f(o50, 3) + "/" + f(k50, 3) + ")",
                        f(o99 / k99, 2) + " (" + f(o99, 2) + "/" + f(k99, 2) + ")",
                        f(oRate / kRate, 2),
                        f(oCpu / kCpu, 2) + " (" + f(oCpu, 0) + "/" + f(kCpu, 0) + ")"));
                String n = l.name();
                goal(n + ": added p50 <= 0.5 x Portkey's", f(o50, 3) + " vs " + f(k50, 3) + " ms", o50, 0.5 * k50);
                goal(n + ": added p99 <= 0.5 x Portkey's", f(o99, 3) + " vs " + f(k99, 3) + " ms", o99, 0.5 * k99);
                goal(n + ": req/s >= 2 x Portkey's", f(oRate, 1) + " vs " + f(kRate, 1), 2 * kRate, oRate);
                if (!l.stream() && l.concurrency() == 1) {
                    goal(n + ": CPU per call <= Portkey's", f(oCpu, 0) + " vs " + f(kCpu, 0) + " µs", oCpu, kCpu);
                }
                if (!l.stream() && l.concurrency() == 32) {
                    goal(
                            n + ": CPU per call <= 0.5 x Portkey's",
                            f(oCpu, 0) + " vs " + f(kCpu, 0) + " µs",
                            oCpu,
                            0.5 * kCpu);
                }
            }
            // The absolute goals, first in the table.
            List<String[]> ratioGoals = new ArrayList<>(goals);
            goals.clear();
            for (Level l : levels) {
                List<Map<Target, Phase>> rounds = all.get(l);
                if (rounds.isEmpty()) {
                    continue;
                }
                if (!l.stream() && l.concurrency() == 1) {
                    double a50 = medAdded(rounds, Target.OURS, p -> p.p(p.latency, 0.5));
                    double a99 = medAdded(rounds, Target.OURS, p -> p.p(p.latency, 0.99));
                    goal("added latency at c=1: p50 <= 1 ms", f(a50, 3) + " ms", a50, 1.0);
                    goal("added latency at c=1: p99 <= 5 ms", f(a99, 3) + " ms", a99, 5.0);
                }
                if (l.stream() && l.concurrency() == 1) {
                    double t50 = medAdded(rounds, Target.OURS, p -> p.p(p.ttfb, 0.5));
                    goal("stream TTFB added at c=1: p50 <= 1 ms", f(t50, 3) + " ms", t50, 1.0);
                }
            }
            goal(
                    "Keycloak RSS <= 512 MB (peak VmHWM over the run)",
                    mb(kcPeak) + " MB",
                    kcPeak < 0 ? Double.NaN : kcPeak / 1024.0,
                    512);
            if (curve != null) {
                goal(
                        "warm-up: p50 within 10 % (or 0.2 ms) of steady <= 30 s after start",
                        f(curve.fromSeconds(), 0) + " s (steady p50 " + f(curve.steady(), 3) + " ms)",
                        curve.settled() ? curve.fromSeconds() : Double.NaN,
                        30);
            }
            goals.addAll(ratioGoals);
            goal("no errors in any timed phase", errorsTotal + " errors", errorsTotal, 0);
            if (slow != null) {
                int errs = opts.slowStreams - slow.completed;
                goal(
                        opts.slowStreams + " concurrent slow streams, errors 0",
                        errs + " errors, peak " + slow.peakOpen + " open",
                        errs,
                        0);
            }

            section("Goals");
            boolean allMet = true;
            for (String[] g : goals) {
                say(String.format(Locale.ROOT, "%-58s %-34s %s", g[0], g[1], g[2]));
                allMet &= g[2].equals("met");
            }
            say("Load average at the end: " + loadAverage());
            return allMet ? 0 : 3;
        }
    }

    // ---------------------------------------------------------------------------------------------- rate limiter cost

    /**
     * The rate limiter's cost end to end ({@code --limiter-paired}): two users of the same power level (the realm's
     * default, which has no limits) call the same model; "bench-limited" has a user override with limits it never
     * reaches (1,000,000 requests and 10,000,000,000 tokens per minute, the largest the API accepts), so each of its
     * calls is counted (one admit before routing, one settle with the vendor's tokens) and "bench-user"'s are not. In
     * each round both run the same number of calls back to back at the same concurrency, alternating which goes
     * first; the medians of the paired differences (limited minus unlimited) cancel the host's slow drift.
     */
    static final class LimiterPaired {
        final GatewayBench b;

        LimiterPaired(GatewayBench b) {
            this.b = b;
        }

        record Side(double p50Micros, double meanMicros, double cpuMicrosPerCall, long errors, double otherCores) {}

        int run() throws Exception {
            Opts opts = b.opts;
            String admin = b.adminToken();
            String users = opts.kc + "/admin/realms/" + opts.realm + "/users";
            String user = "{\"username\":\"bench-limited\",\"enabled\":true,\"email\":\"bench-limited@example.org\","
                    + "\"emailVerified\":true,\"firstName\":\"Bench\",\"lastName\":\"Limited\","
                    + "\"credentials\":[{\"type\":\"password\",\"value\":\"bench-pass\",\"temporary\":false}]}";
            expect(b.send(json(users, admin).POST(HttpRequest.BodyPublishers.ofString(user))), 201, "create user");
            HttpResponse<String> found = b.send(
                    json(users + "?exact=true&username=bench-limited", admin).GET());
            expect(found, 200, "find user");
            String userId = field(found.body(), "id");
            String limits = "{\"requests_per_minute\":1000000,\"tokens_per_minute\":10000000000}";
            HttpResponse<String> set =
                    b.send(json(opts.kc + "/admin/realms/" + opts.realm + "/llm/limits/users/" + userId, admin)
                            .PUT(HttpRequest.BodyPublishers.ofString(limits)));
            expect(set, 200, "set the user's limits");
            String limitedToken = b.token("bench-limited", "bench-pass");
            String plainToken = b.userToken;

            // Both users must really differ by the limit and by nothing else: the limited one's answers carry
            // x-ratelimit-* headers (its calls are counted), the other's none (no limit applies to it).
            String hLimited = rateHeaders(limitedToken);
            String hPlain = rateHeaders(plainToken);
            say("Users: bench-user (level without limits) answers with "
                    + (hPlain.isEmpty() ? "no x-ratelimit headers" : hPlain) + "; bench-limited (override " + set.body()
                    + ") with " + hLimited);
            if (hLimited.isEmpty() || !hPlain.isEmpty()) {
                say("The two users do not differ by the limit: the comparison would be meaningless.");
                return 1;
            }

            section("Warm-up: " + opts.warmup + " calls per user at concurrency 8");
            LevelResult w1 = b.runLevel("warm-up", 8, opts.warmup, false, "bench-model", limitedToken);
            LevelResult w2 = b.runLevel("warm-up", 8, opts.warmup, false, "bench-model", plainToken);
            say("errors: " + w1.errors.describe() + " / " + w2.errors.describe());

            boolean clean = true;
            for (int[] level : opts.paired) {
                int c = level[0];
                int n = level[1];
                section(String.format(
                        Locale.ROOT,
                        "Concurrency %d: %d rounds of %d non-streamed calls per user, back to back (load average %s)",
                        c,
                        opts.pairedRounds,
                        n,
                        loadAverage()));
                say("round  first    client p50 µs: limited  unlimited  diff   mean µs: limited  unlimited  diff"
                        + "   Keycloak CPU µs/call: limited  unlimited  diff");
                List<Double> dP50 = new ArrayList<>();
                List<Double> dMean = new ArrayList<>();
                List<Double> dCpu = new ArrayList<>();
                List<Double> p50L = new ArrayList<>();
                List<Double> p50U = new ArrayList<>();
                List<Double> cpuL = new ArrayList<>();
                List<Double> cpuU = new ArrayList<>();
                List<Double> others = new ArrayList<>();
                long errors = 0;
                for (int r = 1; r <= opts.pairedRounds; r++) {
                    Side limited;
                    Side plain;
                    boolean limitedFirst = r % 2 == 1;
                    if (limitedFirst) {
                        limited = side(c, n, limitedToken);
                        plain = side(c, n, plainToken);
                    } else {
                        plain = side(c, n, plainToken);
                        limited = side(c, n, limitedToken);
                    }
                    errors += limited.errors + plain.errors;
                    dP50.add(limited.p50Micros - plain.p50Micros);
                    dMean.add(limited.meanMicros - plain.meanMicros);
                    dCpu.add(limited.cpuMicrosPerCall - plain.cpuMicrosPerCall);
                    p50L.add(limited.p50Micros);
                    p50U.add(plain.p50Micros);
                    cpuL.add(limited.cpuMicrosPerCall);
                    cpuU.add(plain.cpuMicrosPerCall);
                    others.add(limited.otherCores);
                    others.add(plain.otherCores);
                    say(String.format(
                            Locale.ROOT,
                            "%5d  %-9s %21.0f  %9.0f  %+5.0f  %16.0f  %9.0f  %+5.0f  %29.0f  %9.0f  %+5.0f",
                            r,
                            limitedFirst ? "limited" : "unlimited",
                            limited.p50Micros,
                            plain.p50Micros,
                            limited.p50Micros - plain.p50Micros,
                            limited.meanMicros,
                            plain.meanMicros,
                            limited.meanMicros - plain.meanMicros,
                            limited.cpuMicrosPerCall,
                            plain.cpuMicrosPerCall,
                            limited.cpuMicrosPerCall - plain.cpuMicrosPerCall));
                }
                say(String.format(
                        Locale.ROOT,
                        "Concurrency %d, medians: client p50 %.0f µs limited / %.0f µs unlimited; Keycloak CPU %.0f / %.0f "
                                + "µs per call",
                        c,
                        median(p50L),
                        median(p50U),
                        median(cpuL),
                        median(cpuU)));
                say(String.format(
                        Locale.ROOT,
                        "Concurrency %d, MEDIAN PAIRED DIFFERENCE (limited - unlimited): client latency p50 %+.0f µs "
                                + "[quartiles %+.0f .. %+.0f], mean %+.0f µs [%+.0f .. %+.0f]; Keycloak CPU %+.1f µs per call "
                                + "[%+.1f .. %+.1f]; errors %d; other processes %.2f cores (median, max %.2f); "
                                + "load average %s",
                        c,
                        median(dP50),
                        quantile(dP50, 0.25),
                        quantile(dP50, 0.75),
                        median(dMean),
                        quantile(dMean, 0.25),
                        quantile(dMean, 0.75),
                        median(dCpu),
                        quantile(dCpu, 0.25),
                        quantile(dCpu, 0.75),
                        errors,
                        median(others),
                        others.stream().mapToDouble(Double::doubleValue).max().orElse(-1),
                        loadAverage()));
                clean &= errors == 0;
            }
            say("Keycloak at the end: " + b.procStatus());
            return clean ? 0 : 1;
        }

        Side side(int c, int n, String token) throws InterruptedException {
            Cpu before = Cpu.now(b.opts.kcPid);
            LevelResult r = b.runLevel("paired", c, n, false, "bench-model", token);
            Cpu after = Cpu.now(b.opts.kcPid);
            long[] ok = new long[r.client.length];
            int k = 0;
            for (int i = 0; i < r.client.length; i++) {
                if (r.ok[i]) {
                    ok[k++] = r.client[i];
                }
            }
            long[] v = Arrays.copyOf(ok, k);
            double mean = Arrays.stream(v).average().orElse(-1) / 1000.0;
            double cpu = r.completed == 0 || before.kc() < 0
                    ? -1
                    : (after.kc() - before.kc()) * 1_000_000.0 / Cpu.HZ / r.completed;
            double secs = (after.at() - before.at()) / 1e9;
            double other = before.busy() < 0 || secs <= 0
                    ? -1
                    : Math.max(
                            0,
                            ((after.busy() - before.busy())
                                            - (after.kc() - before.kc())
                                            - (after.self() - before.self()))
                                    / Cpu.HZ
                                    / secs);
            return new Side(pct(v, 0.50) / 1000.0, mean, cpu, r.errors.total() + (n - r.completed), other);
        }

        String rateHeaders(String token) throws Exception {
            HttpResponse<String> r = b.http.send(
                    b.chat("bench-model", false, "probe-" + b.ids.incrementAndGet(), Duration.ofSeconds(30), token),
                    HttpResponse.BodyHandlers.ofString());
            expect(r, 200, "probe call");
            StringBuilder s = new StringBuilder();
            r.headers().map().forEach((name, values) -> {
                if (name.toLowerCase(Locale.ROOT).startsWith("x-ratelimit-")) {
                    s.append(s.length() == 0 ? "" : ", ")
                            .append(name)
                            .append(": ")
                            .append(values.get(0));
                }
            });
            return s.toString();
        }

        static double median(List<Double> values) {
            return quantile(values, 0.5);
        }

        /** Linear interpolation between the closest ranks. */
        static double quantile(List<Double> values, double q) {
            double[] s =
                    values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (s.length == 0) {
                return Double.NaN;
            }
            double pos = q * (s.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = (int) Math.ceil(pos);
            return s[lo] + (s[hi] - s[lo]) * (pos - lo);
        }
    }

    String token(String username, String password) throws Exception {
        HttpResponse<String> tok = send(
                HttpRequest.newBuilder(URI.create(opts.kc + "/realms/" + opts.realm + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "bench-client",
                                "username",
                                username,
                                "password",
                                password)))));
        expect(tok, 200, "token of " + username);
        return field(tok.body(), "access_token");
    }

    /** CPU time of Keycloak, of this driver (with its fake vendor) and of the whole machine, in clock ticks. */
    record Cpu(long kc, long self, long busy, long at) {
        static final double HZ = 100.0;

        static Cpu now(long kcPid) {
            long busy = -1;
            try {
                String[] f =
                        Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    total += Long.parseLong(f[i]);
                }
                busy = total - Long.parseLong(f[4]) - Long.parseLong(f[5]);
            } catch (IOException | RuntimeException e) {
                // not Linux
            }
            return new Cpu(ticks(String.valueOf(kcPid)), ticks("self"), busy, System.nanoTime());
        }

        private static long ticks(String pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        String since(Cpu a, int requests) {
            double secs = (at - a.at) / 1e9;
            if (kc < 0 || busy < 0 || secs <= 0) {
                return "n/a";
            }
            double kcCores = (kc - a.kc) / HZ / secs;
            double selfCores = (self - a.self) / HZ / secs;
            double otherCores = Math.max(0, (busy - a.busy) / HZ / secs - kcCores - selfCores);
            return String.format(
                    Locale.ROOT,
                    "Keycloak %.2f cores (%.2f ms CPU per request), driver+fake vendor %.2f cores, other processes %.2f cores",
                    kcCores,
                    requests == 0 ? 0 : (kc - a.kc) * 1000.0 / HZ / requests,
                    selfCores,
                    otherCores);
        }
    }

    /** {VmRSS kB, Threads} of a process, or null. */
    static long[] status(long pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            long rss = -1;
            long threads = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return new long[] {rss, threads};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    String procStatus() {
        long[] s = status(opts.kcPid);
        return s == null
                ? "(no /proc figures)"
                : String.format(Locale.ROOT, "VmRSS %d MB, Threads %d", s[0] / 1024, s[1]);
    }

    /** The process's threads grouped by name with digits removed, largest groups first (at most 8). */
    static String threadGroups(long pid) {
        Map<String, Integer> groups = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    groups.merge(name, 1, Integer::sum);
                } catch (IOException e) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            return "";
        }
        Map<String, Integer> top = new LinkedHashMap<>();
        groups.entrySet().stream()
                .sorted((a, b) -> b.getValue() - a.getValue())
                .limit(8)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top.toString();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest.Builder json(String url, String token) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
    }

    static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + abbreviate(r.body(), 500));
        }
    }

    static String form(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return sb.toString();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + abbreviate(json, 300));
        }
        return m.group(1);
    }

    /** Nearest-rank percentile over the values >= 0 (negative = no value). */
    static long pct(long[] values, double p) {
        long[] v = Arrays.stream(values).filter(x -> x >= 0).sorted().toArray();
        if (v.length == 0) {
            return -1;
        }
        int idx = (int) Math.ceil(p * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, idx))];
    }

    static long max(long[] values) {
        return Arrays.stream(values).filter(x -> x >= 0).max().orElse(-1);
    }

    static double share(long[] values, long atMost) {
        long[] v = Arrays.stream(values).filter(x -> x >= 0).toArray();
        return v.length == 0
                ? 0
                : 100.0 * Arrays.stream(v).filter(x -> x <= atMost).count() / v.length;
    }

    static String abbreviate(String s, int n) {
        if (s == null) {
            return "null";
        }
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() > n ? s.substring(0, n) + "…" : s;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
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
