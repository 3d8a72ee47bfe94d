package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.catalog.LlmModelEntity;
import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderInput;
import dev.llmgateway.keycloak.provider.ProviderRepresentation;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.vendor.ConnectionResult;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.events.admin.OperationType;

/** {@code /admin/realms/{realm}/llm/providers/{id}}. */
public class ProviderResource {

    private static final String MODEL_EVENT_RESOURCE = "LLM_MODEL";

    private final AdminContext ctx;
    private final String id;

    ProviderResource(AdminContext ctx, String id) {
        this.ctx = ctx;
        this.id = id;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ProviderRepresentation get() {
        ctx.requireView();
        ProviderService service = service();
        return service.represent(service.get(id), true);
    }

    /** Partial update: absent fields stay as they are; a new key or base URL is tested before it is saved. */
    @PUT
    @Produces(MediaType.APPLICATION_JSON)
    public ProvidersResource.ProviderSaved update(InputStream body) {
        ctx.requireManage();
        ProviderService service = service();
        LlmProviderEntity p = service.get(id);
        ProviderInput in = ProviderInput.parse(ctx.body(body), false);
        ctx.withSecrets(() -> service.update(p, in));
        ProviderRepresentation rep = service.represent(p, false);
        ctx.event(OperationType.UPDATE, ProvidersResource.EVENT_RESOURCE, rep, "llm", "providers", id);
        return new ProvidersResource.ProviderSaved(true, rep);
    }

    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public ProvidersResource.Deleted delete() {
        ctx.requireManage();
        ProviderService service = service();
        LlmProviderEntity p = service.get(id);
        ProviderRepresentation rep = service.represent(p, false);
        service.delete(p);
        ctx.event(OperationType.DELETE, ProvidersResource.EVENT_RESOURCE, rep, "llm", "providers", id);
        return new ProvidersResource.Deleted(true);
    }

    /** Tests the stored key with a real list-models call and records status, latency, error and models. */
    @POST
    @Path("test")
    @Produces(MediaType.APPLICATION_JSON)
    public ProvidersResource.TestOutcome test() {
        ctx.requireManage();
        ProviderService service = service();
        LlmProviderEntity p = service.get(id);
        ctx.limitKeyTest();
        ConnectionResult result = ctx.withSecrets(() -> service.test(p));
        ProviderRepresentation rep = service.represent(p, false);
        ctx.event(OperationType.ACTION, ProvidersResource.EVENT_RESOURCE, rep, "llm", "providers", id, "test");
        return ProvidersResource.TestOutcome.of(result).withProvider(rep);
    }

    /**
     * Overrides a model's figures: {@code {"inputPrice","outputPrice","cachedInputPrice","quality","enabled"}} (USD per
     * 1M tokens; quality 0-100). A null clears a price or quality override; {@code enabled} takes true or false;
     * absent fields stay.
     */
    @PUT
    @Path("models/{model: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    public ProvidersResource.ModelSaved overrideModel(@PathParam("model") String modelId, InputStream body) {
        ctx.requireManage();
        ProviderService service = service();
        LlmProviderEntity p = service.get(id);
        LlmModelEntity m = service.model(p, modelId);
        applyOverride(m, ctx.body(body));
        service.modelChanged();
        ModelView view = service.view(p, m);
        ctx.event(OperationType.UPDATE, MODEL_EVENT_RESOURCE, view, "llm", "providers", id, "models", modelId);
        return new ProvidersResource.ModelSaved(true, view);
    }

    private static void applyOverride(LlmModelEntity m, ObjectNode json) {
        json.fieldNames().forEachRemaining(f -> {
            if (!f.equals("inputPrice")
                    && !f.equals("outputPrice")
                    && !f.equals("cachedInputPrice")
                    && !f.equals("quality")
                    && !f.equals("enabled")) {
                throw ApiErrors.unknownField("", f, "inputPrice, outputPrice, cachedInputPrice, quality, enabled");
            }
        });
        BigDecimal input = json.has("inputPrice") ? price(json.get("inputPrice"), "inputPrice") : m.getInputPrice();
        BigDecimal output =
                json.has("outputPrice") ? price(json.get("outputPrice"), "outputPrice") : m.getOutputPrice();
        if ((input == null) != (output == null)) {
            throw ApiErrors.badRequest(
                    input == null ? "inputPrice" : "outputPrice",
                    "inputPrice and outputPrice are overridden together; give both, or null for both");
        }
        BigDecimal cached = json.has("cachedInputPrice")
                ? price(json.get("cachedInputPrice"), "cachedInputPrice")
                : m.getCachedInputPrice();
        Integer quality = m.getQuality();
        if (json.has("quality")) {
            JsonNode q = json.get("quality");
            if (q.isNull()) {
                quality = null;
            } else if (!q.isIntegralNumber() || !q.canConvertToInt() || q.intValue() < 0 || q.intValue() > 100) {
                throw ApiErrors.badRequest("quality", "quality must be a whole number between 0 and 100");
            } else {
                quality = q.intValue();
            }
        }
        Boolean enabled = null;
        if (json.has("enabled")) {
            if (!json.get("enabled").isBoolean()) {
                throw ApiErrors.badRequest("enabled", "enabled must be true or false");
            }
            enabled = json.get("enabled").booleanValue();
        }
        m.setInputPrice(input);
        m.setOutputPrice(output);
        m.setCachedInputPrice(cached);
        m.setQuality(quality);
        if (enabled != null) {
            m.setEnabled(enabled);
        }
    }

    private static BigDecimal price(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        BigDecimal v;
        if (node.isNumber()) {
            try {
                v = node.decimalValue();
            } catch (NumberFormatException e) {
                // 1e99999 is infinite as a double
                throw ApiErrors.badRequest(field, field + " must be between 0 and 100000 USD per 1M tokens");
            }
        } else if (node.isTextual()) {
            try {
                v = new BigDecimal(node.asText().strip());
            } catch (NumberFormatException e) {
                throw ApiErrors.badRequest(field, field + " must be a number (USD per 1M tokens)");
            }
        } else {
            throw ApiErrors.badRequest(field, field + " must be a number (USD per 1M tokens)");
        }
        if (v.signum() < 0 || v.compareTo(BigDecimal.valueOf(100_000)) > 0) {
            throw ApiErrors.badRequest(field, field + " must be between 0 and 100000 USD per 1M tokens");
        }
        if (v.stripTrailingZeros().scale() > 8) {
            throw ApiErrors.badRequest(field, field + " has more than 8 decimal places");
        }
        return v;
    }

    private ProviderService service() {
        return new ProviderService(ctx.session(), ctx.realm());
    }
}
