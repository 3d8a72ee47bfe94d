package dev.llmgateway.keycloak.rest.realm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.ModelMode;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;

/**
 * The answer of {@code GET /realms/{realm}/llm/v1/models}, in OpenAI's list format: the models and aliases the caller
 * may ask for. Schema {@code ModelList} of docs/openapi/realm-llm-api.yaml.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelList(
        @JsonProperty("object") String object,
        @JsonProperty("data") List<Model> data) {

    /** The list of model ids and aliases, in the order given. */
    static ModelList of(Map<String, Model> models) {
        return new ModelList("list", new ArrayList<>(models.values()));
    }

    /**
     * The models of {@code allowed} by id (owned by their provider type, doing what their mode says), then the aliases
     * naming any of them and {@code auto} (owned by {@code alias}, doing what their models do together).
     */
    static Map<String, Model> entries(List<Candidate> allowed, Map<String, List<String>> aliases) {
        Map<String, String> owners = new LinkedHashMap<>();
        Map<String, Set<String>> modes = new LinkedHashMap<>();
        for (Candidate c : allowed) {
            owners.putIfAbsent(c.modelId(), c.providerType());
            modes.computeIfAbsent(c.modelId(), k -> new LinkedHashSet<>()).add(c.mode());
        }
        Map<String, Model> models = new LinkedHashMap<>();
        owners.forEach((id, owner) -> models.put(id, Model.of(id, owner, modes.get(id))));
        aliases.forEach((alias, named) -> {
            Set<String> can = new LinkedHashSet<>();
            named.stream().filter(modes::containsKey).forEach(m -> can.addAll(modes.get(m)));
            if (!can.isEmpty()) {
                models.putIfAbsent(alias, Model.of(alias, "alias", can));
            }
        });
        if (!allowed.isEmpty()) {
            Set<String> all = new LinkedHashSet<>();
            modes.values().forEach(all::addAll);
            models.putIfAbsent(RoutingSnapshot.AUTO, Model.of(RoutingSnapshot.AUTO, "alias", all));
        }
        return models;
    }

    /**
     * One model id or alias; {@code owned_by} is the provider type, or {@code alias} for aliases and {@code auto};
     * {@code capabilities} what it can be called for: {@code chat} ({@code /v1/chat/completions}), {@code embeddings}
     * ({@code /v1/embeddings}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(
            @JsonProperty("id") String id,
            @JsonProperty("object") String object,
            @JsonProperty("created") long created,
            @JsonProperty("owned_by") String ownedBy,
            @JsonProperty("capabilities") List<String> capabilities) {

        static Model of(String id, String ownedBy, Set<String> modes) {
            // In a fixed order, whatever the order the models came in.
            List<String> capabilities =
                    ModelMode.ALL.stream().filter(modes::contains).toList();
            return new Model(id, "model", 0, ownedBy, capabilities);
        }
    }
}
