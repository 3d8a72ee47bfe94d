package dev.llmgateway.keycloak.rest.realm;

import java.io.InputStream;
import java.util.List;
import java.util.function.Supplier;

import dev.llmgateway.keycloak.byok.KeyTestResult;
import dev.llmgateway.keycloak.byok.UserKey;
import dev.llmgateway.keycloak.byok.UserKeyService;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.JsonBodies;
import dev.llmgateway.keycloak.crypto.SecretGuard;
import dev.llmgateway.keycloak.gateway.GatewayState;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * {@code /realms/{realm}/llm/me/keys}: the caller's own provider keys (BYOK), by their access token. There is no way
 * to name another user: every method acts on the token's subject.
 */
public class MeKeysResource {

    private static final Logger LOG = Logger.getLogger(MeKeysResource.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GatewayState state;

    MeKeysResource(KeycloakSession session, RealmModel realm, GatewayState state) {
        this.session = session;
        this.realm = realm;
        this.state = state;
    }

    /** One row per provider type the realm takes keys for: set or not, hint, created, last used, last test. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<UserKey> list() {
        return service(caller()).list();
    }

    @PUT
    @Path("{type}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public UserKey put(@PathParam("type") String type, InputStream body) {
        UserModel user = caller();
        var json = JsonBodies.readObject(
                body, session.getProvider(LlmGatewayConfig.class).maxBodyBytes());
        UserKey out = withSecrets(() -> service(user).put(type, json));
        state.userKeys().forget(realm.getId(), user.getId());
        LOG.infof("LLM gateway: user %s stored their own %s key in realm %s", user.getId(), type, realm.getName());
        return out;
    }

    @DELETE
    @Path("{type}")
    public Response delete(@PathParam("type") String type) {
        UserModel user = caller();
        service(user).delete(type);
        state.userKeys().forget(realm.getId(), user.getId());
        LOG.infof("LLM gateway: user %s deleted their own %s key in realm %s", user.getId(), type, realm.getName());
        return Response.noContent().build();
    }

    /** A real list-models call through the realm's provider of the type, with the caller's key. */
    @POST
    @Path("{type}/test")
    @Produces(MediaType.APPLICATION_JSON)
    public KeyTestResult test(@PathParam("type") String type) {
        UserModel user = caller();
        return withSecrets(() -> service(user).test(type));
    }

    private UserModel caller() {
        return GatewayResource.authenticate(session).user();
    }

    private UserKeyService service(UserModel user) {
        return new UserKeyService(session, realm, user);
    }

    private <T> T withSecrets(Supplier<T> action) {
        return SecretGuard.run(realm, false, action);
    }
}
