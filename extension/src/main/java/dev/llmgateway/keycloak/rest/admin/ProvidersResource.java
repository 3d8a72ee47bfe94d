package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    public Map<String, Object> list() {
        ctx.requireView();
        ProviderService service = new ProviderService(ctx.session(), ctx.realm());
        Map<String, List<ModelView>> models = new LinkedHashMap<>();
        service.allModels().forEach(m -> models.computeIfAbsent(m.providerId(), k -> new ArrayList<>()).add(m));
        List<ProviderRepresentation> providers = service.list().stream()
                .map(p -> Providers.toRepresentation(p, models.getOrDefault(p.getId(), List.of()), false))
                .toList();
        return Map.of("providers", providers, "total", providers.size());
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
                .location(ctx.session().getContext().getUri().getAbsolutePathBuilder().path(created.getId()).build())
                .entity(success("provider", rep)).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @Path("{id}")
    public ProviderResource provider(@PathParam("id") String id) {
        return new ProviderResource(ctx, id);
    }

    static Map<String, Object> success(String key, Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", true);
        out.put(key, value);
        return out;
    }

    /** The original console's test answer: {@code {"success":true,"latency","models_available"}} or an error sentence. */
    public static Map<String, Object> testOutcome(ConnectionResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", r.success());
        out.put("latency", r.latencyMs());
        if (r.success()) {
            out.put("models_available", r.models().size());
        } else {
            out.put("error", r.error());
            out.put("error_code", r.errorCode());
        }
        return out;
    }
}
