package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

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
    public Map<String, Object> replace(InputStream body) {
        ctx.requireManage();
        PowerLevels levels = new PowerLevelService(ctx.session(), ctx.realm()).replace(ctx.body(body));
        ctx.event(OperationType.UPDATE, "LLM_POWER_LEVELS", levels, "llm", "power-levels");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", true);
        out.put("levels", levels.levels());
        out.put("default", levels.defaultLevel());
        return out;
    }
}
