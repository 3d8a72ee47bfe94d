package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A model offered through one provider. {@code LISTED_*} columns hold what the vendor's list-models call said; the
 * plain price and quality columns are the admin's overrides (null = not overridden). The catalogue is joined at read
 * time, so catalogue updates reach existing rows.
 */
@Entity
@Table(name = "LLM_MODEL")
@NamedQueries({
    @NamedQuery(
            name = "llmModelsByRealm",
            query = "select m from LlmModelEntity m where m.realmId = :realmId order by m.providerId, m.modelId"),
    @NamedQuery(
            name = "llmModelsByProvider",
            query = "select m from LlmModelEntity m where m.providerId = :providerId order by m.modelId"),
    @NamedQuery(
            name = "llmModelsDeleteByProvider",
            query = "delete from LlmModelEntity m where m.providerId = :providerId"),
    @NamedQuery(name = "llmModelsDeleteByRealm", query = "delete from LlmModelEntity m where m.realmId = :realmId")
})
public class LlmModelEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "PROVIDER_ID", length = 36, nullable = false)
    private String providerId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "MODEL_ID", nullable = false)
    private String modelId;

    @Column(name = "DISPLAY_NAME")
    private String displayName;

    @Column(name = "CONTEXT_WINDOW")
    private Integer contextWindow;

    @Column(name = "LISTED_INPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal listedInputPrice;

    @Column(name = "LISTED_OUTPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal listedOutputPrice;

    @Column(name = "LISTED_CACHED_PRICE", precision = 19, scale = 8)
    private BigDecimal listedCachedPrice;

    @Column(name = "LISTED_CACHE_WRITE_PRICE", precision = 19, scale = 8)
    private BigDecimal listedCacheWritePrice;

    @Column(name = "INPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal inputPrice;

    @Column(name = "OUTPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal outputPrice;

    @Column(name = "CACHED_INPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal cachedInputPrice;

    @Column(name = "QUALITY")
    private Integer quality;

    @Column(name = "ENABLED", nullable = false)
    private boolean enabled;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getProviderId() {
        return providerId;
    }

    public void setProviderId(String providerId) {
        this.providerId = providerId;
    }

    public String getRealmId() {
        return realmId;
    }

    public void setRealmId(String realmId) {
        this.realmId = realmId;
    }

    public String getModelId() {
        return modelId;
    }

    public void setModelId(String modelId) {
        this.modelId = modelId;
    }

    public String getDisplayName() {
        return displayName;
    }

    public void setDisplayName(String displayName) {
        this.displayName = displayName;
    }

    public Integer getContextWindow() {
        return contextWindow;
    }

    public void setContextWindow(Integer contextWindow) {
        this.contextWindow = contextWindow;
    }

    public BigDecimal getListedInputPrice() {
        return listedInputPrice;
    }

    public void setListedInputPrice(BigDecimal v) {
        this.listedInputPrice = v;
    }

    public BigDecimal getListedOutputPrice() {
        return listedOutputPrice;
    }

    public void setListedOutputPrice(BigDecimal v) {
        this.listedOutputPrice = v;
    }

    public BigDecimal getListedCacheWritePrice() {
        return listedCacheWritePrice;
    }

    public void setListedCacheWritePrice(BigDecimal v) {
        this.listedCacheWritePrice = v;
    }

    public BigDecimal getListedCachedPrice() {
        return listedCachedPrice;
    }

    public void setListedCachedPrice(BigDecimal v) {
        this.listedCachedPrice = v;
    }

    public BigDecimal getInputPrice() {
        return inputPrice;
    }

    public void setInputPrice(BigDecimal inputPrice) {
        this.inputPrice = inputPrice;
    }

    public BigDecimal getOutputPrice() {
        return outputPrice;
    }

    public void setOutputPrice(BigDecimal outputPrice) {
        this.outputPrice = outputPrice;
    }

    public BigDecimal getCachedInputPrice() {
        return cachedInputPrice;
    }

    public void setCachedInputPrice(BigDecimal cachedInputPrice) {
        this.cachedInputPrice = cachedInputPrice;
    }

    public Integer getQuality() {
        return quality;
    }

    public void setQuality(Integer quality) {
        this.quality = quality;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
