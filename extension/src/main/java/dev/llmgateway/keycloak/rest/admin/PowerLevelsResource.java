package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.powerlevel.PowerLevelService;
import dev.llmgateway.keycloak.powerlevel.PowerLevels;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.events.admin.OperationType;

/** {@code /admin/realms/{realm}/llm/power-levels}. */
public class PowerLevelsResource {

    private final AdminContext ctx;

    public PowerLevelsResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public PowerLevels get() {
        ctx.requireView();
        return new PowerLevelService(ctx.session(), ctx.realm()).get();
    }

    /** Replaces the realm's levels: {@code {"levels":[…lowest first…],"default":"<id>"}}. */
    @PUT
    @Produces(MediaType.APPLICATION_JSON)
    public PowerLevelsSaved replace(InputStream body) {
        ctx.requireManage();
        PowerLevels levels = new PowerLevelService(ctx.session(), ctx.realm()).replace(ctx.body(body));
        ctx.event(OperationType.UPDATE, "LLM_POWER_LEVELS", levels, "llm", "power-levels");
        return new PowerLevelsSaved(true, levels.levels(), levels.defaultLevel());
    }

    /** The levels as stored (lowest first) and the default level's id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PowerLevelsSaved(
            @JsonProperty("success") boolean success,
            @JsonProperty("levels") List<PowerLevel> levels,
            @JsonProperty("default") String defaultLevel) {}
}
