package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderInput;
import dev.llmgateway.keycloak.provider.ProviderRepresentation;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.provider.Providers;
import dev.llmgateway.keycloak.vendor.ConnectionResult;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.admin.OperationType;

/** {@code /admin/realms/{realm}/llm/providers}. */
public class ProvidersResource {

    static final String EVENT_RESOURCE = "LLM_PROVIDER";

    private final AdminContext ctx;

    public ProvidersResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ProviderList list() {
        ctx.requireView();
        ProviderService service = new ProviderService(ctx.session(), ctx.realm());
        Map<String, List<ModelView>> models = new LinkedHashMap<>();
        service.allModels()
                .forEach(m -> models.computeIfAbsent(m.providerId(), k -> new ArrayList<>())
                        .add(m));
        List<ProviderRepresentation> providers = service.list().stream()
                .map(p -> Providers.toRepresentation(p, models.getOrDefault(p.getId(), List.of()), false))
                .toList();
        return new ProviderList(providers, providers.size());
    }

    /**
     * Creates a provider: {@code {"type","apiKey","priority"?,"autoFallback"?,"enabled"?,"models"?,"name"?,"baseUrl"?}}. The key is
     * tested against the vendor first (its outcome becomes the status); the provider is saved either way.
     */
    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(InputStream body) {
        ctx.requireManage();
        ProviderInput in = ProviderInput.parse(ctx.body(body), true);
        ProviderService service = new ProviderService(ctx.session(), ctx.realm());
        LlmProviderEntity created = ctx.withSecrets(() -> service.create(in));
        ProviderRepresentation rep = service.represent(created, false);
        ctx.event(OperationType.CREATE, EVENT_RESOURCE, rep, "llm", "providers", created.getId());
        return Response.status(Response.Status.CREATED)
                .location(ctx.session()
                        .getContext()
                        .getUri()
                        .getAbsolutePathBuilder()
                        .path(created.getId())
                        .build())
                .entity(new ProviderSaved(true, rep))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    @Path("{id}")
    public ProviderResource provider(@PathParam("id") String id) {
        return new ProviderResource(ctx, id);
    }

    /** {@code GET /providers}: highest priority first, without their models. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProviderList(
            @JsonProperty("providers") List<ProviderRepresentation> providers,
            @JsonProperty("total") int total) {}

    /** A provider as saved by a create or an update. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProviderSaved(
            @JsonProperty("success") boolean success,
            @JsonProperty("provider") ProviderRepresentation provider) {}

    /** A model's figures as saved by an override. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelSaved(
            @JsonProperty("success") boolean success,
            @JsonProperty("model") ModelView model) {}

    /** The answer of a delete. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Deleted(@JsonProperty("success") boolean success) {}

    /**
     * A connection test's outcome, as the original console expects it: {@code success} and {@code latency}, then
     * {@code models_available} on success or {@code error} and {@code error_code} on failure; {@code provider} only
     * for a stored provider's test. Never the key.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TestOutcome(
            @JsonProperty("success") boolean success,
            @JsonProperty("latency") long latency,
            @JsonProperty("models_available") Integer modelsAvailable,
            @JsonProperty("error") String error,
            @JsonProperty("error_code") String errorCode,
            @JsonProperty("provider") ProviderRepresentation provider) {

        public static TestOutcome of(ConnectionResult r) {
            return r.success()
                    ? new TestOutcome(true, r.latencyMs(), r.models().size(), null, null, null)
                    : new TestOutcome(false, r.latencyMs(), null, r.error(), r.errorCode(), null);
        }

        public TestOutcome withProvider(ProviderRepresentation p) {
            return new TestOutcome(success, latency, modelsAvailable, error, errorCode, p);
        }
    }
}
