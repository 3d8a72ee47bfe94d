package dev.llmgateway.keycloak.routing;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A model alias of a realm; {@code MODELS} is a JSON array of model ids, tried in the routing order. */
@Entity
@Table(name = "LLM_MODEL_ALIAS")
@NamedQueries({
    @NamedQuery(
            name = "llmAliasesByRealm",
            query = "select a from LlmModelAliasEntity a where a.realmId = :realmId order by a.alias"),
    @NamedQuery(
            name = "llmAliasesDeleteByRealm",
            query = "delete from LlmModelAliasEntity a where a.realmId = :realmId")
})
public class LlmModelAliasEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "ALIAS", nullable = false)
    private String alias;

    @Column(name = "MODELS", length = 4000, nullable = false)
    private String models;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getRealmId() {
        return realmId;
    }

    public void setRealmId(String realmId) {
        this.realmId = realmId;
    }

    public String getAlias() {
        return alias;
    }

    public void setAlias(String alias) {
        this.alias = alias;
    }

    public String getModels() {
        return models;
    }

    public void setModels(String models) {
        this.models = models;
    }
}
