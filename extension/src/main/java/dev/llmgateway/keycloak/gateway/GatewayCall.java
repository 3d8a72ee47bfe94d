package dev.llmgateway.keycloak.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.llmgateway.keycloak.routing.Candidate;
import dev.llmgateway.keycloak.routing.CooldownTracker;
import dev.llmgateway.keycloak.routing.ProviderEndpoint;
import dev.llmgateway.keycloak.routing.RoutingRules;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;

/**
 * Tries the ordered candidates of one non-streamed call: skips providers cooling down, falls back on 429, 5xx,
 * timeouts, connection errors and on answers that show the provider itself is misconfigured (401/403/404), only to
 * providers with auto-fallback; returns the vendor's answer to the caller's own 4xx errors without falling back.
 */
public final class GatewayCall {

    /** The outcome: a completion, or an error for the caller; with every attempt and the time spent upstream. */
    public record Outcome(ChatResult result, Candidate chosen, int status, String errorType, String errorCode,
                          String errorMessage, List<Attempt> attempts, long upstreamNanos, Long retryAfterSeconds) {
        public boolean success() {
            return result != null;
        }
    }

    private final HttpClient http;
    private final CooldownTracker cooldowns;
    private final Function<ProviderEndpoint, String> keys;
    private final Duration timeout;

    /** @param keys opens a provider's sealed key at the moment of the call */
    public GatewayCall(HttpClient http, CooldownTracker cooldowns, Function<ProviderEndpoint, String> keys, Duration timeout) {
        this.http = http;
        this.cooldowns = cooldowns;
        this.keys = keys;
        this.timeout = timeout;
    }

    public Outcome run(RoutingSnapshot snapshot, List<Candidate> ordered, ChatRequest request) {
        RoutingRules.Retry retry = snapshot.rules().retry();
        List<Attempt> attempts = new ArrayList<>();
        long upstream = 0;
        int tried = 0;
        boolean allRateLimited = true;
        Long retryAfter = null;
        for (Candidate c : ordered) {
            if (tried >= retry.maxAttempts()) {
                break;
            }
            long now = System.currentTimeMillis();
            if (cooldowns.isCoolingDown(c.providerId(), now)) {
                attempts.add(new Attempt(c.providerName(), c.modelId(),
                        "skipped: cooling down for " + seconds(cooldowns.coolingUntil(c.providerId()) - now) + " s", 0));
                continue;
            }
            if (tried > 0 && !c.autoFallback()) {
                attempts.add(new Attempt(c.providerName(), c.modelId(), "skipped: auto-fallback is off for this provider", 0));
                continue;
            }
            ProviderEndpoint endpoint = snapshot.endpoint(c.providerId());
            ChatAdapter adapter = ChatAdapters.forType(endpoint.type());
            if (adapter == null) {
                attempts.add(new Attempt(c.providerName(), c.modelId(),
                        "skipped: the gateway does not speak " + endpoint.type().displayName() + "'s API yet", 0));
                continue;
            }
            tried++;
            String key = keys.apply(endpoint);
            long start = System.nanoTime();
            HttpResponse<byte[]> response;
            try {
                response = http.send(adapter.request(endpoint, key, c.modelId(), request.body(), timeout),
                        HttpResponse.BodyHandlers.ofByteArray());
            } catch (HttpTimeoutException e) {
                upstream += System.nanoTime() - start;
                allRateLimited = false;
                fail(attempts, c, "timeout after " + timeout.toMillis() + " ms", start, retry, null);
                continue;
            } catch (IOException e) {
                upstream += System.nanoTime() - start;
                allRateLimited = false;
                fail(attempts, c, e instanceof ConnectException ? "connection refused" : "connection error ("
                        + e.getClass().getSimpleName() + ")", start, retry, null);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            upstream += System.nanoTime() - start;
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                try {
                    ChatResult result = adapter.parse(response.body());
                    cooldowns.recordSuccess(c.providerId());
                    attempts.add(new Attempt(c.providerName(), c.modelId(), "ok", millis(start)));
                    return new Outcome(result, c, 200, null, null, null, attempts, upstream, null);
                } catch (IllegalArgumentException e) {
                    allRateLimited = false;
                    fail(attempts, c, "unreadable answer (HTTP " + status + ")", start, retry, null);
                    continue;
                }
            }
            Long vendorRetryAfter = status == 429 ? retryAfter(response) : null;
            if (isProviderFailure(status)) {
                allRateLimited &= status == 429;
                if (vendorRetryAfter != null) {
                    retryAfter = vendorRetryAfter;
                }
                fail(attempts, c, "HTTP " + status, start, retry, vendorRetryAfter);
                continue;
            }
            // The caller's own request was refused: answer it as the vendor did, without trying elsewhere.
            attempts.add(new Attempt(c.providerName(), c.modelId(), "HTTP " + status + " (request refused)", millis(start)));
            String message = redact(adapter.errorMessage(response.body()), key);
            return new Outcome(null, c, status, "invalid_request_error", null,
                    message != null ? message : c.providerName() + " refused the request (HTTP " + status + ")",
                    attempts, upstream, null);
        }
        String summary = attempts.isEmpty() ? "no candidate was tried"
                : attempts.stream().map(Attempt::describe).collect(Collectors.joining("; "));
        boolean rateLimited = tried > 0 && allRateLimited;
        return new Outcome(null, null, rateLimited ? 429 : tried == 0 ? 503 : 502,
                rateLimited ? "rate_limit_error" : "api_error", "all_providers_failed",
                "No provider could serve the request: " + summary, attempts, upstream, retryAfter);
    }

    /** 429 and 5xx, and answers showing the provider's own key or model is wrong; not the caller's fault. */
    static boolean isProviderFailure(int status) {
        return status == 429 || status >= 500 || status == 401 || status == 403 || status == 404 || status == 408;
    }

    private void fail(List<Attempt> attempts, Candidate c, String outcome, long startNanos, RoutingRules.Retry retry,
                      Long retryAfterSeconds) {
        attempts.add(new Attempt(c.providerName(), c.modelId(), outcome, millis(startNanos)));
        cooldowns.recordFailure(c.providerId(), System.currentTimeMillis(), retry, retryAfterSeconds);
    }

    private static Long retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }).orElse(null);
    }

    static String redact(String text, String key) {
        if (text == null) {
            return null;
        }
        String out = key == null || key.isEmpty() ? text : text.replace(key, "[redacted]");
        return out.length() > 500 ? out.substring(0, 500) + "…" : out;
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }
}
