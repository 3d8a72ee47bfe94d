package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.provider.ProviderInput;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.vendor.ConnectionResult;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/** {@code /admin/realms/{realm}/llm}: the entry point of the admin API; each feature mounts below it. */
public class LlmAdminResource {

    private final AdminContext ctx;

    public LlmAdminResource(
            KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent) {
        this.ctx = new AdminContext(session, realm, auth, adminEvent);
    }

    @Path("providers")
    public ProvidersResource providers() {
        return new ProvidersResource(ctx);
    }

    @Path("routing/rules")
    public RoutingRulesResource routingRules() {
        return new RoutingRulesResource(ctx);
    }

    @Path("byok")
    public ByokAdminResource byok() {
        return new ByokAdminResource(ctx);
    }

    @Path("access")
    public GatewayAccessResource access() {
        return new GatewayAccessResource(ctx);
    }

    @Path("budget-notices")
    public BudgetNoticesResource budgetNotices() {
        return new BudgetNoticesResource(ctx);
    }

    @Path("prices")
    public PricesResource prices() {
        return new PricesResource(ctx);
    }

    @Path("limits")
    public RateLimitsResource limits() {
        return new RateLimitsResource(ctx);
    }

    @Path("power-levels")
    public PowerLevelsResource powerLevels() {
        return new PowerLevelsResource(ctx);
    }

    /** The four cards of the admin page: providers, active models, calls and cost of the last 30 days, trends. */
    @GET
    @Path("stats")
    @Produces(MediaType.APPLICATION_JSON)
    public UsageAnswers.Stats stats() {
        return new UsageAdminResource(ctx).stats();
    }

    @Path("usage")
    public UsageAdminResource usage() {
        return new UsageAdminResource(ctx);
    }

    /** Tests a key before it is saved: {@code {"provider","api_key","base_url"?}}. Nothing is stored. */
    @POST
    @Path("test")
    @Produces(MediaType.APPLICATION_JSON)
    public ProvidersResource.TestOutcome testKey(InputStream body) {
        ctx.requireManage();
        ProviderInput in = ProviderInput.parse(ctx.body(body), true);
        ProviderService providers = new ProviderService(ctx.session(), ctx.realm());
        providers.requireAllowedBaseUrl(in.baseUrl());
        ctx.limitKeyTest();
        ConnectionResult result = providers.testKey(in.type(), in.baseUrl(), in.apiKey());
        return ProvidersResource.TestOutcome.of(result);
    }

    /** The provider types a provider can have: id, display name, brand colour, default base URL (none: required). */
    @GET
    @Path("provider-types")
    @Produces(MediaType.APPLICATION_JSON)
    public ProviderTypes providerTypes() {
        ctx.requireView();
        List<ProviderTypeView> types = Arrays.stream(ProviderType.values())
                .map(t -> new ProviderTypeView(t.id(), t.displayName(), t.color(), t.defaultBaseUrl()))
                .toList();
        return new ProviderTypes(types);
    }

    /** {@code GET /provider-types}. */
    public record ProviderTypes(@JsonProperty("types") List<ProviderTypeView> types) {}

    /** One provider type; {@code default_base_url} absent: the type needs a base URL ({@code custom}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProviderTypeView(
            @JsonProperty("id") String id,
            @JsonProperty("name") String name,
            @JsonProperty("color") String color,
            @JsonProperty("default_base_url") String defaultBaseUrl) {}

    /** Every model of every provider in the realm, with effective prices. */
    @GET
    @Path("models")
    @Produces(MediaType.APPLICATION_JSON)
    public ModelList models() {
        ctx.requireView();
        List<ModelView> models = new ProviderService(ctx.session(), ctx.realm()).allModels();
        return new ModelList(models, models.size());
    }

    /** {@code GET /models}: every model of every provider in the realm, in provider order, then by model id. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelList(
            @JsonProperty("models") List<ModelView> models,
            @JsonProperty("total") int total) {}
}
