package dev.llmgateway.keycloak.rest.realm;

import java.io.InputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.JsonBodies;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.gateway.Entitlements;
import dev.llmgateway.keycloak.gateway.GatewayState;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
import dev.llmgateway.keycloak.usage.Pricing;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * For services that route by themselves: the routing decision a call would get ({@code POST /route}) and reports of
 * calls made elsewhere ({@code POST /usage/events}). Both need the realm role {@value #SERVICE_ROLE} in the token.
 */
public class ServiceApiResource {

    /** The realm role a client's service account needs for these endpoints. */
    public static final String SERVICE_ROLE = "llm-service";

    static final int MAX_EVENTS = 1000;
    private static final long MAX_AGE_MILLIS = 35L * 24 * 3600 * 1000;
    private static final long MAX_CLOCK_SKEW_MILLIS = 5L * 60 * 1000;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GatewayState state;

    ServiceApiResource(KeycloakSession session, RealmModel realm, GatewayState state) {
        this.session = session;
        this.realm = realm;
        this.state = state;
    }

    /**
     * {@code {"model","user_id"?}}: the ordered candidates a gateway call for that model would try now, without keys,
     * within the power level of the user named (else of the calling service account).
     */
    public Route route(InputStream body) {
        AuthenticationManager.AuthResult auth = requireServiceRole();
        ObjectNode json = JsonBodies.readObject(
                body, session.getProvider(LlmGatewayConfig.class).maxBodyBytes());
        String model = text(json, "model", true);
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        String userId = text(json, "user_id", false);
        UserModel user = auth.user();
        if (userId != null) {
            user = session.users().getUserById(realm, userId);
            if (user == null) {
                throw ApiErrors.badRequest(
                        "user_id", "no user " + SafeText.quote(userId) + " in realm " + realm.getName());
            }
        }
        if (snapshot.orderedCandidatesFor(model).isEmpty()) {
            throw ApiErrors.notFound(
                    "no provider offers model " + SafeText.quote(model) + " in realm " + realm.getName());
        }
        PowerLevel level = Entitlements.levelOf(user, snapshot);
        List<Candidate> candidates = snapshot.orderedCandidatesFor(model, level);
        if (candidates.isEmpty()) {
            throw ApiErrors.error(
                    Response.Status.FORBIDDEN,
                    "model",
                    "model " + SafeText.quote(model) + " is above the power level '"
                            + level.name() + "' of " + (userId != null ? "user " + userId : "this service account")
                            + " ("
                            + Entitlements.reach(level) + ")");
        }
        long now = System.currentTimeMillis();
        List<Route.RouteCandidate> out = new ArrayList<>();
        for (Candidate c : candidates) {
            ProviderEndpoint e = snapshot.endpoint(c.providerId());
            out.add(Route.RouteCandidate.of(c, e.baseUrl(), state.cooldowns().isCoolingDown(c.providerId(), now)));
        }
        return new Route(
                model,
                snapshot.rules().routingStrategy().id(),
                snapshot.rules().retry().maxAttempts(),
                out);
    }

    /**
     * {@code {"events":[{"model","provider_id"?,"user_id"?,"prompt_tokens","completion_tokens","cached_tokens"?,
     * "reasoning_tokens"?,"status"?,"latency_ms"?,"timestamp"?,"byok"?}]}}. Costs come from the realm's prices.
     * All events are checked before any is accepted.
     */
    public Response reportUsage(InputStream body) {
        AuthenticationManager.AuthResult auth = requireServiceRole();
        ObjectNode json = JsonBodies.readObject(
                body, session.getProvider(LlmGatewayConfig.class).maxBodyBytes());
        JsonNode events = json.get("events");
        if (events == null || !events.isArray() || events.isEmpty()) {
            throw ApiErrors.badRequest("events", "events must be a non-empty array");
        }
        if (events.size() > MAX_EVENTS) {
            throw ApiErrors.badRequest("events", "at most " + MAX_EVENTS + " events per request");
        }
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        long now = Time.currentTimeMillis();
        String clientId = auth.token().getIssuedFor();
        List<UsageEvent> accepted = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            accepted.add(event(events.get(i), "events[" + i + "]", snapshot, now, clientId));
        }
        accepted.forEach(state::record);
        return Response.accepted(new UsageAccepted(true, accepted.size()))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    private UsageEvent event(JsonNode e, String at, RoutingSnapshot snapshot, long now, String clientId) {
        if (!e.isObject()) {
            throw ApiErrors.badRequest(at, at + " must be an object");
        }
        Iterator<String> names = e.fieldNames();
        Set<String> known = Set.of(
                "model",
                "provider_id",
                "user_id",
                "prompt_tokens",
                "completion_tokens",
                "cached_tokens",
                "cache_write_tokens",
                "reasoning_tokens",
                "status",
                "latency_ms",
                "timestamp",
                "byok");
        while (names.hasNext()) {
            String f = names.next();
            if (!known.contains(f)) {
                throw ApiErrors.unknownField(
                        at + ".", f, String.join(", ", known.stream().sorted().toList()));
            }
        }
        String model = text(e, "model", true, at);
        String providerId = text(e, "provider_id", false, at);
        Candidate priced = null;
        for (Candidate c : snapshot.candidatesFor(model)) {
            if (c.modelId().equals(model)
                    && (providerId == null || c.providerId().equals(providerId))) {
                priced = c;
                break;
            }
        }
        if (providerId != null && priced == null) {
            throw ApiErrors.badRequest(
                    at + ".provider_id",
                    "provider " + SafeText.quote(providerId) + " does not offer model " + SafeText.quote(model));
        }
        String userId = text(e, "user_id", false, at);
        String level = null;
        if (userId != null) {
            UserModel user = session.users().getUserById(realm, userId);
            if (user == null) {
                throw ApiErrors.badRequest(
                        at + ".user_id", "no user " + SafeText.quote(userId) + " in realm " + realm.getName());
            }
            level = Entitlements.levelOf(user, snapshot).id();
        }
        long prompt = count(e, "prompt_tokens", at, true);
        long completion = count(e, "completion_tokens", at, true);
        long cached = count(e, "cached_tokens", at, false);
        if (cached > prompt) {
            throw ApiErrors.badRequest(at + ".cached_tokens", "cached_tokens cannot exceed prompt_tokens");
        }
        long cacheWrite = count(e, "cache_write_tokens", at, false);
        if (cached + cacheWrite > prompt) {
            throw ApiErrors.badRequest(
                    at + ".cache_write_tokens", "cached_tokens + cache_write_tokens cannot exceed prompt_tokens");
        }
        long reasoning = count(e, "reasoning_tokens", at, false);
        int status = (int) (e.has("status") ? bounded(e, "status", at, 100, 599) : 200);
        long latency = e.has("latency_ms") ? bounded(e, "latency_ms", at, 0, 86_400_000L) : 0;
        long timestamp = e.has("timestamp")
                ? bounded(e, "timestamp", at, now - MAX_AGE_MILLIS, now + MAX_CLOCK_SKEW_MILLIS)
                : now;
        boolean byok = false;
        if (e.has("byok")) {
            if (!e.get("byok").isBoolean()) {
                throw ApiErrors.badRequest(at + ".byok", "byok must be true or false");
            }
            byok = e.get("byok").booleanValue();
        }
        Usage usage = new Usage(prompt, completion, cached, reasoning, cacheWrite);
        BigDecimal cost = priced == null ? null : Pricing.cost(usage, priced);
        return new UsageEvent(
                KeycloakModelUtils.generateId(),
                realm.getId(),
                userId,
                clientId,
                UsageEvent.SOURCE_REPORTED,
                priced == null ? null : priced.providerId(),
                priced == null ? null : priced.providerType(),
                model,
                model,
                level,
                byok,
                false,
                usage,
                cost,
                status,
                status < 400 ? "ok" : "error",
                1,
                latency,
                timestamp);
    }

    private AuthenticationManager.AuthResult requireServiceRole() {
        AuthenticationManager.AuthResult auth = new AppAuthManager.BearerTokenAuthenticator(session).authenticate();
        if (auth == null) {
            throw ApiErrors.error(Response.Status.UNAUTHORIZED, null, "missing, invalid or expired access token");
        }
        AccessToken.Access realmAccess = auth.token().getRealmAccess();
        if (realmAccess == null || !realmAccess.isUserInRole(SERVICE_ROLE)) {
            throw ApiErrors.error(
                    Response.Status.FORBIDDEN,
                    null,
                    "this endpoint needs the realm role '" + SERVICE_ROLE + "' in the access token");
        }
        return auth;
    }

    private static String text(JsonNode json, String field, boolean required) {
        return text(json, field, required, null);
    }

    private static String text(JsonNode json, String field, boolean required, String at) {
        String name = at == null ? field : at + "." + field;
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiErrors.badRequest(name, name + " is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > 255) {
            throw ApiErrors.badRequest(name, name + " must be a non-empty string of at most 255 characters");
        }
        return v.asText();
    }

    private static long count(JsonNode e, String field, String at, boolean required) {
        if (!e.has(field)) {
            if (required) {
                throw ApiErrors.badRequest(at + "." + field, at + "." + field + " is required");
            }
            return 0;
        }
        return bounded(e, field, at, 0, 100_000_000L);
    }

    private static long bounded(JsonNode e, String field, String at, long min, long max) {
        JsonNode v = e.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiErrors.badRequest(
                    at + "." + field, at + "." + field + " must be a whole number between " + min + " and " + max);
        }
        return v.longValue();
    }
}
