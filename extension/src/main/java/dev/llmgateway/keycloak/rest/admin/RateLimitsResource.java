package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.RateLimits;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.powerlevel.PowerLevelService;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.provider.Providers;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.UserModel;

/**
 * {@code /admin/realms/{realm}/llm/limits}: the realm's rate limits in one view (levels, providers, and the clients and
 * users with limits of their own; users only for admins who may view users), and the per-client and per-user
 * overrides (a user's need view-users to read and manage-users to change, besides the realm roles). A level's limits are edited with the
 * level ({@code PUT /power-levels}), a provider's with the provider; an override replaces, kind by kind, the limit
 * of the caller's level (the user's over the client's).
 */
public class RateLimitsResource {

    static final int MAX_LISTED = 200;

    private final AdminContext ctx;

    public RateLimitsResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Overview get() {
        ctx.requireView();
        List<Scoped> levels = new PowerLevelService(ctx.session(), ctx.realm())
                .get().levels().stream()
                        .map(l -> new Scoped(l.id(), l.name(), RateLimits.of(l.limits())))
                        .toList();
        List<Scoped> providers = new ProviderService(ctx.session(), ctx.realm())
                .list().stream()
                        .map(p -> new Scoped(p.getId(), p.getName(), RateLimits.of(Providers.limits(p))))
                        .toList();
        List<Scoped> clients = ctx.realm()
                .getClientsStream()
                .map(c -> new Scoped(c.getClientId(), c.getName(), ofClient(c)))
                .filter(s -> !s.limits().isEmpty())
                .limit(MAX_LISTED)
                .toList();
        // Users are named only to admins who may see users (as the other views naming users); others get how many.
        List<String> withLimits = usersWithLimits();
        if (!ctx.auth().users().canView()) {
            return new Overview(levels, providers, clients, null, withLimits.size());
        }
        List<Scoped> users = new ArrayList<>();
        for (String id : withLimits) {
            UserModel u = ctx.session().users().getUserById(ctx.realm(), id);
            if (u != null) {
                users.add(new Scoped(u.getId(), u.getUsername(), ofUser(u)));
            }
        }
        return new Overview(levels, providers, clients, users, null);
    }

    @GET
    @Path("users/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public RateLimits user(@PathParam("id") String id) {
        ctx.requireView();
        ctx.auth().users().requireView();
        return ofUser(findUser(id));
    }

    /** {@code {"requests_per_minute": 600, …}}: the kinds given replace the level's for this user; {@code {}} clears. */
    @PUT
    @Path("users/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public RateLimits setUser(@PathParam("id") String id, InputStream body) {
        ctx.requireManage();
        ctx.auth().users().requireManage();
        UserModel user = findUser(id);
        RateLimits stored = store(read(body), user::setSingleAttribute, user::removeAttribute, () -> ofUser(user));
        ctx.event(OperationType.UPDATE, "LLM_RATE_LIMITS", stored, "llm", "limits", "users", user.getId());
        return stored;
    }

    @GET
    @Path("clients/{clientId}")
    @Produces(MediaType.APPLICATION_JSON)
    public RateLimits client(@PathParam("clientId") String clientId) {
        ctx.requireView();
        return ofClient(findClient(clientId));
    }

    /** As for a user; applies to every user calling through this client (their own override still wins). */
    @PUT
    @Path("clients/{clientId}")
    @Produces(MediaType.APPLICATION_JSON)
    public RateLimits setClient(@PathParam("clientId") String clientId, InputStream body) {
        ctx.requireManage();
        ClientModel client = findClient(clientId);
        RateLimits stored = store(read(body), client::setAttribute, client::removeAttribute, () -> ofClient(client));
        ctx.event(OperationType.UPDATE, "LLM_RATE_LIMITS", stored, "llm", "limits", "clients", client.getClientId());
        return stored;
    }

    private ObjectNode read(InputStream body) {
        return ctx.body(body);
    }

    /** Validates the whole body first, then sets each kind given and removes the others; answers what is stored. */
    private static RateLimits store(
            ObjectNode body, BiConsumer<String, String> set, Consumer<String> remove, Supplier<RateLimits> stored) {
        RateLimits limits = RateLimits.parse(body, "limits");
        write(RateLimits.REQUESTS_ATTRIBUTE, limits.requestsPerMinute(), set, remove);
        write(RateLimits.TOKENS_ATTRIBUTE, limits.tokensPerMinute(), set, remove);
        write(RateLimits.STREAMS_ATTRIBUTE, limits.concurrentStreams(), set, remove);
        return stored.get();
    }

    private static void write(String name, Number value, BiConsumer<String, String> set, Consumer<String> remove) {
        if (value == null) {
            remove.accept(name);
        } else {
            set.accept(name, value.toString());
        }
    }

    private UserModel findUser(String id) {
        UserModel user = SafeText.firstForbidden(id) >= 0 || id.length() > 36
                ? null
                : ctx.session().users().getUserById(ctx.realm(), id);
        if (user == null) {
            throw ApiErrors.notFound("no user " + SafeText.quote(id) + " in this realm");
        }
        return user;
    }

    private ClientModel findClient(String clientId) {
        ClientModel client = SafeText.firstForbidden(clientId) >= 0 || clientId.length() > 255
                ? null
                : ctx.realm().getClientByClientId(clientId);
        if (client == null) {
            throw ApiErrors.notFound("no client " + SafeText.quote(clientId) + " in this realm");
        }
        return client;
    }

    static RateLimits ofUser(UserModel u) {
        return RateLimits.ofAttributes(
                u.getFirstAttribute(RateLimits.REQUESTS_ATTRIBUTE),
                u.getFirstAttribute(RateLimits.TOKENS_ATTRIBUTE),
                u.getFirstAttribute(RateLimits.STREAMS_ATTRIBUTE));
    }

    static RateLimits ofClient(ClientModel c) {
        return RateLimits.ofAttributes(
                c.getAttribute(RateLimits.REQUESTS_ATTRIBUTE),
                c.getAttribute(RateLimits.TOKENS_ATTRIBUTE),
                c.getAttribute(RateLimits.STREAMS_ATTRIBUTE));
    }

    /** Users of the realm with an override (Keycloak's user attribute table, at most {@value #MAX_LISTED}). */
    @SuppressWarnings("unchecked")
    private List<String> usersWithLimits() {
        EntityManager em =
                ctx.session().getProvider(JpaConnectionProvider.class).getEntityManager();
        return em.createQuery("select distinct a.user.id from UserAttributeEntity a where a.user.realmId = :realm "
                        + "and a.name in (:names)")
                .setParameter("realm", ctx.realm().getId())
                .setParameter(
                        "names",
                        List.of(
                                RateLimits.REQUESTS_ATTRIBUTE,
                                RateLimits.TOKENS_ATTRIBUTE,
                                RateLimits.STREAMS_ATTRIBUTE))
                .setMaxResults(MAX_LISTED)
                .getResultList();
    }

    /** A level, provider, client or user with its limits ({@code {}} when none). */
    public record Scoped(
            @JsonProperty("id") String id,
            @JsonProperty("name") String name,
            @JsonProperty("limits") RateLimits limits) {}

    public record Overview(
            @JsonProperty("levels") List<Scoped> levels,
            @JsonProperty("providers") List<Scoped> providers,
            @JsonProperty("clients") List<Scoped> clients,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("users")
            List<Scoped> users,

            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("users_hidden")
            Integer usersHidden) {}
}
