package dev.llmgateway.keycloak.rest.realm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer of {@code GET /realms/{realm}/llm/v1/models}, in OpenAI's list format: the models and aliases the caller
 * may ask for. Schema {@code ModelList} of docs/openapi/realm-llm-api.yaml.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelList(
        @JsonProperty("object") String object,
        @JsonProperty("data") List<Model> data) {

    /** The list of model ids and aliases, each with its owner, in the order given. */
    static ModelList of(Map<String, String> owners) {
        List<Model> data = new ArrayList<>();
        owners.forEach((id, owner) -> data.add(Model.of(id, owner)));
        return new ModelList("list", data);
    }

    /** One model id or alias; {@code owned_by} is the provider type, or {@code alias} for aliases and {@code auto}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(
            @JsonProperty("id") String id,
            @JsonProperty("object") String object,
            @JsonProperty("created") long created,
            @JsonProperty("owned_by") String ownedBy) {

        static Model of(String id, String ownedBy) {
            return new Model(id, "model", 0, ownedBy);
        }
    }
}
