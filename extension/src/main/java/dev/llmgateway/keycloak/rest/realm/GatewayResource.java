package dev.llmgateway.keycloak.rest.realm;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.llmgateway.keycloak.byok.ByokSettings;
import dev.llmgateway.keycloak.byok.UserKeyCache;
import dev.llmgateway.keycloak.byok.UserKeyCache.SealedKey;
import dev.llmgateway.keycloak.byok.UserKeyService;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.crypto.SecretCipher;
import dev.llmgateway.keycloak.events.GatewayEvents;
import dev.llmgateway.keycloak.gateway.CallKeys;
import dev.llmgateway.keycloak.gateway.CallLimits;
import dev.llmgateway.keycloak.gateway.CallMetrics;
import dev.llmgateway.keycloak.gateway.CallRecord;
import dev.llmgateway.keycloak.gateway.EmbeddingsApi;
import dev.llmgateway.keycloak.gateway.Entitlements;
import dev.llmgateway.keycloak.gateway.GatewayAccess;
import dev.llmgateway.keycloak.gateway.GatewayCall;
import dev.llmgateway.keycloak.gateway.GatewayState;
import dev.llmgateway.keycloak.gateway.InboundApi;
import dev.llmgateway.keycloak.gateway.ResponsesApi;
import dev.llmgateway.keycloak.gateway.StreamRelay;
import dev.llmgateway.keycloak.gateway.VerifiedTokens;
import dev.llmgateway.keycloak.observe.CallTrace;
import dev.llmgateway.keycloak.observe.GatewayMetrics;
import dev.llmgateway.keycloak.observe.GatewayTracing;
import dev.llmgateway.keycloak.observe.Outcome;
import dev.llmgateway.keycloak.observe.Refusal;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
import dev.llmgateway.keycloak.usage.Budgets;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestMulti;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

/** {@code /realms/{realm}/llm/v1}: the OpenAI-compatible endpoint, authenticated with the caller's access token. */
public class GatewayResource {

    static final String HEADER_PROVIDER = "X-LLM-Provider";
    static final String HEADER_MODEL = "X-LLM-Model";
    static final String HEADER_ATTEMPTS = "X-LLM-Attempts";
    static final String HEADER_OVERHEAD = "X-LLM-Overhead-Ms";

