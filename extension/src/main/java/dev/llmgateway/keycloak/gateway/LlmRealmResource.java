package dev.llmgateway.keycloak.gateway;

import jakarta.ws.rs.Path;
import org.keycloak.models.KeycloakSession;

/** {@code /realms/{realm}/llm}: the user-facing entry point; the gateway lives under {@code v1}. */
public class LlmRealmResource {

    private final KeycloakSession session;
    private final GatewayState state;

    LlmRealmResource(KeycloakSession session, GatewayState state) {
        this.session = session;
        this.state = state;
    }

    @Path("v1")
    public GatewayResource gateway() {
        return new GatewayResource(session, session.getContext().getRealm(), state);
    }
}
