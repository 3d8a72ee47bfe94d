package dev.llmgateway.keycloak.rest.realm;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Decimals;
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
    public Map<String, Object> me() {
        UserModel user = GatewayResource.authenticate(session).user();
        RoutingSnapshot snapshot = state.snapshots().get(session, realm);
        PowerLevel level = Entitlements.levelOf(user, snapshot);
        long now = System.currentTimeMillis();
        int month = Budgets.month(now);
        BigDecimal spent = Budgets.read(session, realm.getId(), user.getId(), month);

        Map<String, Object> powerLevel = new LinkedHashMap<>();
        powerLevel.put("id", level.id());
        powerLevel.put("name", level.name());
        powerLevel.put("description", level.description());
        powerLevel.put("color", level.color());
        powerLevel.put("price_ceiling", level.priceCeiling());
        powerLevel.put("models", level.models());

        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("currency", "USD");
        budget.put("month", String.format("%04d-%02d", month / 100, month % 100));
        budget.put("monthly_budget", level.monthlyBudget());
        budget.put("spent", Decimals.plain(spent));
        budget.put("remaining", level.monthlyBudget() == null ? null
                : Decimals.plain(level.monthlyBudget().subtract(spent).max(BigDecimal.ZERO)));
        budget.put("exhausted", level.monthlyBudget() != null && spent.compareTo(level.monthlyBudget()) >= 0);
        budget.put("resets_on", Budgets.resetDate(now).toString());

        TreeSet<String> models = new TreeSet<>();
        for (Candidate c : snapshot.all(level)) {
            models.add(c.modelId());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", Map.of("id", user.getId(), "username", user.getUsername()));
        out.put("power_level", powerLevel);
        out.put("budget", budget);
        out.put("models", models);
        return out;
    }
}
