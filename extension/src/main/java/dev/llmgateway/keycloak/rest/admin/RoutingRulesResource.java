package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.llmgateway.keycloak.routing.RoutingRules;
import dev.llmgateway.keycloak.routing.RoutingRulesService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.events.admin.OperationType;

/** {@code /admin/realms/{realm}/llm/routing/rules}. */
public class RoutingRulesResource {

    private final AdminContext ctx;

    public RoutingRulesResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public RoutingRules get() {
        ctx.requireView();
        return new RoutingRulesService(ctx.session(), ctx.realm()).get();
    }

    /** {@code {"strategy":"cost"|"balanced"|"quality","aliases"?:{…},"retry"?:{…}}}, answered as the original console expects. */
    @PUT
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> update(InputStream body) {
        ctx.requireManage();
        RoutingRules rules = new RoutingRulesService(ctx.session(), ctx.realm()).update(ctx.body(body));
        ctx.event(OperationType.UPDATE, "LLM_ROUTING_RULES", rules, "llm", "routing", "rules");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", true);
        out.put("strategy", rules.strategy());
        out.put("rules", rules);
        return out;
    }
}
