package dev.llmgateway.keycloak.rest.realm;

import java.io.InputStream;

import dev.llmgateway.keycloak.gateway.GatewayState;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;

/** {@code /realms/{realm}/llm}: the user- and service-facing entry point; the gateway lives under {@code v1}. */
public class LlmRealmResource {

    private final KeycloakSession session;
    private final GatewayState state;

    public LlmRealmResource(KeycloakSession session, GatewayState state) {
        this.session = session;
        this.state = state;
    }

    @Path("v1")
    public GatewayResource gateway() {
        return new GatewayResource(session, session.getContext().getRealm(), state);
    }

    /** Anthropic's Messages API, for Claude Code and the Anthropic SDKs. */
    @Path("anthropic/v1")
    public AnthropicResource anthropic() {
        return new AnthropicResource(session, session.getContext().getRealm(), state);
    }

    @Path("me")
    public MeResource me() {
        return new MeResource(session, session.getContext().getRealm(), state);
    }

    @POST
    @Path("route")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Route route(InputStream body) {
        return serviceApi().route(body);
    }

    @POST
    @Path("usage/events")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response reportUsage(InputStream body) {
        return serviceApi().reportUsage(body);
    }

    private ServiceApiResource serviceApi() {
        return new ServiceApiResource(session, session.getContext().getRealm(), state);
    }
}
