package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
    public RoutingRulesSaved update(InputStream body) {
        ctx.requireManage();
        RoutingRules rules = new RoutingRulesService(ctx.session(), ctx.realm()).update(ctx.body(body));
        ctx.event(OperationType.UPDATE, "LLM_ROUTING_RULES", rules, "llm", "routing", "rules");
        return new RoutingRulesSaved(true, rules.strategy(), rules);
    }

    /** The rules now in force, with their strategy repeated at the top as the original console reads it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoutingRulesSaved(
            @JsonProperty("success") boolean success,
            @JsonProperty("strategy") String strategy,
            @JsonProperty("rules") RoutingRules rules) {}
}