    private static final Logger LOG = Logger.getLogger(GatewayResource.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GatewayState state;

    GatewayResource(KeycloakSession session, RealmModel realm, GatewayState state) {
        this.session = session;
        this.realm = realm;
        this.state = state;
    }

    /**
     * Chat Completions, streamed or not. Routing and authentication happen before this method returns; the vendor
     * calls run without holding a thread or the Keycloak session (returning a {@link RestMulti} closes it at once).
     * Declared without {@code @Produces}: the content type is set per answer (JSON or server-sent events).
     */
    @POST
    @Path("chat/completions")
    @Consumes(MediaType.WILDCARD)
    public RestMulti<byte[]> chatCompletions(InputStream body) {
        return serve(InboundApi.CHAT, ChatRequest::read, body);
    }

    /**
     * OpenAI's Embeddings: routed like chat to embedding models only, never streamed; answered in OpenAI's embeddings
     * shape whatever the vendor's ({@link EmbeddingsApi}).
     */
    @POST
    @Path("embeddings")
    @Consumes(MediaType.WILDCARD)
    public RestMulti<byte[]> embeddings(InputStream body) {
        EmbeddingsApi api = new EmbeddingsApi();
        return serve(api, api::read, body);
    }

    /**
     * OpenAI's Responses API without state ({@link ResponsesApi}): passed through to OpenAI providers, translated to
     * and from Chat Completions for the others; the same pipeline as chat, recorded as call kind {@code responses}.
     */
    @POST
    @Path("responses")
    @Consumes(MediaType.WILDCARD)
    public RestMulti<byte[]> responses(InputStream body) {
        ResponsesApi api = new ResponsesApi();
        return serve(api, api::read, body);
    }

    @GET
    @Path("responses")
    @Produces(MediaType.APPLICATION_JSON)
    public Response responsesWrongMethod() {
        return wrongMethod("GET", "responses", "POST");
    }

    /** A stored response, its input items, its deletion or cancellation: nothing is stored, so nothing is found. */
    @GET
    @Path("responses/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response storedResponse(@PathParam("id") String id) {
        return ResponsesApi.notStored(id);
    }

    @DELETE
    @Path("responses/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response deleteStoredResponse(@PathParam("id") String id) {
        return ResponsesApi.notStored(id);
    }

    @GET
    @Path("responses/{id}/input_items")
    @Produces(MediaType.APPLICATION_JSON)
    public Response storedInputItems(@PathParam("id") String id) {
        return ResponsesApi.notStored(id);
    }

    @POST
    @Path("responses/{id}/cancel")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancelStoredResponse(@PathParam("id") String id) {
        return ResponsesApi.notStored(id);
    }

    /** Reads a caller's request body, at most {@code maxBytes}, into the request the gateway routes. */
    @FunctionalInterface
    interface RequestReader {
        ChatRequest read(InputStream body, int maxBytes);
    }

    /**
     * One call of {@code api}: authenticates the caller, reads the body with {@code reader}, routes, calls and answers.
     * What is refused before a vendor is called is answered in the API's error shape.
     */
    RestMulti<byte[]> serve(InboundApi api, RequestReader reader, InputStream body) {
        long start = System.nanoTime();
        try {
            AuthenticationManager.AuthResult auth = authenticate(api);
            LlmGatewayConfig config = session.getProvider(LlmGatewayConfig.class);
            ChatRequest request;
            try {
                request = reader.read(body, config.gatewayMaxBodyBytes());
            } catch (ErrorResponseException e) {
                GatewayMetrics.get().request(realm.getName(), null, null, Outcome.BAD_REQUEST);
                throw e;
            }
            return route(api, auth, config, request, start);
        } catch (ErrorResponseException e) {
            throw inShapeOf(api, e);
        }
    }

    /** An answer refused by the pipeline (OpenAI's error shape), in the shape of {@code api}'s errors. */
    static ErrorResponseException inShapeOf(InboundApi api, ErrorResponseException e) {
        Response r = e.getResponse();
        if (!(r.getEntity() instanceof String text)) {
            return e;
        }
        byte[] openAi = text.getBytes(StandardCharsets.UTF_8);
        byte[] shaped = api.errorBody(r.getStatus(), openAi);
        if (shaped == openAi) {
            return e;
        }
        return new ErrorResponseException(Response.fromResponse(r)
                .entity(new String(shaped, StandardCharsets.UTF_8))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build());
    }

    private RestMulti<byte[]> route(
            InboundApi api,
            AuthenticationManager.AuthResult auth,
            LlmGatewayConfig config,
            ChatRequest request,
            long start) {
        String realmName = realm.getName();
        GatewayMetrics metrics = GatewayMetrics.get();
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        PowerLevel level = Entitlements.levelOf(auth.user(), snapshot);
        List<Candidate> ordered;
        try {
            ordered = Entitlements.candidates(snapshot, level, request.model(), api);
        } catch (ErrorResponseException e) {
            // 404: nobody offers the model; 403: the level does not reach it.
            if (e.getResponse().getStatus() == 404) {
                metrics.request(realmName, null, null, Outcome.UNKNOWN_MODEL);
            } else {
                metrics.refusal(realmName, Refusal.LEVEL);
            }
            throw refused(e, auth, GatewayEvents.Reason.LEVEL, "model_not_allowed", level, request.model(), Map.of());
        }
        CallKeys keys = callKeys(auth, snapshot.byok(), config.cipher(realm));
        CallKeys userKeys = keys;
        try {
            ordered = Entitlements.pricedForBudget(
                    ordered, level, c -> userKeys.hasOwn(snapshot.endpoint(c.providerId())), request.model());
        } catch (ErrorResponseException e) {
            // The model is unpriced and the level has a budget.
            metrics.refusal(realmName, Refusal.LEVEL);
            throw refused(e, auth, GatewayEvents.Reason.LEVEL, "model_not_priced", level, request.model(), Map.of());
        }
        ErrorResponseException budgetSpent =
                Entitlements.budgetSpent(session, realm, auth.user(), level, state.budgets());
        if (budgetSpent != null) {
            // Over budget: only what the user pays for themselves.
            CallKeys mine = keys;
            List<Candidate> own = ordered.stream()
                    .filter(c -> mine.hasOwn(snapshot.endpoint(c.providerId())))
                    .toList();
            if (own.isEmpty()) {
                metrics.refusal(realmName, Refusal.BUDGET);
                throw refused(
                        budgetSpent,
                        auth,
                        GatewayEvents.Reason.BUDGET,
                        "budget_exceeded",
                        level,
                        request.model(),
                        Map.of(
                                GatewayEvents.LIMIT,
                                "monthly_budget",
                                GatewayEvents.LIMIT_VALUE,
                                level.monthlyBudget().toPlainString(),
                                GatewayEvents.RESET,
                                Budgets.resetDate(System.currentTimeMillis()).toString()));
            }
            ordered = own;
            keys = keys.ownOnly();
        }
        ClientModel client = auth.client() != null
                ? auth.client()
                : realm.getClientByClientId(auth.token().getIssuedFor());
        long estimate = CallLimits.estimate(request);
        CallLimits limits;
        try {
            limits = CallLimits.admit(
                    state.limiter(),
                    realm.getId(),
                    auth.user(),
                    client,
                    level,
                    CallLimits.callerLimits(level, client, auth.user()),
                    estimate,
                    request.stream());
        } catch (CallLimits.Refused e) {
            metrics.refusal(
                    realmName,
                    switch (e.kind()) {
                        case REQUESTS -> Refusal.RATE_LIMIT_REQUESTS;
                        case TOKENS -> Refusal.RATE_LIMIT_TOKENS;
                        case STREAMS -> Refusal.RATE_LIMIT_STREAMS;
                    });
            throw refused(
                    e,
                    auth,
                    GatewayEvents.Reason.RATE_LIMIT,
                    "rate_limit_exceeded",
                    level,
                    request.model(),
                    Map.of(
                            GatewayEvents.LIMIT,
                            e.field(),
                            GatewayEvents.LIMIT_VALUE,
                            Long.toString(e.limit()),
                            GatewayEvents.RESET,
                            Long.toString(Math.max(1, (e.retryMillis() + 999) / 1000))));
        }
        // The call's span (nothing when tracing is off), under Keycloak's span of this request; ended below.
        CallTrace trace = GatewayTracing.call(
                session,
                realm.getName(),
                api.kind().equals(UsageEvent.KIND_EMBEDDINGS) ? GatewayTracing.EMBEDDINGS : GatewayTracing.CHAT,
                request.model(),
                request.stream(),
                request.body());
        GatewayCall call = new GatewayCall(
                        state.http(),
                        state.cooldowns(),
                        keys,
                        config.upstreamTimeout(),
                        config.outboundPolicy(),
                        limits,
                        estimate)
                .observedAs(realmName)
                .tracedBy(trace);
        CallRecord record = new CallRecord(
                realm.getId(),
                auth.user().getId(),
                auth.token().getIssuedFor(),
                request.model(),
                level.id(),
                request.stream(),
                System.currentTimeMillis(),
                start,
                api.kind());
        GatewayState state = this.state;
        String realmId = realm.getId();
        long timeoutMillis = config.upstreamTimeout().toMillis();
        // What the vendor answered is recorded whatever the caller does meanwhile: a caller that gives up does not
        // cancel this future (the caller's side gets a copy), and a stream is read to its end by its relay.
        CompletableFuture<Answer> answered = call.run(snapshot, ordered, request, api)
                .thenApply(o -> {
                    // A provider in error that answered with the organisation's key is healthy again.
                    if (o.success()
                            && !o.byok()
                            && o.chosen() != null
                            && snapshot.unhealthy(o.chosen().providerId())) {
                        state.recovery().answered(realmId, o.chosen().providerId());
                    }
                    if (!o.streamed()) {
                        limits.finished(o.usage());
                        state.record(CallMetrics.ended(
                                realmName, o, record.event(o, o.usage(), CallRecord.resultOf(o), o.usageEstimated())));
                        trace.end(o.status(), o.chosen(), o.usage(), false, o.attemptCount(), null);
                        return new Answer(o, null);
                    }
                    StreamRelay relay = new StreamRelay(
                            o.stream(),
                            o.translator(),
                            request.promptChars(),
                            Duration.ofMillis(timeoutMillis),
                            end -> {
                                limits.finished(end.usage());
                                state.record(CallMetrics.ended(
                                        realmName, o, record.event(o, end.usage(), end.result(), end.estimated())));
                                trace.end(
                                        o.status(),
                                        o.chosen(),
                                        end.usage(),
                                        end.estimated(),
                                        o.attemptCount(),
                                        end.result());
                            },
                            at -> metrics.firstByte(realmName, o.chosen().providerName(), at - start));
                    return new Answer(o, relay);
                });
        answered.whenComplete((a, failure) -> {
            if (failure != null) {
                limits.finished(null);
                trace.failed(failure);
            }
        });
        Uni<Answer> answer = Uni.createFrom()
                .completionStage(answered.thenApply(a -> a))
                .onCancellation()
                .invoke(() -> answered.thenAccept(a -> {
                    if (a.relay() != null) {
                        a.relay().callerLeft();
                    }
                }));
        return RestMulti.fromUniResponse(
                answer,
                a -> a.relay() == null
                        ? Multi.createFrom()
                                .item(
                                        a.outcome().success()
                                                ? a.outcome().body()
                                                : api.errorBody(
                                                        a.outcome().status(),
                                                        a.outcome().body()))
                        : a.relay().toCaller(),
                a -> headers(a.outcome(), start, realmName, limits),
                a -> a.outcome().status());
    }

    /** The vendor's answer, and the relay reading its stream (null when not streamed). */
    private record Answer(GatewayCall.Outcome outcome, StreamRelay relay) {}

    private static Map<String, List<String>> headers(
            GatewayCall.Outcome outcome, long startNanos, String realmName, CallLimits limits) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        limits.addHeaders(headers);
        headers.put("Content-Type", List.of(outcome.streamed() ? "text/event-stream" : MediaType.APPLICATION_JSON));
        if (outcome.streamed()) {
            headers.put("Cache-Control", List.of("no-cache"));
            headers.put("X-Accel-Buffering", List.of("no"));
        }
        if (outcome.chosen() != null) {
            headers.put(HEADER_PROVIDER, List.of(outcome.chosen().providerName()));
            headers.put(HEADER_MODEL, List.of(outcome.chosen().modelId()));
        }
        if (outcome.retryAfterSeconds() != null) {
            headers.put("Retry-After", List.of(Long.toString(outcome.retryAfterSeconds())));
            // OpenAI's SDKs read this one first.
            headers.put("retry-after-ms", List.of(Long.toString(outcome.retryAfterSeconds() * 1000)));
        }
        headers.put(HEADER_ATTEMPTS, List.of(Long.toString(outcome.attemptCount())));
        long overhead = System.nanoTime() - startNanos - outcome.upstreamNanos();
        GatewayMetrics.get().addedLatency(realmName, overhead);
        headers.put(HEADER_OVERHEAD, List.of(Long.toString(Math.max(0, overhead / 1_000_000))));
        return headers;
    }

