package dev.llmgateway.keycloak.powerlevel;

import java.math.BigDecimal;

import dev.llmgateway.keycloak.core.RateLimits;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** One power level of a realm whose admins changed the defaults. {@code MODELS} is a JSON array or null. */
@Entity
@Table(name = "LLM_POWER_LEVEL")
@NamedQueries({
    @NamedQuery(
            name = "llmPowerLevelsByRealm",
            query = "select l from LlmPowerLevelEntity l where l.realmId = :realmId order by l.rank"),
    @NamedQuery(
            name = "llmPowerLevelsDeleteByRealm",
            query = "delete from LlmPowerLevelEntity l where l.realmId = :realmId")
})
public class LlmPowerLevelEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "LEVEL_KEY", length = 32, nullable = false)
    private String key;

    @Column(name = "RANK", nullable = false)
    private int rank;

    @Column(name = "NAME", nullable = false)
    private String name;

    @Column(name = "DESCRIPTION", length = 1024)
    private String description;

    @Column(name = "COLOR", length = 16)
    private String color;

    @Column(name = "PRICE_CEILING", precision = 19, scale = 8)
    private BigDecimal priceCeiling;

    @Column(name = "MODELS", length = 4000)
    private String models;

    @Column(name = "MONTHLY_BUDGET", precision = 19, scale = 4)
    private BigDecimal monthlyBudget;

    @Column(name = "REQUESTS_PER_MINUTE")
    private Integer requestsPerMinute;

    @Column(name = "TOKENS_PER_MINUTE")
    private Long tokensPerMinute;

    @Column(name = "CONCURRENT_STREAMS")
    private Integer concurrentStreams;

    @Column(name = "IS_DEFAULT", nullable = false)
    private boolean defaultLevel;

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

    public String getKey() {
        return key;
    }

    public void setKey(String key) {
        this.key = key;
    }

    public int getRank() {
        return rank;
    }

    public void setRank(int rank) {
        this.rank = rank;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getColor() {
        return color;
    }

    public void setColor(String color) {
        this.color = color;
    }

    public BigDecimal getPriceCeiling() {
        return priceCeiling;
    }

    public void setPriceCeiling(BigDecimal priceCeiling) {
        this.priceCeiling = priceCeiling;
    }

    public String getModels() {
        return models;
    }

    public void setModels(String models) {
        this.models = models;
    }

    public BigDecimal getMonthlyBudget() {
        return monthlyBudget;
    }

    public void setMonthlyBudget(BigDecimal monthlyBudget) {
        this.monthlyBudget = monthlyBudget;
    }

    public boolean isDefaultLevel() {
        return defaultLevel;
    }

    public void setDefaultLevel(boolean defaultLevel) {
        this.defaultLevel = defaultLevel;
    }

    /** Null when no limit is set. */
    public RateLimits getLimits() {
        return new RateLimits(requestsPerMinute, tokensPerMinute, concurrentStreams).orNull();
    }

    public void setLimits(RateLimits limits) {
        RateLimits l = RateLimits.of(limits);
        this.requestsPerMinute = l.requestsPerMinute();
        this.tokensPerMinute = l.tokensPerMinute();
        this.concurrentStreams = l.concurrentStreams();
    }
}
