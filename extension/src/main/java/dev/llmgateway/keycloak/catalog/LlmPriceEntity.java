package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One model's prices from the price table a realm admin imported (USD per 1M tokens). They override the built-in
 * catalogue's entry of the same vendor and id for that realm; an import replaces the previous one whole.
 */
@Entity
@Table(name = "LLM_PRICE")
@NamedQueries({
    @NamedQuery(
            name = "llmPricesByRealm",
            query = "select p from LlmPriceEntity p where p.realmId = :realmId order by p.vendor, p.modelId"),
    @NamedQuery(name = "llmPricesDeleteByRealm", query = "delete from LlmPriceEntity p where p.realmId = :realmId")
})
public class LlmPriceEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "VENDOR", length = 32, nullable = false)
    private String vendor;

    @Column(name = "MODEL_ID", nullable = false)
    private String modelId;

    @Column(name = "INPUT_PRICE", precision = 19, scale = 8, nullable = false)
    private BigDecimal inputPrice;

    @Column(name = "OUTPUT_PRICE", precision = 19, scale = 8, nullable = false)
    private BigDecimal outputPrice;

    @Column(name = "CACHED_PRICE", precision = 19, scale = 8)
    private BigDecimal cachedPrice;

    @Column(name = "CACHE_WRITE_PRICE", precision = 19, scale = 8)
    private BigDecimal cacheWritePrice;

    @Column(name = "CACHE_WRITE_1H_PRICE", precision = 19, scale = 8)
    private BigDecimal cacheWrite1hPrice;

    @Column(name = "PRIORITY_INPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal priorityInputPrice;

    @Column(name = "PRIORITY_OUTPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal priorityOutputPrice;

    @Column(name = "PRIORITY_CACHED_PRICE", precision = 19, scale = 8)
    private BigDecimal priorityCachedPrice;

    @Column(name = "FLEX_INPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal flexInputPrice;

    @Column(name = "FLEX_OUTPUT_PRICE", precision = 19, scale = 8)
    private BigDecimal flexOutputPrice;

    @Column(name = "FLEX_CACHED_PRICE", precision = 19, scale = 8)
    private BigDecimal flexCachedPrice;

    @Column(name = "CONTEXT_WINDOW")
    private Integer contextWindow;

    @Column(name = "SOURCE", length = 16, nullable = false)
    private String source;

    @Column(name = "IMPORTED_AT", nullable = false)
    private long importedAt;

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

    public String getVendor() {
        return vendor;
    }

    public void setVendor(String vendor) {
        this.vendor = vendor;
    }

    public String getModelId() {
        return modelId;
    }

    public void setModelId(String modelId) {
        this.modelId = modelId;
    }

    public BigDecimal getInputPrice() {
        return inputPrice;
    }

    public void setInputPrice(BigDecimal v) {
        this.inputPrice = v;
    }

    public BigDecimal getOutputPrice() {
        return outputPrice;
    }

    public void setOutputPrice(BigDecimal v) {
        this.outputPrice = v;
    }

    public BigDecimal getCachedPrice() {
        return cachedPrice;
    }

    public void setCachedPrice(BigDecimal v) {
        this.cachedPrice = v;
    }

    public BigDecimal getCacheWritePrice() {
        return cacheWritePrice;
    }

    public void setCacheWritePrice(BigDecimal v) {
        this.cacheWritePrice = v;
    }

    public BigDecimal getCacheWrite1hPrice() {
        return cacheWrite1hPrice;
    }

    public void setCacheWrite1hPrice(BigDecimal v) {
        this.cacheWrite1hPrice = v;
    }

    public BigDecimal getPriorityInputPrice() {
        return priorityInputPrice;
    }

    public void setPriorityInputPrice(BigDecimal v) {
        this.priorityInputPrice = v;
    }

    public BigDecimal getPriorityOutputPrice() {
        return priorityOutputPrice;
    }

    public void setPriorityOutputPrice(BigDecimal v) {
        this.priorityOutputPrice = v;
    }

    public BigDecimal getPriorityCachedPrice() {
        return priorityCachedPrice;
    }

    public void setPriorityCachedPrice(BigDecimal v) {
        this.priorityCachedPrice = v;
    }

    public BigDecimal getFlexInputPrice() {
        return flexInputPrice;
    }

    public void setFlexInputPrice(BigDecimal v) {
        this.flexInputPrice = v;
    }

    public BigDecimal getFlexOutputPrice() {
        return flexOutputPrice;
    }

    public void setFlexOutputPrice(BigDecimal v) {
        this.flexOutputPrice = v;
    }

    public BigDecimal getFlexCachedPrice() {
        return flexCachedPrice;
    }

    public void setFlexCachedPrice(BigDecimal v) {
        this.flexCachedPrice = v;
    }

    public Integer getContextWindow() {
        return contextWindow;
    }

    public void setContextWindow(Integer contextWindow) {
        this.contextWindow = contextWindow;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public long getImportedAt() {
        return importedAt;
    }

    public void setImportedAt(long importedAt) {
        this.importedAt = importedAt;
    }
}