    /**
     * Paths and methods this endpoint does not serve answer in OpenAI's error shape, as OpenAI does, rather than with
     * the server's plain 404/405, so SDKs show a readable message.
     */
    @GET
    @Path("chat/completions")
    @Produces(MediaType.APPLICATION_JSON)
    public Response chatCompletionsWrongMethod() {
        return wrongMethod("GET", "chat/completions", "POST");
    }

    @GET
    @Path("embeddings")
    @Produces(MediaType.APPLICATION_JSON)
    public Response embeddingsWrongMethod() {
        return wrongMethod("GET", "embeddings", "POST");
    }

    @POST
    @Path("models")
    @Produces(MediaType.APPLICATION_JSON)
    public Response modelsWrongMethod() {
        return wrongMethod("POST", "models", "GET");
    }

    @GET
    @Path("{path: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownGet(@PathParam("path") String path) {
        return unknownUrl("GET", path);
    }

    @POST
    @Path("{path: .+}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownPost(@PathParam("path") String path) {
        return unknownUrl("POST", path);
    }

    @PUT
    @Path("{path: .+}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownPut(@PathParam("path") String path) {
        return unknownUrl("PUT", path);
    }

    @DELETE
    @Path("{path: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownDelete(@PathParam("path") String path) {
        return unknownUrl("DELETE", path);
    }

