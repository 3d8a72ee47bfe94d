package dev.llmgateway.keycloak.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.byok.UserKeyCache.SealedKey;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.observe.AttemptTrace;
import dev.llmgateway.keycloak.observe.CallTrace;
import dev.llmgateway.keycloak.observe.FallbackReason;
import dev.llmgateway.keycloak.observe.GatewayMetrics;
import dev.llmgateway.keycloak.observe.GatewayMetrics.AttemptResult;
import dev.llmgateway.keycloak.observe.GatewayMetrics.ByokResult;
import dev.llmgateway.keycloak.observe.Refusal;
import dev.llmgateway.keycloak.routing.CooldownTracker;
import dev.llmgateway.keycloak.routing.RoutingRules;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
import dev.llmgateway.keycloak.vendor.ApiKeys;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import dev.llmgateway.keycloak.vendor.OutboundPolicy;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;
import dev.llmgateway.keycloak.vendor.VendorError;
import org.jboss.logging.Logger;

/**
 * Tries the ordered candidates of one call, without blocking a thread while vendors answer. Skips providers cooling
 * down; falls back on 429, 5xx, timeouts, connection errors and answers showing the provider itself is misconfigured
 * (401/403/404), only to providers with auto-fallback, and only before anything reached the caller (for a stream:
 * before the vendor's first 2xx answer); answers the caller's own 4xx errors as the vendor did, without falling back.
 * An attempt goes out with the caller's own key for the provider's type when they have one (BYOK): its refusal
 * (401/403) or rate limit says nothing about the provider, so it cools nothing down.
 */
public final class GatewayCall {

    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Logger LOG = Logger.getLogger(GatewayCall.class);

    /** The vendor's answer body: read whole (non-streamed calls, errors) or relayed as it comes (streams). */
    sealed interface Upstream permits Upstream.Bytes, Upstream.Stream {
        record Bytes(byte[] body) implements Upstream {}

        record Stream(Flow.Publisher<List<ByteBuffer>> body) implements Upstream {}
    }

    /**
     * How the call ended. On success {@code body} holds the completion (non-streamed) or {@code stream} and
     * {@code translator} the vendor's stream; otherwise {@code body} holds an OpenAI-style error.
     */
    public record Outcome(
            Candidate chosen,
            int status,
            byte[] body,
            Flow.Publisher<List<ByteBuffer>> stream,
            StreamTranslator translator,
            Usage usage,
            List<Attempt> attempts,
            long upstreamNanos,
            Long retryAfterSeconds,
            boolean byok,
            boolean usageEstimated) {

        /** An outcome whose usage (if any) the vendor reported. */
        public Outcome(
                Candidate chosen,
                int status,
                byte[] body,
                Flow.Publisher<List<ByteBuffer>> stream,
                StreamTranslator translator,
                Usage usage,
                List<Attempt> attempts,
                long upstreamNanos,
                Long retryAfterSeconds,
                boolean byok) {
            this(
                    chosen,
                    status,
                    body,
                    stream,
                    translator,
                    usage,
                    attempts,
                    upstreamNanos,
                    retryAfterSeconds,
                    byok,
                    false);
        }

        public boolean success() {
            return status >= 200 && status < 300;
        }

        public boolean streamed() {
            return stream != null;
        }

        /** Attempts that reached a vendor (skipped candidates are not counted). */
        public long attemptCount() {
            return attempts.stream().filter(a -> !a.skipped()).count();
        }
    }

    private final HttpClient http;
    private final CooldownTracker cooldowns;
    private final CallKeys keys;
    private final Duration timeout;
    private final OutboundPolicy policy;
    private final CallLimits limits;
    private final long estimatedTokens;
    private final GatewayMetrics metrics = GatewayMetrics.get();
    /** The realm's name, the {@code realm} label of the call's metrics. */
    private String realmName = GatewayMetrics.NONE;

    private CallTrace trace = CallTrace.NONE;

