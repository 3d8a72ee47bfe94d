package dev.llmgateway.keycloak.rest.realm;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.gateway.CountTokensApi;
import dev.llmgateway.keycloak.gateway.Entitlements;
import dev.llmgateway.keycloak.gateway.GatewayState;
import dev.llmgateway.keycloak.gateway.MessagesApi;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestMulti;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * {@code /realms/{realm}/llm/anthropic/v1}: Anthropic's Messages API, for Claude Code ({@code ANTHROPIC_BASE_URL} set
 * to {@code …/llm/anthropic}, the access token as {@code ANTHROPIC_AUTH_TOKEN} or {@code ANTHROPIC_API_KEY}) and the
 * Anthropic SDKs. Messages go through the gateway's one pipeline ({@link MessagesApi}); errors are in Anthropic's shape.
 */
public class AnthropicResource {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GatewayState state;

    AnthropicResource(KeycloakSession session, RealmModel realm, GatewayState state) {
        this.session = session;
        this.realm = realm;
        this.state = state;
    }

    private GatewayResource gateway() {
        return new GatewayResource(session, realm, state);
    }

    private String beta() {
        return session.getContext().getRequestHeaders().getHeaderString("anthropic-beta");
    }

    /** {@code POST /v1/messages}, streamed or not. */
    @POST
    @Path("messages")
    @Consumes(MediaType.WILDCARD)
    public RestMulti<byte[]> messages(InputStream body) {
        MessagesApi api = new MessagesApi(beta());
        return gateway().serve(api, api::read, body);
    }

    /**
     * {@code POST /v1/messages/count_tokens}: passed through to an Anthropic provider serving the model, which the
     * caller's level must reach; free, so not recorded ({@link CountTokensApi}).
     */
    @POST
    @Path("messages/count_tokens")
    @Consumes(MediaType.WILDCARD)
    public RestMulti<byte[]> countTokens(InputStream body) {
        GatewayResource gateway = gateway();
        MessagesApi caller = new MessagesApi(beta());
        CountTokensApi api;
        RoutingSnapshot snapshot;
        List<Candidate> candidates;
        LlmGatewayConfig config = session.getProvider(LlmGatewayConfig.class);
        try {
            AuthenticationManager.AuthResult auth = gateway.authenticate(caller);
            api = CountTokensApi.read(body, config.gatewayMaxBodyBytes(), beta());
            snapshot = state.snapshots().get(session, realm);
            PowerLevel level = Entitlements.levelOf(auth.user(), snapshot);
            candidates = Entitlements.candidates(snapshot, level, api.model(), api);
        } catch (ErrorResponseException e) {
            throw GatewayResource.inShapeOf(caller, e);
        }
        CompletableFuture<CountTokensApi.Counted> counted = api.count(
                state.http(),
                snapshot,
                candidates,
                state.cooldowns(),
                config.cipher(realm),
                config.outboundPolicy(),
                config.upstreamTimeout());
        return RestMulti.fromUniResponse(
                Uni.createFrom().completionStage(counted),
                c -> Multi.createFrom().item(c.body()),
                c -> {
                    Map<String, List<String>> headers = new LinkedHashMap<>();
                    headers.put("Content-Type", List.of(MediaType.APPLICATION_JSON));
                    if (c.chosen() != null) {
                        headers.put(
                                GatewayResource.HEADER_PROVIDER,
                                List.of(c.chosen().providerName()));
                        headers.put(
                                GatewayResource.HEADER_MODEL, List.of(c.chosen().modelId()));
                    }
                    return headers;
                },
                CountTokensApi.Counted::status);
    }

    @GET
    @Path("messages")
    @Produces(MediaType.APPLICATION_JSON)
    public Response messagesWrongMethod() {
        return Response.fromResponse(MessagesApi.errorResponse(405, "GET is not allowed on /v1/messages; use POST"))
                .header("Allow", "POST")
                .build();
    }

    @GET
    @Path("{path: .*}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownGet(@PathParam("path") String path) {
        return unknownUrl("GET", path);
    }

    @POST
    @Path("{path: .*}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownPost(@PathParam("path") String path) {
        return unknownUrl("POST", path);
    }

    @PUT
    @Path("{path: .*}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownPut(@PathParam("path") String path) {
        return unknownUrl("PUT", path);
    }

    @DELETE
    @Path("{path: .*}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownDelete(@PathParam("path") String path) {
        return unknownUrl("DELETE", path);
    }

    @PATCH
    @Path("{path: .*}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unknownPatch(@PathParam("path") String path) {
        return unknownUrl("PATCH", path);
    }

    private static Response unknownUrl(String method, String path) {
        // The path is quoted only when it looks like an API path: a key pasted into a URL stays out of the answer.
        String shown = path.length() <= 40 && path.matches("[a-z/_.-]*") ? "/v1/" + path : "this path";
        return MessagesApi.errorResponse(
                404,
                "Not found (" + method + " " + shown
                        + "): this gateway serves Anthropic's POST /v1/messages and POST /v1/messages/count_tokens");
    }
}