    @PATCH
    @Path("{path: .+}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownPatch(@PathParam("path") String path) {
        return unknownUrl("PATCH", path);
    }

    private static Response unknownUrl(String method, String path) {
        // The path is quoted only when it looks like an API path: a key pasted into a URL stays out of the answer.
        String shown = path.length() <= 40 && path.matches("[a-z/_.-]+") ? "/v1/" + path : "this path";
        return OpenAiErrors.response(
                404,
                "invalid_request_error",
                "unknown_url",
                null,
                "Invalid URL (" + method + " " + shown
                        + "): this gateway serves POST /v1/chat/completions, POST /v1/embeddings, POST /v1/responses,"
                        + " GET /v1/models and GET /v1/models/{model}");
    }

    private static Response wrongMethod(String method, String path, String allowed) {
        return Response.fromResponse(OpenAiErrors.response(
                        405,
                        "invalid_request_error",
                        "method_not_allowed",
                        null,
                        method + " is not allowed on /v1/" + path + "; use " + allowed))
                .header("Allow", allowed)
                .build();
    }

    /** The models and aliases this caller may ask for, in OpenAI's list format, with what each can do. */
    @GET
    @Path("models")
    @Produces(MediaType.APPLICATION_JSON)
    public ModelList models() {
        return ModelList.of(modelEntries(authenticate()));
    }