    /**
     * @param keys the caller's own keys and the organisation's, opened at the moment of each attempt
     * @param policy checked before every attempt: a refused address is handled like an unreachable provider
     * @param limits counts each attempt with the organisation's key against its provider's rate limits (a provider
     *     at its limit is skipped like one cooling down); null: none
     * @param estimatedTokens what the request is counted as until the vendor reports its tokens
     */
    public GatewayCall(
            HttpClient http,
            CooldownTracker cooldowns,
            CallKeys keys,
            Duration timeout,
            OutboundPolicy policy,
            CallLimits limits,
            long estimatedTokens) {
        this.http = http;
        this.cooldowns = cooldowns;
        this.keys = keys;
        this.timeout = timeout;
        this.policy = policy;
        this.limits = limits;
        this.estimatedTokens = estimatedTokens;
    }

    /** Names the realm in this call's metrics (attempts, fallbacks, cooldowns, BYOK attempts). */
    public GatewayCall observedAs(String realmName) {
        this.realmName = realmName;
        return this;
    }

    /** Traces each attempt as a child span of {@code trace}, the call's span. */
    public GatewayCall tracedBy(CallTrace trace) {
        this.trace = trace;
        return this;
    }

    public CompletableFuture<Outcome> run(RoutingSnapshot snapshot, List<Candidate> ordered, ChatRequest request) {
        return run(snapshot, ordered, request, InboundApi.CHAT);
    }

    /** Calls the candidates in order for a caller of {@code api}, whose adapters speak to each vendor. */
    public CompletableFuture<Outcome> run(
            RoutingSnapshot snapshot, List<Candidate> ordered, ChatRequest request, InboundApi api) {
        return new Run(snapshot, ordered, request, api).next(0);
    }

    /** 429 and 5xx, and answers showing the provider's own key or model is wrong: not the caller's fault. */
    static boolean isProviderFailure(int status) {
        return status == 429 || status >= 500 || status == 401 || status == 403 || status == 404 || status == 408;
    }

    /** One call's progress through its candidates; its steps run one after another, never at once. */
    private final class Run {
        private final RoutingSnapshot snapshot;
        private final List<Candidate> ordered;
        private final ChatRequest request;
        private final InboundApi api;
        private final RoutingRules.Retry retry;
        private final List<Attempt> attempts = new ArrayList<>();
        private long upstreamNanos;
        private int tried;
        private boolean allRateLimited = true;
        private Long retryAfter;
        /** The caller's own keys a vendor refused during this call; the organisation's key is used instead. */
        private Set<SealedKey> refusedOwn;
        /** The candidate being tried again with the organisation's key after the caller's own key was refused. */
        private int retriedWithOrganizationKey = -1;
        /** The first candidate skipped because it was cooling down, and when the first cooldown ends (0: none). */
        private int firstCooling = -1;

        private long earliestCoolEnd;
        private boolean probed;
        /** A fingerprint of the request (0 until a failure needs it): a retry of it does not count as a new failure. */
        private long fingerprint;
        /** Why the first candidate that could not express the request was skipped. */
        private UnsupportedRequestException unsupported;
        /** Whether a candidate was skipped because its provider had reached its own rate limit. */
        private boolean providerLimited;

        /** The provider the call is leaving after its failure, and why (a fallback once another one is called). */
        private String leaving;

        private FallbackReason leavingBecause;

        /** The span of the attempt being sent or answered. */
        private AttemptTrace span = AttemptTrace.NONE;

        Run(RoutingSnapshot snapshot, List<Candidate> ordered, ChatRequest request, InboundApi api) {
            this.api = api;
            this.snapshot = snapshot;
            this.ordered = ordered;
            this.request = request;
            this.retry = snapshot.rules().retry();
        }

