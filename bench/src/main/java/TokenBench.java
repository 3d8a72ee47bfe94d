import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token endpoint throughput with and without the power-level mapper (single-file source, JDK 17, no dependencies):
 *
 * <pre>java bench/TokenBench.java --kc=http://127.0.0.1:8180 [--requests=3000] [--rounds=6] [--concurrency=8] [--warmup=3000]</pre>
 *
 * Creates the realm "tokenbench" with two confidential clients that differ only in one thing: "with-mapper" keeps the
 * realm's default client scope "llm" (the llm_power_level mapper), "without-mapper" has it removed. Their service
 * accounts belong to a group carrying a level, so the mapper resolves a real level (user attribute, then groups).
 * Drives the client-credentials grant (no password hashing, so the mapper's share of the work is as large as it gets)
 * in alternating rounds, with-mapper and without-mapper back to back, and reports requests/s per round and the median,
 * and (with {@code --kc-pid}) the server's CPU time per request, which the shared 2-core host disturbs far less.
 * Exit code 0 when the median with the mapper is within 3 % of the median without it, 3 otherwise.
 */
public final class TokenBench {

    static final String REALM = "tokenbench";

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    final String kc;
    /** Keycloak's java process, for its CPU time per request (0: not measured). */
    final long kcPid;
    /** CPU time of the last {@link #measure} in the server, in clock ticks (/proc/&lt;pid&gt;/stat utime + stime). */
    long lastTicks;

    TokenBench(String kc, long kcPid) {
        this.kc = kc;
        this.kcPid = kcPid;
    }

    public static void main(String[] args) throws Exception {
        String kc = "http://127.0.0.1:8180";
        long kcPid = 0;
        int requests = 3000, rounds = 6, concurrency = 8, warmup = 3000;
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "kc" -> kc = kv[1];
                case "requests" -> requests = Integer.parseInt(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "concurrency" -> concurrency = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "kc-pid" -> kcPid = Long.parseLong(kv[1]);
                default -> {
                    System.err.println("unknown option " + a);
                    System.exit(2);
                }
            }
        }
        System.exit(new TokenBench(kc, kcPid).run(requests, rounds, concurrency, warmup));
    }

    int run(int requests, int rounds, int concurrency, int warmup) throws Exception {
        setUp();
        String withClaim = claimOf(token("with-mapper"));
        String withoutClaim = claimOf(token("without-mapper"));
        System.out.printf("Claim llm_power_level: with-mapper=%s, without-mapper=%s%n", withClaim, withoutClaim);
        if (withClaim == null || withoutClaim != null) {
            System.out.println("The two clients do not differ by the claim: the comparison would be meaningless.");
            return 1;
        }
        System.out.printf("Warm-up: %d token requests per client, concurrency %d%n", warmup, concurrency);
        measure("with-mapper", warmup, concurrency);
        measure("without-mapper", warmup, concurrency);

        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        System.out.printf(
                "%nRounds of %d client-credentials grants per client, concurrency %d (req/s):%n",
                requests, concurrency);
        System.out.println(
                "round  with-mapper  without-mapper  difference   server CPU µs/request: with  without  difference");
        List<Double> diffs = new ArrayList<>();
        List<Double> cpuWith = new ArrayList<>();
        List<Double> cpuWithout = new ArrayList<>();
        List<Double> cpuDiffs = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            // Alternate which goes first, so drift (JIT, GC, caches) does not favour one side.
            double a, b, ca, cb;
            if (r % 2 == 1) {
                a = measure("with-mapper", requests, concurrency);
                ca = cpuMicrosPerRequest(requests);
                b = measure("without-mapper", requests, concurrency);
                cb = cpuMicrosPerRequest(requests);
            } else {
                b = measure("without-mapper", requests, concurrency);
                cb = cpuMicrosPerRequest(requests);
                a = measure("with-mapper", requests, concurrency);
                ca = cpuMicrosPerRequest(requests);
            }
            with.add(a);
            without.add(b);
            diffs.add((a - b) / b * 100);
            cpuWith.add(ca);
            cpuWithout.add(cb);
            cpuDiffs.add((ca - cb) / cb * 100);
            System.out.printf(
                    Locale.ROOT,
                    "%5d  %11.1f  %14.1f  %+9.2f %%   %26.0f  %7.0f  %+9.2f %%%n",
                    r,
                    a,
                    b,
                    (a - b) / b * 100,
                    ca,
                    cb,
                    (ca - cb) / cb * 100);
        }
        if (kcPid > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "%nServer CPU per token request (medians): with mapper %.0f µs, without %.0f µs; "
                            + "median paired difference %+.2f %%%n",
                    median(cpuWith),
                    median(cpuWithout),
                    median(cpuDiffs));
        }
        double mw = median(with), mwo = median(without);
        // Each round's pair runs back to back, so the paired difference cancels slow drift (JIT, GC, the host).
        double diff = median(diffs);
        System.out.printf(
                Locale.ROOT,
                "%nMedians: with mapper %.1f req/s, without %.1f req/s; median paired difference %+.2f %% "
                        + "(target: no worse than -3 %%)%n",
                mw,
                mwo,
                diff);
        boolean met = diff >= -3.0;
        System.out.println(met ? "Target met." : "Target missed.");
        return met ? 0 : 3;
    }

    /** The server's CPU time per request in the last measurement, in microseconds (0 without a pid). */
    double cpuMicrosPerRequest(int n) {
        return kcPid > 0 ? lastTicks * (1_000_000.0 / TICKS_PER_SECOND) / n : 0;
    }

    /** USER_HZ: 100 on Linux (x86 and arm alike). */
    static final int TICKS_PER_SECOND = 100;

    long serverTicks() {
        if (kcPid <= 0) {
            return 0;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + kcPid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    double measure(String client, int n, int concurrency) throws Exception {
        String body = "grant_type=client_credentials&client_id=" + client + "&client_secret=" + client + "-secret";
        HttpRequest req = HttpRequest.newBuilder(URI.create(kc + "/realms/" + REALM + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        AtomicInteger left = new AtomicInteger(n);
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long ticks = serverTicks();
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            workers.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    try {
                        HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) {
            f.get();
        }
        long elapsed = System.nanoTime() - start;
        lastTicks = serverTicks() - ticks;
        pool.shutdown();
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + n + " token requests failed for " + client);
        }
        return n / (elapsed / 1e9);
    }

    void setUp() throws Exception {
        String admin = adminToken();
        send("DELETE", "/admin/realms/" + REALM, admin, null);
        expect(
                201,
                send("POST", "/admin/realms", admin, "{\"realm\":\"" + REALM + "\",\"enabled\":true}"),
                "create realm");
        expect(
                201,
                send(
                        "POST",
                        "/admin/realms/" + REALM + "/groups",
                        admin,
                        "{\"name\":\"research\",\"attributes\":{\"llm_power_level\":[\"precision\"]}}"),
                "create group");
        String groupId = id(send("GET", "/admin/realms/" + REALM + "/groups?search=research", admin, null)
                .body());
        String llmScope = null;
        for (String name : List.of("with-mapper", "without-mapper")) {
            expect(
                    201,
                    send(
                            "POST",
                            "/admin/realms/" + REALM + "/clients",
                            admin,
                            "{\"clientId\":\"" + name
                                    + "\",\"secret\":\"" + name
                                    + "-secret\",\"publicClient\":false,\"serviceAccountsEnabled\":true,"
                                    + "\"standardFlowEnabled\":false,\"directAccessGrantsEnabled\":false}"),
                    "create client " + name);
            String clientId = id(send("GET", "/admin/realms/" + REALM + "/clients?clientId=" + name, admin, null)
                    .body());
            String userId = id(send(
                            "GET",
                            "/admin/realms/" + REALM + "/clients/" + clientId + "/service-account-user",
                            admin,
                            null)
                    .body());
            expect(
                    204,
                    send("PUT", "/admin/realms/" + REALM + "/users/" + userId + "/groups/" + groupId, admin, ""),
                    "join group");
            if (name.equals("without-mapper")) {
                String scopes = send(
                                "GET",
                                "/admin/realms/" + REALM + "/clients/" + clientId + "/default-client-scopes",
                                admin,
                                null)
                        .body();
                Matcher m = Pattern.compile("\\{\"id\":\"([^\"]+)\",\"name\":\"llm\"")
                        .matcher(scopes);
                if (!m.find()) {
                    throw new IllegalStateException("the realm's default client scopes lack 'llm': " + scopes);
                }
                llmScope = m.group(1);
                expect(
                        204,
                        send(
                                "DELETE",
                                "/admin/realms/" + REALM + "/clients/" + clientId + "/default-client-scopes/"
                                        + llmScope,
                                admin,
                                null),
                        "remove the llm scope");
            }
        }
    }

    String adminToken() throws Exception {
        String body = "grant_type=password&client_id=admin-cli&username=admin&password=admin";
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(kc + "/realms/master/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        expect(200, r, "admin token");
        return field(r.body(), "access_token");
    }

    String token(String client) throws Exception {
        String body = "grant_type=client_credentials&client_id=" + client + "&client_secret="
                + URLEncoder.encode(client + "-secret", StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(kc + "/realms/" + REALM + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        expect(200, r, "token for " + client);
        return field(r.body(), "access_token");
    }

    static String claimOf(String jwt) {
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        return field(payload, "llm_power_level");
    }

    HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(kc + path)).header("Authorization", "Bearer " + token);
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void expect(int status, HttpResponse<String> r, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    static String id(String json) {
        return field(json, "id");
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