    /**
     * One model or alias of the list ({@code models.retrieve} of the SDKs); ids may hold slashes
     * ({@code openai/gpt-4o-mini}). A model the caller may not use is not found, as OpenAI answers.
     */
    @GET
    @Path("models/{id: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response model(@PathParam("id") String id) {
        ModelList.Model model = modelEntries(authenticate()).get(id);
        if (model == null) {
            return OpenAiErrors.response(
                    404,
                    "invalid_request_error",
                    "model_not_found",
                    "model",
                    "The model " + SafeText.quote(id) + " does not exist or you do not have access to it.");
        }
        return Response.ok(model).build();
    }

    private Map<String, ModelList.Model> modelEntries(AuthenticationManager.AuthResult auth) {
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        return ModelList.entries(
                snapshot.all(Entitlements.levelOf(auth.user(), snapshot)),
                snapshot.rules().aliases());
    }

    /**
     * Reports a refusal as an admin event ({@link GatewayEvents}: refusal paths only) and returns the answer to throw.
     * Only 403s are the level's refusals: a model nobody offers (404) is not one. The model is a configured name here:
     * the level check found it offered.
     */
    private ErrorResponseException refused(
            ErrorResponseException answer,
            AuthenticationManager.AuthResult auth,
            GatewayEvents.Reason reason,
            String code,
            PowerLevel level,
            String model,
            Map<String, String> more) {
        if (answer.getResponse().getStatus() == 404) {
            return answer;
        }
        Map<String, String> details = new LinkedHashMap<>(more);
        details.put(GatewayEvents.CODE, code);
        details.put(GatewayEvents.POWER_LEVEL, level.name());
        details.put(GatewayEvents.MODEL, model);
        GatewayEvents.refused(session, realm, auth.user(), auth.token(), reason, details);
        return answer;
    }

