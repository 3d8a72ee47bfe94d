package dev.llmgateway.keycloak.vendor;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.vendor.ConnectionResult.ErrorKind;

/**
 * Tests a key by calling the vendor's list-models endpoint, with one deadline for the whole exchange, and turns every
 * failure into a clear sentence. The outbound policy is checked before the call. The sentences say no more about what
 * answered than "unknown host / refused / timeout / TLS failure / HTTP n", so a test cannot tell what kind of service
 * listens at an address.
 */
public final class ConnectionTester {

    private static final ObjectMapper JSON = Json.MAPPER;

    private final HttpClient http;
    private final OutboundPolicy policy;

    public ConnectionTester(HttpClient http, OutboundPolicy policy) {
        this.http = http;
        this.policy = policy;
    }

    public OutboundPolicy policy() {
        return policy;
    }

    public ConnectionResult test(ProviderType type, String baseUrl, String apiKey, Duration timeout) {
        String vendor = type.displayName();
        URI uri = URI.create(stripTrailingSlash(baseUrl) + type.modelsPath());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .GET()
                .header("Accept", "application/json")
                .header("User-Agent", "keycloak-llm-gateway");
        try {
            ApiKeys.authorize(request, type, apiKey);
        } catch (ApiKeys.InvalidKeyException e) {
            return ConnectionResult.failed(0, ErrorKind.INVALID_KEY, "Invalid API key: " + e.getMessage());
        }

        long start = System.nanoTime();
        OutboundPolicy.Refusal refusal = policy.connectRefusal(uri);
        if (refusal != null) {
            return ConnectionResult.failed(
                    elapsed(start),
                    ErrorKind.UNREACHABLE,
                    refusal.unknownHost() ? refusal.reason() : "Not connected: " + refusal.reason());
        }
        CompletableFuture<HttpResponse<byte[]>> call =
                http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            return ConnectionResult.failed(
                    elapsed(start),
                    ErrorKind.TIMEOUT,
                    "Connection timeout: " + vendor + " did not answer within " + seconds(timeout) + " ("
                            + uri.getHost() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ConnectionResult.failed(elapsed(start), ErrorKind.TIMEOUT, "Connection test interrupted");
        } catch (ExecutionException e) {
            return transportFailure(elapsed(start), vendor, uri, timeout, e.getCause());
        }
        long latency = elapsed(start);
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            return ConnectionResult.failed(
                    latency, ErrorKind.INVALID_KEY, "Invalid API key: " + vendor + " refused it (HTTP " + status + ")");
        }
        if (status == 429) {
            String retry = response.headers()
                    .firstValue("Retry-After")
                    .map(v -> "; retry after " + v.trim() + " s")
                    .orElse("");
            return ConnectionResult.failed(
                    latency, ErrorKind.RATE_LIMITED, "Rate limit exceeded: " + vendor + " answered HTTP 429" + retry);
        }
        if (status == 404) {
            return ConnectionResult.failed(
                    latency,
                    ErrorKind.NOT_FOUND,
                    vendor + " answered HTTP 404 to the list-models call: check the base URL");
        }
        if (status >= 500) {
            return ConnectionResult.failed(
                    latency, ErrorKind.UPSTREAM_ERROR, vendor + " is unavailable (HTTP " + status + ")");
        }
        if (status < 200 || status >= 300) {
            return ConnectionResult.failed(
                    latency,
                    ErrorKind.UPSTREAM_ERROR,
                    vendor + " answered HTTP " + status + " to the list-models call: check the base URL");
        }
        try {
            JsonNode root = JSON.readTree(response.body());
            List<ListedModel> models = ModelListParser.parse(type.modelListFormat(), root);
            return ConnectionResult.ok(latency, models);
        } catch (IOException | IllegalArgumentException e) {
            return ConnectionResult.failed(
                    latency,
                    ErrorKind.BAD_RESPONSE,
                    vendor + " answered HTTP " + status
                            + " to the list-models call, but not with a readable model list: check the base URL");
        }
    }

    private static ConnectionResult transportFailure(
            long latency, String vendor, URI uri, Duration timeout, Throwable cause) {
        String host = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        if (cause instanceof HttpTimeoutException) {
            return ConnectionResult.failed(
                    latency,
                    ErrorKind.TIMEOUT,
                    "Connection timeout: " + vendor + " did not answer within " + seconds(timeout) + " ("
                            + uri.getHost() + ")");
        }
        if (hasCause(cause, UnknownHostException.class) || hasCause(cause, UnresolvedAddressException.class)) {
            return ConnectionResult.failed(latency, ErrorKind.UNREACHABLE, "Unknown host: " + uri.getHost());
        }
        if (hasCause(cause, SSLException.class)) {
            return ConnectionResult.failed(latency, ErrorKind.UNREACHABLE, "TLS handshake with " + host + " failed");
        }
        if (cause instanceof ConnectException) {
            return ConnectionResult.failed(
                    latency, ErrorKind.UNREACHABLE, "Cannot connect to " + host + " (connection refused)");
        }
        return ConnectionResult.failed(latency, ErrorKind.UNREACHABLE, "Connection to " + host + " failed");
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static long elapsed(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
