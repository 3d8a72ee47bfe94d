package dev.llmgateway.keycloak.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.RateLimits;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.limits.RateLimiter;
import dev.llmgateway.keycloak.limits.RateLimiter.Charge;
import dev.llmgateway.keycloak.limits.RateLimiter.Decision;
import dev.llmgateway.keycloak.limits.RateLimiter.Kind;
import dev.llmgateway.keycloak.limits.RateLimiter.StreamSlot;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.ClientModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorResponseException;

/**
 * The rate limits of one gateway call: the caller's (their power level's, overridden by their client's and then by
 * their own attributes) counted before any vendor is called, and each provider's counted per attempt with the
 * organisation's key. Tokens are counted from an estimate first (the prompt's length, plus {@code max_tokens} when
 * given) and made the vendor's figures when the call ends. Streams are counted while open.
 */
public final class CallLimits {

    private static final String REQUESTS_ATTRIBUTE = RateLimits.REQUESTS_ATTRIBUTE;
    private static final String TOKENS_ATTRIBUTE = RateLimits.TOKENS_ATTRIBUTE;
    private static final String STREAMS_ATTRIBUTE = RateLimits.STREAMS_ATTRIBUTE;

    private final RateLimiter limiter;
    private final Decision caller;
    private final StreamSlot callerStream;
    private Charge providerCharge;
    private StreamSlot providerStream;
    /** When the first provider skipped for its own limit frees up (ms), and which limit it was; 0: none skipped. */
    private long providerRetryMillis;

    private boolean finished;

    private CallLimits(RateLimiter limiter, Decision caller, StreamSlot callerStream) {
        this.limiter = limiter;
        this.caller = caller;
        this.callerStream = callerStream;
    }

    /** The caller's limits: the level's, each kind overridden by the client's attribute, then by the user's. */
    public static RateLimits callerLimits(PowerLevel level, ClientModel client, UserModel user) {
        RateLimits limits = RateLimits.of(level.limits());
        if (client != null) {
            limits = limits.overriddenBy(RateLimits.ofAttributes(
                    client.getAttribute(REQUESTS_ATTRIBUTE),
                    client.getAttribute(TOKENS_ATTRIBUTE),
                    client.getAttribute(STREAMS_ATTRIBUTE)));
        }
        return limits.overriddenBy(RateLimits.ofAttributes(
                user.getFirstAttribute(REQUESTS_ATTRIBUTE),
                user.getFirstAttribute(TOKENS_ATTRIBUTE),
                user.getFirstAttribute(STREAMS_ATTRIBUTE)));
    }

    /** Tokens a request is counted with before the vendor says: a quarter of its characters, plus max_tokens. */
    public static long estimate(ChatRequest request) {
        long max = request.body().path("max_completion_tokens").asLong(0);
        if (max <= 0) {
            max = request.body().path("max_tokens").asLong(0);
        }
        return (request.promptChars() + 3) / 4 + Math.max(0, max);
    }

    /**
     * Counts the call against the caller's limits, or refuses it with OpenAI's 429 (naming the limit and where it was
     * set, with {@code Retry-After} and the {@code x-ratelimit-*} headers).
     */
    public static CallLimits admit(
            RateLimiter limiter,
            String realmId,
            UserModel user,
            ClientModel client,
            PowerLevel level,
            RateLimits limits,
            long estimate,
            boolean stream) {
        if (limits.isEmpty()) {
            return new CallLimits(limiter, Decision.UNLIMITED, null);
        }
        String scope = "u|" + realmId + "|" + user.getId();
        StreamSlot slot = null;
        if (stream && limits.concurrentStreams() != null) {
            slot = limiter.openStream(scope, limits.concurrentStreams());
            if (slot == null) {
                throw refused(
                        Kind.STREAMS,
                        limits.concurrentStreams(),
                        0,
                        source(Kind.STREAMS, level, client, user),
                        Decision.UNLIMITED);
            }
        }
        Decision d = limiter.admit(scope, limits, estimate);
        if (!d.allowed()) {
            limiter.closeStream(slot);
            throw refused(d.refused(), d.limit(), d.retryAfterMillis(), source(d.refused(), level, client, user), d);
        }
        return new CallLimits(limiter, d, slot);
    }

    /**
     * Counts an attempt with the organisation's key against the provider's limits: null when admitted, else the
     * reason it is skipped (the call falls back). Calls with the caller's own key do not use the organisation's quota.
     */
    synchronized String enter(ProviderEndpoint endpoint, boolean byok, boolean stream, long estimate) {
        RateLimits limits = endpoint.limits();
        if (byok || limits == null || limits.isEmpty()) {
            return null;
        }
        RateLimiter l = limiter;
        String scope = "p|" + endpoint.providerId();
        StreamSlot slot = null;
        if (stream && limits.concurrentStreams() != null) {
            slot = l.openStream(scope, limits.concurrentStreams());
            if (slot == null) {
                skipped(1_000);
                return "its limit of " + limits.concurrentStreams() + " concurrent streams is reached";
            }
        }
        Decision d = l.admit(scope, limits, estimate);
        if (!d.allowed()) {
            l.closeStream(slot);
            skipped(d.retryAfterMillis());
            return "its limit of " + d.limit() + " " + d.refused().words() + " is reached";
        }
        providerCharge = d.charge();
        providerStream = slot;
        return null;
    }