    /** The caller's own keys (from this node's cache) and the organisation's. */
    private CallKeys callKeys(AuthenticationManager.AuthResult auth, ByokSettings settings, SecretCipher cipher) {
        UserModel user = auth.user();
        Map<String, SealedKey> own =
                state.userKeys().keysOf(session, realm.getId(), user.getId(), System.currentTimeMillis());
        if (own.isEmpty()) {
            return CallKeys.organization(cipher);
        }
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        String realmId = realm.getId();
        String userId = user.getId();
        UserKeyCache cache = state.userKeys();
        GatewayEvents.Reporter events = GatewayEvents.reporter(session, realm, user, auth.token());
        return CallKeys.of(cipher, own, settings, (key, error) -> {
            events.refused(
                    GatewayEvents.Reason.BYOK_KEY,
                    Map.of(
                            GatewayEvents.CODE,
                            "byok_key_rejected",
                            GatewayEvents.PROVIDER_TYPE,
                            key.providerType(),
                            GatewayEvents.KEY_HINT,
                            key.hint() == null ? "…" : key.hint(),
                            GatewayEvents.VENDOR_ANSWER,
                            error));
            if (cache.firstRefusal(key)) {
                try {
                    KeycloakModelUtils.runJobInTransaction(
                            factory,
                            s -> UserKeyService.recordRejection(s, realmId, userId, key.providerType(), error));
                } catch (RuntimeException e) {
                    LOG.warnf(
                            "LLM gateway: could not record a refused BYOK key of user %s: %s", userId, e.getMessage());
                }
            }
        });
    }

    /**
     * The caller of a gateway call, as {@link #authenticate(KeycloakSession)} finds them, with this node's recently
     * verified tokens ({@link VerifiedTokens}) sparing the signature check and the session lookup of repeated calls.
     * The user, the client and the not-before times are read on every call (Keycloak's caches); the realm's access rule
     * too.
     */
    private AuthenticationManager.AuthResult authenticate() {
        return authenticate(InboundApi.CHAT);
    }

    AuthenticationManager.AuthResult authenticate(InboundApi api) {
        VerifiedTokens tokens = state.tokens();
        String apiKey = api.tokenInApiKeyHeader() ? apiKeyToken() : null;
        AppAuthManager.AuthHeader header = null;
        if (tokens.enabled() && apiKey == null) {
            try {
                header = AppAuthManager.extractAuthorizationHeaderTokenOrReturnNull(
                        session.getContext().getRequestHeaders());
            } catch (RuntimeException e) {
                // More than one Authorization header: Keycloak's own check answers it, as before.
                header = null;
            }
        }
        String token;
        if (apiKey != null) {
            if (!tokens.enabled()) {
                return withAccess(session, verify(session, apiKey));
            }
            token = apiKey;
        } else if (header == null || !"Bearer".equalsIgnoreCase(header.getScheme())) {
            return authenticate(session);
        } else {
            token = header.getToken();
        }
        long now = System.currentTimeMillis();
        VerifiedTokens.Verified known = tokens.lookup(token, now);
        if (known != null) {
            AuthenticationManager.AuthResult auth = stillValid(known);
            if (auth != null) {
                GatewayMetrics.get().tokenCheck(true);
                return withAccess(session, auth);
            }
            tokens.forget(token);
        }
        AuthenticationManager.AuthResult auth = verify(session, apiKey);
        GatewayMetrics.get().tokenCheck(false);
        ClientModel client = auth.client();
        tokens.remember(
                token,
                realm.getId(),
                auth.user().getId(),
                client == null ? auth.token().getIssuedFor() : client.getClientId(),
                auth.token(),
                now);
        return withAccess(session, auth);
    }

