package dev.llmgateway.keycloak.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.keycloak.testframework.server.KeycloakServerConfig;
import org.keycloak.testframework.server.KeycloakServerConfigBuilder;

/**
 * The one server configuration of the suite (one shared server): our jar, a configured key-encryption key, a short
 * vendor timeout so timeout tests stay quick, an outbound policy that allows the fake vendors' address, a log file
 * the tests search for leaked keys, metrics on, and Keycloak's tracing on, exporting to {@link OtlpReceiver} on
 * loopback: every test's calls are traced, as in a deployment with tracing on, and one server serves the whole suite.
 */
public class LlmServerConfig implements KeycloakServerConfig {

    /** A test KEK (base64 of 32 bytes). Never a real deployment's. */
    public static final String TEST_KEK = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";

    public static final long VENDOR_TIMEOUT_MS = 3_000;
    public static final int GATEWAY_MAX_BODY_BYTES = 262_144;

    /**
     * Key tests per administrator or user and minute: high enough for the suites that test every vendor's connection
     * with one administrator, low enough for the limit's own test to reach quickly.
     */
    public static final int KEY_TESTS_PER_MINUTE = 150;

    /** The usage maintenance task (retention) runs this often in the suite, so its test need not wait an hour. */
    public static final long MAINTENANCE_INTERVAL_MS = 2_000;

    public static final long PROVIDER_HEALTH_INTERVAL_MS = 2_000;

    /** At most one refusal event per user and reason within this time: short, so the flood-guard test need not wait. */
    public static final long REFUSAL_EVENT_INTERVAL_MS = 8_000;

    /** How long a node trusts a bearer token it verified: short, so the sign-out test need not wait 10 s. */
    public static final long TOKEN_CACHE_MS = 3_000;

    /**
     * The fake vendors listen on 127.0.0.1: the outbound policy allows that address alone, so other loopback
     * addresses (127.0.0.2, ::1) stay refused for {@code OutboundPolicyIT}.
     */
    public static final String OUTBOUND_ALLOW = "127.0.0.1";

    /** The framework calls configure() again to compare configurations while the server runs: reset only once. */
    private static final AtomicBoolean RESET = new AtomicBoolean();

    @Override
    public KeycloakServerConfigBuilder configure(KeycloakServerConfigBuilder config) {
        if (RESET.compareAndSet(false, true)) {
            resetH2Database();
            try {
                Files.deleteIfExists(serverLog());
                Files.deleteIfExists(KeyLedger.file());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        config.log()
                .handlers(KeycloakServerConfigBuilder.LogHandlers.CONSOLE, KeycloakServerConfigBuilder.LogHandlers.FILE)
                .categoryLevel("dev.llmgateway", "debug");
        // This module's classes and the themes module's resources: what the shaded jar holds, as two deployments.
        return config.dependencyCurrentProject()
                .dependency("dev.llmgateway", "keycloak-llm-gateway-themes")
                .option("log-file", serverLog().toString())
                // Keycloak's /metrics on the management port (9000), where MetricsIT reads the gateway's metrics.
                .option("metrics-enabled", "true")
                .spiOption("llm-gateway", "default", "kek", TEST_KEK)
                .spiOption("llm-gateway", "default", "vendor-test-timeout-ms", Long.toString(VENDOR_TIMEOUT_MS))
                .spiOption("llm-gateway", "default", "upstream-timeout-ms", Long.toString(VENDOR_TIMEOUT_MS))
                .spiOption(
                        "llm-gateway",
                        "default",
                        "usage-maintenance-interval-ms",
                        Long.toString(MAINTENANCE_INTERVAL_MS))
                .spiOption(
                        "llm-gateway",
                        "default",
                        "provider-health-interval-ms",
                        Long.toString(PROVIDER_HEALTH_INTERVAL_MS))
                .spiOption("llm-gateway", "default", "key-tests-per-minute", Integer.toString(KEY_TESTS_PER_MINUTE))
                .spiOption("llm-gateway", "default", "outbound-allow", OUTBOUND_ALLOW)
                .spiOption(
                        "llm-gateway", "default", "refusal-event-interval-ms", Long.toString(REFUSAL_EVENT_INTERVAL_MS))
                .spiOption("llm-gateway", "default", "gateway-max-body-bytes", Integer.toString(GATEWAY_MAX_BODY_BYTES))
                .spiOption("llm-gateway", "default", "token-cache-ms", Long.toString(TOKEN_CACHE_MS))
                // Keycloak's tracing, exporting to a receiver in this JVM (TracingIT reads what it gets).
                .option("tracing-enabled", "true")
                .option("tracing-protocol", "http/protobuf")
                .option("tracing-endpoint", OtlpReceiver.get().endpoint());
    }

    public static Path workDir() {
        return Path.of(System.getProperty("llm.it.work-dir", "target"));
    }

    public static Path serverLog() {
        return workDir().resolve("keycloak-it.log").toAbsolutePath();
    }

    /** The file-mode H2 database of the default pass starts empty, like the in-memory one it replaces. */
    private static void resetH2Database() {
        Path dir = workDir().resolve("it-h2");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
