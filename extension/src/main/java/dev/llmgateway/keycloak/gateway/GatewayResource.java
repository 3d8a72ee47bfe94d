package dev.llmgateway.keycloak.gateway;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.routing.Candidate;
import dev.llmgateway.keycloak.routing.CandidateOrder;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

/** {@code /realms/{realm}/llm/v1}: the OpenAI-compatible endpoint, authenticated with the caller's access token. */
public class GatewayResource {

    static final String HEADER_PROVIDER = "X-LLM-Provider";
    static final String HEADER_MODEL = "X-LLM-Model";
    static final String HEADER_ATTEMPTS = "X-LLM-Attempts";
    static final String HEADER_OVERHEAD = "X-LLM-Overhead-Ms";

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GatewayState state;

    GatewayResource(KeycloakSession session, RealmModel realm, GatewayState state) {
        this.session = session;
        this.realm = realm;
        this.state = state;
    }

    @POST
    @Path("chat/completions")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response chatCompletions(InputStream body) {
        long start = System.nanoTime();
        AuthenticationManager.AuthResult auth = authenticate();
        LlmGatewayConfig config = session.getProvider(LlmGatewayConfig.class);
        ChatRequest request = ChatRequest.read(body, config.gatewayMaxBodyBytes());
        if (request.stream()) {
            throw OpenAiErrors.invalidRequest("stream", "Streamed responses (stream: true) are not available in this version of the gateway yet");
        }
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        List<Candidate> candidates = state.filter().allowed(realm, auth.user(), snapshot.candidatesFor(request.model()));
        if (candidates.isEmpty()) {
            throw OpenAiErrors.error(404, "invalid_request_error", "model_not_found", "model",
                    "The model '" + abbreviate(request.model()) + "' does not exist or you do not have access to it.");
        }
        List<Candidate> ordered = CandidateOrder.sort(candidates, snapshot.rules().routingStrategy());
        GatewayCall.Outcome outcome = new GatewayCall(state.http(), state.cooldowns(),
                e -> config.cipher(realm).decrypt(e.sealedKey(), e.keyContext()), config.upstreamTimeout())
                .run(snapshot, ordered, request);

        long overheadMs = Math.max(0, (System.nanoTime() - start - outcome.upstreamNanos()) / 1_000_000);
        Response.ResponseBuilder response;
        if (outcome.success()) {
            response = Response.ok(outcome.result().response(), MediaType.APPLICATION_JSON_TYPE);
        } else {
            response = Response.fromResponse(OpenAiErrors.response(outcome.status(), outcome.errorType(), outcome.errorCode(),
                    null, outcome.errorMessage()));
            if (outcome.retryAfterSeconds() != null) {
                response.header("Retry-After", outcome.retryAfterSeconds());
            }
        }
        if (outcome.chosen() != null) {
            response.header(HEADER_PROVIDER, outcome.chosen().providerName()).header(HEADER_MODEL, outcome.chosen().modelId());
        }
        return response.header(HEADER_ATTEMPTS, outcome.attempts().stream().filter(a -> !a.outcome().startsWith("skipped")).count())
                .header(HEADER_OVERHEAD, overheadMs).build();
    }

    /** The models and aliases this caller may ask for, in OpenAI's list format. */
    @GET
    @Path("models")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> models() {
        AuthenticationManager.AuthResult auth = authenticate();
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        List<Candidate> allowed = state.filter().allowed(realm, auth.user(), snapshot.all());
        List<Map<String, Object>> data = new ArrayList<>();
        Map<String, String> owners = new LinkedHashMap<>();
        allowed.forEach(c -> owners.putIfAbsent(c.modelId(), c.providerType()));
        snapshot.rules().aliases().forEach((alias, models) -> {
            if (models.stream().anyMatch(owners::containsKey)) {
                owners.putIfAbsent(alias, "alias");
            }
        });
        if (!allowed.isEmpty()) {
            owners.putIfAbsent(RoutingSnapshot.AUTO, "alias");
        }
        owners.forEach((id, owner) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", owner);
            data.add(m);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", data);
        return out;
    }

    private AuthenticationManager.AuthResult authenticate() {
        AuthenticationManager.AuthResult auth = new AppAuthManager.BearerTokenAuthenticator(session).authenticate();
        if (auth == null) {
            throw OpenAiErrors.unauthenticated();
        }
        return auth;
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "…" : s;
    }
}
