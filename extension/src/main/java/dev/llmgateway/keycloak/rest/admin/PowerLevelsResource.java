package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.powerlevel.PowerLevelResolver;
import dev.llmgateway.keycloak.powerlevel.PowerLevelService;
import dev.llmgateway.keycloak.powerlevel.PowerLevels;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
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

    /**
     * Per level: how many users have it set on themselves and how many groups carry it (members inherit it). Users with
     * neither get the default level; they are not counted (that would mean resolving every user).
     */
    @GET
    @Path("assignments")
    @Produces(MediaType.APPLICATION_JSON)
    public Assignments assignments() {
        ctx.requireView();
        PowerLevels levels = new PowerLevelService(ctx.session(), ctx.realm()).get();
        Map<String, Assignment> out = new LinkedHashMap<>();
        for (PowerLevel level : levels.levels()) {
            long users = ctx.session()
                    .users()
                    .searchForUserByUserAttributeStream(ctx.realm(), PowerLevelResolver.ATTRIBUTE, level.id())
                    .count();
            long groups = ctx.session()
                    .groups()
                    .searchGroupsByAttributes(ctx.realm(), Map.of(PowerLevelResolver.ATTRIBUTE, level.id()), null, null)
                    .count();
            out.put(level.id(), new Assignment(users, groups));
        }
        return new Assignments(out, levels.defaultLevel());
    }

    /** {@code GET /power-levels/assignments}: level id → users and groups that name it. */
    public record Assignments(
            @JsonProperty("levels") Map<String, Assignment> levels,
            @JsonProperty("default") String defaultLevel) {}

    /** Users with the level set on themselves; groups that carry it. */
    public record Assignment(
            @JsonProperty("users") long users,
            @JsonProperty("groups") long groups) {}

    /** The levels as stored (lowest first) and the default level's id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PowerLevelsSaved(
            @JsonProperty("success") boolean success,
            @JsonProperty("levels") List<PowerLevel> levels,
            @JsonProperty("default") String defaultLevel) {}
}
