package dev.llmgateway.keycloak.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Keycloak server process of the two-node suite: the real distribution, started with {@code kc.sh start
 * --optimized} from its own copy of a home built once with our jar, on its own loopback ports (HTTP, management,
 * JGroups). Its console output is its log file.
 */
final class ClusterNode implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path home;
    private final Path log;
    private final int httpPort;
    private final int managementPort;
    private final int clusterPort;
    private Process process;

    private ClusterNode(String name, Path home, Path log, int httpPort, int managementPort, int clusterPort) {
        this.name = name;
        this.home = home;
        this.log = log;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.clusterPort = clusterPort;
    }

    /** Homes already built by this JVM (one per work folder): the suites of a cluster pass share one build. */
    private static final Map<Path, Path> BUILT = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Copies the distribution to {@code work/built}, adds our jar and runs {@code kc.sh build} with the options of
     * docker/Dockerfile (PostgreSQL, health and metrics, clustered caches): what every node then starts optimized. Done
     * once per work folder and JVM; later calls return the same home.
     */
    static Path build(Path distribution, Path jar, Path work) {
        return BUILT.computeIfAbsent(work.toAbsolutePath(), w -> buildNow(distribution, jar, w));
    }

    private static Path buildNow(Path distribution, Path jar, Path work) {
        Path home = work.resolve("built");
        run(List.of("rm", "-rf", home.toString()), work, Map.of(), work.resolve("build.log"), 60);
        run(
                List.of("cp", "-a", distribution.toString(), home.toString()),
                work,
                Map.of(),
                work.resolve("build.log"),
                120);
        try {
            Files.copy(jar, home.resolve("providers").resolve("keycloak-llm-gateway.jar"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(
                List.of(
                        "bash",
                        "bin/kc.sh",
                        "build",
                        "--db=postgres",
                        "--health-enabled=true",
                        "--metrics-enabled=true"),
                home,
                Map.of("KC_CACHE", "ispn"),
                work.resolve("build.log"),
                600);
        return home;
    }

    /** A node with its own copy of the built home, not yet started. */
    static ClusterNode of(String name, Path built, Path work, int httpPort, int managementPort, int clusterPort) {
        Path home = work.resolve(name);
        run(List.of("rm", "-rf", home.toString()), work, Map.of(), work.resolve("build.log"), 60);
        run(List.of("cp", "-a", built.toString(), home.toString()), work, Map.of(), work.resolve("build.log"), 120);
        return new ClusterNode(name, home, work.resolve(name + ".log"), httpPort, managementPort, clusterPort);
    }

    /** Starts the node with the given environment on top of its ports; returns at once. */
    void start(Map<String, String> environment) {
        ProcessBuilder pb = new ProcessBuilder("bash", "bin/kc.sh", "start", "--optimized")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KC_") || k.startsWith("JAVA_OPTS"));
        env.putAll(environment);
        env.put("KC_HTTP_HOST", "127.0.0.1");
        env.put("KC_HTTP_PORT", Integer.toString(httpPort));
        env.put("KC_HTTP_MANAGEMENT_PORT", Integer.toString(managementPort));
        env.put("KC_CACHE_EMBEDDED_NETWORK_BIND_ADDRESS", "127.0.0.1");
        env.put("KC_CACHE_EMBEDDED_NETWORK_BIND_PORT", Integer.toString(clusterPort));
        env.put("JAVA_OPTS_KC_HEAP", "-Xms128m -Xmx768m");
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the management port reports ready; fails with the log's last lines if the process died. */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited during start-up (" + process.exitValue() + "):\n" + tail(60));
            }
            if (ready()) {
                return;
            }
            sleep(500);
        }
        throw new AssertionError(name + " not ready after " + timeout.toSeconds() + " s:\n" + tail(60));
    }

    boolean ready() {
        try {
            HttpResponse<Void> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM to the server's JVM (kc.sh may run java as its child), as an orchestrator stops a node. */
    void terminate() {
        if (process == null || !process.isAlive()) {
            return;
        }
        javaProcess().ifPresent(ProcessHandle::destroy);
        process.destroy();
    }

    /** Waits for the process to end; true if it did within the timeout. */
    boolean awaitExit(Duration timeout) {
        try {
            return process == null || process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Stops the node: SIGTERM, then SIGKILL after 60 s. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        Optional<ProcessHandle> java = javaProcess();
        terminate();
        if (!awaitExit(Duration.ofSeconds(60))) {
            java.ifPresent(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }

    private Optional<ProcessHandle> javaProcess() {
        return process.toHandle()
                .descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst();
    }

    String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void run(List<String> command, Path dir, Map<String, String> env, Path output, int timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("KC_"));
        pb.environment().putAll(env);
        try {
            Files.createDirectories(dir);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "), see " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