        CompletableFuture<Outcome> next(int from) {
            for (int i = from; i < ordered.size() && tried < retry.maxAttempts(); i++) {
                Candidate c = ordered.get(i);
                long now = System.currentTimeMillis();
                if (cooldowns.isCoolingDown(c.providerId(), now)) {
                    long until = cooldowns.coolingUntil(c.providerId());
                    if (firstCooling < 0) {
                        firstCooling = i;
                    }
                    earliestCoolEnd = earliestCoolEnd == 0 ? until : Math.min(earliestCoolEnd, until);
                    skip(c, "cooling down for " + Math.max(1, (until - now + 999) / 1000) + " s");
                    continue;
                }
                CompletableFuture<Outcome> sent = attempt(i, c);
                if (sent != null) {
                    return sent;
                }
            }
            if (tried == 0 && firstCooling >= 0 && !probed) {
                // Every candidate is cooling down: one caller at a time probes the first (half-open), so a provider
                // that has recovered is back at once rather than after the whole cooldown.
                Candidate c = ordered.get(firstCooling);
                if (cooldowns.tryProbe(c.providerId(), System.currentTimeMillis())) {
                    probed = true;
                    CompletableFuture<Outcome> sent = attempt(firstCooling, c);
                    if (sent != null) {
                        return sent;
                    }
                }
            }
            return CompletableFuture.completedFuture(allFailed());
        }

