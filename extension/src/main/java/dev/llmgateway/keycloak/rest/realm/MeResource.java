package dev.llmgateway.keycloak.rest.realm;

import java.math.BigDecimal;
import java.util.TreeSet;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.gateway.Entitlements;
import dev.llmgateway.keycloak.gateway.GatewayState;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
import dev.llmgateway.keycloak.usage.Budgets;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/** {@code /realms/{realm}/llm/me}: the caller's own power level, budget, spend this month and usable models. */
public class MeResource {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final GatewayState state;

    MeResource(KeycloakSession session, RealmModel realm, GatewayState state) {
        this.session = session;
        this.realm = realm;
        this.state = state;
    }

    @Path("keys")
    public MeKeysResource keys() {
        return new MeKeysResource(session, realm, state);
    }

    @Path("usage")
    public MeUsageResource usage() {
        return new MeUsageResource(session, realm);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Me me() {
        UserModel user = GatewayResource.authenticate(session).user();
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        PowerLevel level = Entitlements.levelOf(user, snapshot);
        long now = System.currentTimeMillis();
        BigDecimal spent = Budgets.read(session, realm.getId(), user.getId(), Budgets.month(now));
        TreeSet<String> models = new TreeSet<>();
        for (Candidate c : snapshot.all(level)) {
            models.add(c.modelId());
        }
        return new Me(
                new Me.User(user.getId(), user.getUsername()),
                Me.Level.of(level),
                Me.Budget.of(level.monthlyBudget(), spent, now),
                models);
    }
}