    private void skipped(long retryMillis) {
        providerRetryMillis = providerRetryMillis == 0 ? retryMillis : Math.min(providerRetryMillis, retryMillis);
    }

    /** When the first provider skipped for its own limit is free again (ms); 0 when none was skipped. */
    synchronized long providerRetryMillis() {
        return providerRetryMillis;
    }

    /** The attempt that {@link #enter} admitted did not get an answer: its tokens are not counted. */
    synchronized void attemptFailed() {
        if (providerCharge != null) {
            limiter.settle(providerCharge, 0);
        }
        providerCharge = null;
        limiter.closeStream(providerStream);
        providerStream = null;
    }

    /** The call has ended (a stream at its end): counts the vendor's tokens instead of the estimate, frees streams. */
    public synchronized void finished(Usage usage) {
        if (finished) {
            return;
        }
        finished = true;
        RateLimiter l = limiter;
        long tokens = usage == null ? 0 : usage.promptTokens() + usage.completionTokens();
        if (caller.charge() != null) {
            l.settle(caller.charge(), tokens);
        }
        if (providerCharge != null) {
            l.settle(providerCharge, tokens);
            providerCharge = null;
        }
        l.closeStream(callerStream);
        l.closeStream(providerStream);
        providerStream = null;
    }

    /** OpenAI's {@code x-ratelimit-*} headers for the caller's limits (none when none applies). */
    public void addHeaders(Map<String, List<String>> headers) {
        addHeaders(headers, caller);
    }

    static void addHeaders(Map<String, List<String>> headers, Decision d) {
        if (d.limitRequests() != null) {
            headers.put("x-ratelimit-limit-requests", List.of(Long.toString(d.limitRequests())));
            headers.put("x-ratelimit-remaining-requests", List.of(Long.toString(d.remainingRequests())));
            headers.put("x-ratelimit-reset-requests", List.of(duration(d.resetRequestsMillis())));
        }
        if (d.limitTokens() != null) {
            headers.put("x-ratelimit-limit-tokens", List.of(Long.toString(d.limitTokens())));
            headers.put("x-ratelimit-remaining-tokens", List.of(Long.toString(d.remainingTokens())));
            headers.put("x-ratelimit-reset-tokens", List.of(duration(d.resetTokensMillis())));
        }
    }

    /** As OpenAI writes durations in these headers: {@code 0s}, {@code 250ms}, {@code 12s}, {@code 1m0s}. */
    static String duration(long millis) {
        if (millis <= 0) {
            return "0s";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        long seconds = (millis + 999) / 1000;
        return seconds < 60 ? seconds + "s" : seconds / 60 + "m" + seconds % 60 + "s";
    }

    /** Where the caller's limit of this kind was set, in words. */
    static String source(Kind kind, PowerLevel level, ClientModel client, UserModel user) {
        String attribute = switch (kind) {
            case REQUESTS -> REQUESTS_ATTRIBUTE;
            case TOKENS -> TOKENS_ATTRIBUTE;
            case STREAMS -> STREAMS_ATTRIBUTE;
        };
        if (RateLimits.attribute(user.getFirstAttribute(attribute), Long.MAX_VALUE) != null) {
            return "set for your account";
        }
        if (client != null && RateLimits.attribute(client.getAttribute(attribute), Long.MAX_VALUE) != null) {
            return "set for the client '" + client.getClientId() + "'";
        }
        return "of your power level '" + level.name() + "'";
    }

    /** The 429 of a call over one of its caller's limits, with which limit it was (for events and metrics). */
    public static final class Refused extends ErrorResponseException {
        private final Kind kind;
        private final long limit;
        private final long retryMillis;

        Refused(Response response, Kind kind, long limit, long retryMillis) {
            super(response);
            this.kind = kind;
            this.limit = limit;
            this.retryMillis = retryMillis;
        }

        public Kind kind() {
            return kind;
        }

        /** The field name of the limit: {@code requests_per_minute}, {@code tokens_per_minute} … */
        public String field() {
            return switch (kind) {
                case REQUESTS -> "requests_per_minute";
                case TOKENS -> "tokens_per_minute";
                case STREAMS -> "concurrent_streams";
            };
        }

        public long limit() {
            return limit;
        }

        public long retryMillis() {
            return retryMillis;
        }
    }

    private static Refused refused(Kind kind, long limit, long retryMillis, String source, Decision headers) {
        long seconds = Math.max(1, (retryMillis + 999) / 1000);
        String message = "Rate limit reached: " + limit + " " + kind.words() + " (" + source + ")."
                + (kind == Kind.STREAMS ? " Wait for one of your streams to end." : " Try again in " + seconds + " s.");
        Response.ResponseBuilder response = Response.status(429)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(OpenAiErrors.body("rate_limit_error", "rate_limit_exceeded", null, message))
                .header("Retry-After", Long.toString(seconds))
                .header("retry-after-ms", Long.toString(Math.max(1, retryMillis)));
        Map<String, List<String>> limitHeaders = new LinkedHashMap<>();
        addHeaders(limitHeaders, headers);
        limitHeaders.forEach((name, values) -> response.header(name, values.get(0)));
        return new Refused(response.build(), kind, limit, retryMillis);
    }
}