        /** Calls candidate {@code i}; null when it cannot be called (it is skipped, and the next one is tried). */
        private CompletableFuture<Outcome> attempt(int i, Candidate c) {
            if (tried > 0 && !c.autoFallback() && i != retriedWithOrganizationKey) {
                skip(c, "auto-fallback is off for this provider");
                return null;
            }
            ProviderEndpoint endpoint = snapshot.endpoint(c.providerId());
            SealedKey own = keys.own(endpoint);
            if (own != null && refusedOwn != null && refusedOwn.contains(own)) {
                own = null;
            }
            if (own == null && !keys.organizationKeys()) {
                skip(c, "monthly budget spent and no own " + endpoint.type().displayName() + " key");
                return null;
            }
            ChatAdapter adapter = api.adapter(endpoint.type());
            tried++;
            String key = own != null ? keys.open(own) : keys.openOrganizationKey(endpoint);
            HttpRequest vendorRequest;
            try {
                vendorRequest = adapter.request(endpoint, key, c.modelId(), request, timeout);
            } catch (UnsupportedRequestException e) {
                // The request asks for what this vendor cannot do: another provider may, else the caller is told.
                tried--;
                if (unsupported == null) {
                    unsupported = e;
                }
                skip(c, e.getMessage());
                return null;
            } catch (ApiKeys.InvalidKeyException e) {
                // A stored key that cannot go into a header (stored before keys were checked on entry): handled
                // like a key the vendor refused, and neither this message nor the log holds the key.
                if (own != null) {
                    metrics.byokAttempt(realmName, c.providerName(), ByokResult.KEY_REFUSED);
                    return ownKeyRefused(c, own, "it cannot be sent: " + e.getMessage(), 0, i);
                }
                LOG.warnf("LLM gateway: provider %s cannot be called: %s", c.providerName(), e.getMessage());
                fail(c, "unusable key (" + e.getMessage() + ")", 0, null, FallbackReason.UNUSABLE_KEY);
                return null;
            }
            OutboundPolicy.Refusal refusal = policy.connectRefusal(vendorRequest.uri());
            if (refusal != null) {
                // Like an unreachable provider: the next candidate is tried. The caller sees no more than this.
                if (refusal.unknownHost()) {
                    fail(c, "unknown host", 0, null, FallbackReason.OUTBOUND_POLICY);
                } else {
                    LOG.warnf("LLM gateway: provider %s was not called: %s", c.providerName(), refusal.reason());
                    fail(c, "not allowed by the outbound policy", 0, null, FallbackReason.OUTBOUND_POLICY);
                }
                return null;
            }
            String limited =
                    limits == null ? null : limits.enter(endpoint, own != null, request.stream(), estimatedTokens);
            if (limited != null) {
                // Like a provider cooling down: the organisation's quota there is used up, the next one is tried.
                tried--;
                providerLimited = true;
                metrics.refusal(realmName, Refusal.PROVIDER_RATE_LIMIT);
                skip(c, "rate limit: " + limited);
                return null;
            }
            if (leaving != null) {
                metrics.fallback(realmName, leaving, leavingBecause);
                leaving = null;
            }
            span = trace.attempt(c.providerType(), c.providerName(), c.modelId(), own != null, vendorRequest.uri());
            vendorRequest = span.propagate(vendorRequest);
            long start = System.nanoTime();
            CompletableFuture<HttpResponse<Upstream>> sent = http.sendAsync(vendorRequest, this::bodyHandler);
            if (!request.stream()) {
                sent = sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            int current = i;
            SealedKey used = own;
            return sent.handle((response, error) -> answered(c, adapter, key, used, start, response, error, current))
                    .thenCompose(Function.identity());
        }

        private HttpResponse.BodySubscriber<Upstream> bodyHandler(HttpResponse.ResponseInfo info) {
            if (request.stream() && info.statusCode() / 100 == 2) {
                return HttpResponse.BodySubscribers.mapping(
                        HttpResponse.BodySubscribers.ofPublisher(), Upstream.Stream::new);
            }
            return HttpResponse.BodySubscribers.mapping(
                    HttpResponse.BodySubscribers.ofByteArray(), Upstream.Bytes::new);
        }

        private CompletableFuture<Outcome> answered(
                Candidate c,
                ChatAdapter adapter,
                String key,
                SealedKey own,
                long start,
                HttpResponse<Upstream> response,
                Throwable error,
                int current) {
            int following = current + 1;
            boolean byok = own != null;
            long elapsed = System.nanoTime() - start;
            upstreamNanos += elapsed;
            if (error != null) {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                String outcome = cause instanceof HttpTimeoutException || cause instanceof TimeoutException
                        ? "timeout after " + timeout.toMillis() + " ms"
                        : cause instanceof ConnectException
                                ? "connection refused"
                                : cause instanceof IOException
                                        ? "connection error (closed before an answer)"
                                        : "connection error";
                attemptFailed();
                observe(c, byok, AttemptResult.FAILED, ByokResult.FAILED, elapsed);
                span.failed(
                        outcome,
                        outcome.startsWith("timeout")
                                ? "timeout"
                                : cause.getClass().getName(),
                        0);
                fail(
                        c,
                        outcome,
                        elapsed,
                        null,
                        outcome.startsWith("timeout") ? FallbackReason.TIMEOUT : FallbackReason.CONNECTION);
                return next(following);
            }
            int status = response.statusCode();
            if (status / 100 == 2) {
                if (response.body() instanceof Upstream.Stream stream) {
                    observe(c, byok, AttemptResult.OK, ByokResult.OK, elapsed);
                    span.streaming(status);
                    cooldowns.recordSuccess(c.providerId());
                    attempts.add(new Attempt(c.providerName(), c.modelId(), "ok", elapsed / 1_000_000));
                    return CompletableFuture.completedFuture(new Outcome(
                            c,
                            status,
                            null,
                            stream.body(),
                            adapter.streamTranslator(request),
                            null,
                            attempts,
                            upstreamNanos,
                            null,
                            byok));
                }
                byte[] body = ((Upstream.Bytes) response.body()).body();
                try {
                    ChatResult result = adapter.parse(body);
                    observe(c, byok, AttemptResult.OK, ByokResult.OK, elapsed);
                    span.answered(result.response(), result.usage());
                    cooldowns.recordSuccess(c.providerId());
                    attempts.add(new Attempt(c.providerName(), c.modelId(), "ok", elapsed / 1_000_000));
                    return CompletableFuture.completedFuture(new Outcome(
                            c,
                            200,
                            result.body() != null ? result.body() : JSON.writeValueAsBytes(result.response()),
                            null,
                            null,
                            result.usage(),
                            attempts,
                            upstreamNanos,
                            null,
                            byok,
                            result.usageEstimated()));
                } catch (IllegalArgumentException | JsonProcessingException e) {
                    attemptFailed();
                    observe(c, byok, AttemptResult.FAILED, ByokResult.FAILED, elapsed);
                    span.failed("unreadable answer (HTTP " + status + ")", "invalid_response", status);
                    fail(c, "unreadable answer (HTTP " + status + ")", elapsed, null, FallbackReason.BAD_ANSWER);
                    return next(following);
                }
            }
            attemptFailed();
            if (byok && (status == 401 || status == 403)) {
                observe(c, true, AttemptResult.FAILED, ByokResult.KEY_REFUSED, elapsed);
                span.failed("HTTP " + status + " (your own key was refused)", Integer.toString(status), status);
                return ownKeyRefused(c, own, "HTTP " + status, elapsed, current);
            }
            if (byok && status == 429) {
                // The caller's own quota at the vendor, not the provider's: no cooldown for everyone else.
                observe(c, true, AttemptResult.FAILED, ByokResult.RATE_LIMITED, elapsed);
                leaving(c, FallbackReason.OWN_KEY_RATE_LIMITED);
                span.failed("HTTP 429 (your own key's rate limit)", "429", status);
                attempts.add(new Attempt(
                        c.providerName(), c.modelId(), "HTTP 429 (your own key's rate limit)", elapsed / 1_000_000));
                Long ownRetryAfter = retryAfterOf(response);
                if (ownRetryAfter != null) {
                    retryAfter = ownRetryAfter;
                }
                return next(following);
            }
            if (isProviderFailure(status)) {
                Long vendorRetryAfter = status == 429 ? retryAfterOf(response) : null;
                if (vendorRetryAfter != null) {
                    retryAfter = vendorRetryAfter;
                }
                observe(c, byok, AttemptResult.FAILED, ByokResult.FAILED, elapsed);
                span.failed("HTTP " + status, Integer.toString(status), status);
                fail(c, "HTTP " + status, elapsed, vendorRetryAfter, status == 429, FallbackReason.ofStatus(status));
                return next(following);
            }
            // The caller's own request was refused: answer as the vendor did, without trying elsewhere.
            observe(c, byok, AttemptResult.REFUSED, ByokResult.REQUEST_REFUSED, elapsed);
            span.failed("HTTP " + status + " (request refused)", Integer.toString(status), status);
            attempts.add(new Attempt(
                    c.providerName(), c.modelId(), "HTTP " + status + " (request refused)", elapsed / 1_000_000));
            VendorError vendorError = VendorError.parse(
                    ((Upstream.Bytes) response.body()).body(),
                    snapshot.endpoint(c.providerId()).type() == ProviderType.ANTHROPIC);
            String message = SafeText.redact(vendorError.message(), key);
            // The vendor's type, code and param are kept: clients branch on them (context_length_exceeded …).
            return CompletableFuture.completedFuture(error(
                    c,
                    status,
                    vendorError.type() != null ? vendorError.type() : "invalid_request_error",
                    vendorError.code(),
                    vendorError.param(),
                    message != null ? message : c.providerName() + " refused the request (HTTP " + status + ")",
                    null,
                    byok));
        }

        /**
         * The vendor refused the caller's own key. The owner sees it as the key's last test result; the call goes on
         * with the organisation's key only if the realm allows it, else it ends with a 403 saying what to do.
         */
        private CompletableFuture<Outcome> ownKeyRefused(
                Candidate c, SealedKey own, String why, long elapsed, int current) {
            String vendor = snapshot.endpoint(c.providerId()).type().displayName();
            attempts.add(new Attempt(
                    c.providerName(), c.modelId(), why + " (your own key was refused)", elapsed / 1_000_000));
            keys.rejected(own, vendor + " refused this key during a gateway call (" + why + ")");
            if (keys.fallbackToOrganizationKey()) {
                if (refusedOwn == null) {
                    refusedOwn = new HashSet<>();
                }
                refusedOwn.add(own);
                retriedWithOrganizationKey = current; // the same provider again: not a fallback to another one
                return next(current);
            }
            return CompletableFuture.completedFuture(error(
                    c,
                    403,
                    "permission_error",
                    "byok_key_rejected",
                    "Your own " + vendor + " API key (" + own.hint() + ") was refused (" + why
                            + "). Replace or delete it under 'LLM API keys' in your account console.",
                    null,
                    true));
        }

        /** The attempt got no usable answer: its provider's token count drops its estimate, its stream is freed. */
        private void attemptFailed() {
            if (limits != null) {
                limits.attemptFailed();
            }
        }

        private void skip(Candidate c, String why) {
            attempts.add(new Attempt(c.providerName(), c.modelId(), "skipped: " + why, 0));
        }

        private void fail(
                Candidate c, String outcome, long elapsedNanos, Long retryAfterSeconds, FallbackReason reason) {
            fail(c, outcome, elapsedNanos, retryAfterSeconds, false, reason);
        }

        private void fail(
                Candidate c,
                String outcome,
                long elapsedNanos,
                Long retryAfterSeconds,
                boolean rateLimited,
                FallbackReason reason) {
            allRateLimited &= rateLimited;
            attempts.add(new Attempt(c.providerName(), c.modelId(), outcome, elapsedNanos / 1_000_000));
            leaving(c, reason);
            if (cooldowns.recordFailure(
                    c.providerId(), System.currentTimeMillis(), retry, retryAfterSeconds, fingerprint())) {
                metrics.cooldownStarted(realmName, c.providerName());
            }
        }

        /** The call leaves {@code c} for {@code reason}: a fallback if another provider is called next. */
        private void leaving(Candidate c, FallbackReason reason) {
            leaving = c.providerName();
            leavingBecause = reason;
        }

        /** An attempt that reached the vendor: its latency, and its result when it went out with the caller's key. */
        private void observe(Candidate c, boolean byok, AttemptResult result, ByokResult byokResult, long nanos) {
            metrics.upstream(realmName, c.providerName(), result, nanos);
            if (byok) {
                metrics.byokAttempt(realmName, c.providerName(), byokResult);
            }
        }

        /** CRC-32C of the request as sent, and its length: the same body retried has the same fingerprint. */
        private long fingerprint() {
            if (fingerprint == 0) {
                try {
                    byte[] bytes = JSON.writeValueAsBytes(request.body());
                    CRC32C crc = new CRC32C();
                    crc.update(bytes);
                    fingerprint = (crc.getValue() << 32) ^ bytes.length ^ 1;
                } catch (IOException e) {
                    fingerprint = 0;
                }
            }
            return fingerprint;
        }

        private Outcome allFailed() {
            if (tried == 0 && unsupported != null) {
                return error(
                        null,
                        400,
                        "invalid_request_error",
                        "unsupported_parameter",
                        unsupported.param(),
                        unsupported.getMessage(),
                        null,
                        false);
            }
            String summary = attempts.isEmpty()
                    ? "no candidate was tried"
                    : attempts.stream().map(Attempt::describe).collect(Collectors.joining("; "));
            boolean rateLimited = tried > 0 ? allRateLimited : providerLimited && firstCooling < 0;
            if (tried == 0 && providerLimited && limits != null) {
                long wait = Math.max(1, (limits.providerRetryMillis() + 999) / 1000);
                retryAfter = retryAfter == null ? wait : Math.min(retryAfter, wait);
            }
            if (tried == 0 && retryAfter == null && earliestCoolEnd > 0) {
                // Everything is cooling down: say when the first provider is back, so clients wait, not hammer.
                retryAfter = Math.max(1, (earliestCoolEnd - System.currentTimeMillis() + 999) / 1000);
            }
            return error(
                    null,
                    rateLimited ? 429 : tried == 0 ? 503 : 502,
                    rateLimited ? "rate_limit_error" : "api_error",
                    "all_providers_failed",
                    "No provider could serve the request: " + summary,
                    retryAfter,
                    false);
        }

        private Outcome error(
                Candidate chosen,
                int status,
                String type,
                String code,
                String message,
                Long retryAfterSeconds,
                boolean byok) {
            return error(chosen, status, type, code, null, message, retryAfterSeconds, byok);
        }

        private Outcome error(
                Candidate chosen,
                int status,
                String type,
                String code,
                String param,
                String message,
                Long retryAfterSeconds,
                boolean byok) {
            byte[] body = OpenAiErrors.body(type, code, param, message).getBytes(StandardCharsets.UTF_8);
            return new Outcome(
                    chosen, status, body, null, null, null, attempts, upstreamNanos, retryAfterSeconds, byok);
        }
    }

    private static Long retryAfterOf(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .map(v -> {
                    try {
                        return Long.parseLong(v.trim());
                    } catch (NumberFormatException e) {
                        return null;
                    }
                })
                .orElse(null);
    }
}