    /**
     * A remembered verification, if its user and client are still there and enabled and no not-before (the realm's,
     * the client's, the user's) is later than the token.
     */
    private AuthenticationManager.AuthResult stillValid(VerifiedTokens.Verified known) {
        AccessToken token = known.token();
        long issuedAt = token.getIat() == null ? 0 : token.getIat();
        if (!known.realmId().equals(realm.getId()) || issuedAt < realm.getNotBefore()) {
            return null;
        }
        ClientModel client = known.clientId() == null ? null : realm.getClientByClientId(known.clientId());
        if (client == null || !client.isEnabled() || issuedAt < client.getNotBefore()) {
            return null;
        }
        UserModel user = session.users().getUserById(realm, known.userId());
        // The user's not-before is what an administrator's "Sign out" of the user sets.
        if (user == null || !user.isEnabled() || issuedAt < session.users().getNotBeforeOfUser(realm, user)) {
            return null;
        }
        session.getContext().setClient(client);
        session.getContext().setBearerToken(token);
        return new AuthenticationManager.AuthResult(user, null, token, client);
    }

    /**
     * The caller of a user-facing endpoint, by their access token: an OpenAI-style 401 without a valid one, a 403 when
     * the realm opens its gateway only to some callers ({@link GatewayAccess}) and this is not one of them.
     */
    static AuthenticationManager.AuthResult authenticate(KeycloakSession session) {
        return withAccess(session, verify(session));
    }

    /**
     * The access token sent as {@code x-api-key}, when the request has no {@code Authorization} header and one
     * {@code x-api-key}; else null.
     */
    private String apiKeyToken() {
        HttpHeaders headers = session.getContext().getRequestHeaders();
        List<String> authorization = headers.getRequestHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && !authorization.isEmpty()) {
            return null;
        }
        List<String> keys = headers.getRequestHeader("x-api-key");
        if (keys == null || keys.size() != 1 || keys.get(0).isBlank()) {
            return null;
        }
        return keys.get(0).trim();
    }

    /** Keycloak's full check of the bearer token: an OpenAI-style 401 without a valid one. */
    private static AuthenticationManager.AuthResult verify(KeycloakSession session) {
        return verify(session, null);
    }

    /**
     * Keycloak's full check of {@code token}, or of the request's bearer token when null: an OpenAI-style 401 without a
     * valid one.
     */
    private static AuthenticationManager.AuthResult verify(KeycloakSession session, String token) {
        AppAuthManager.BearerTokenAuthenticator authenticator = new AppAuthManager.BearerTokenAuthenticator(session);
        if (token != null) {
            authenticator.setTokenString(token);
        }
        AuthenticationManager.AuthResult auth = authenticator.authenticate();
        if (auth == null) {
            throw OpenAiErrors.unauthenticated();
        }
        return auth;
    }

    /** A 403 when the realm opens its gateway only to some callers ({@link GatewayAccess}) and this is not one. */
    private static AuthenticationManager.AuthResult withAccess(
            KeycloakSession session, AuthenticationManager.AuthResult auth) {
        RealmModel realm = session.getContext().getRealm();
        String refusal = GatewayAccess.of(realm).refusal(realm, auth.user(), auth.token());
        if (refusal != null) {
            throw OpenAiErrors.error(403, "permission_error", "gateway_access_denied", null, refusal);
        }
        return auth;
    }
}
