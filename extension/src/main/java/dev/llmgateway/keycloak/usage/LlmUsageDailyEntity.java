package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** Per realm, UTC day, user, provider, model and BYOK flag: calls, errors, tokens and cost. Empty strings, not nulls, in key columns. */
@Entity
@Table(name = "LLM_USAGE_DAILY")
@NamedQueries({
    @NamedQuery(
            name = "llmUsageDailyDeleteByRealm",
            query = "delete from LlmUsageDailyEntity d where d.realmId = :realmId"),
    @NamedQuery(
            name = "llmUsageDailyIncrement",
            query =
                    "update LlmUsageDailyEntity d set d.calls = d.calls + :calls, d.errors = d.errors + :errors, d.promptTokens = d.promptTokens + :prompt, d.completionTokens = d.completionTokens + :completion, d.cachedTokens = d.cachedTokens + :cached, d.cost = d.cost + :cost where d.realmId = :realmId and d.day = :day and d.userId = :userId and d.providerId = :providerId and d.model = :model and d.byok = :byok"),
    @NamedQuery(
            name = "llmUsageDailyUserDays",
            query =
                    "select d.day, d.byok, sum(d.calls), sum(d.errors), sum(d.promptTokens), sum(d.completionTokens), sum(d.cost) from LlmUsageDailyEntity d where d.realmId = :realmId and d.userId = :userId and d.day between :fromDay and :toDay group by d.day, d.byok"),
    @NamedQuery(
            name = "llmUsageDailyByokTotals",
            query =
                    "select sum(d.cost), sum(d.calls) from LlmUsageDailyEntity d where d.realmId = :realmId and d.byok = true and d.day between :fromDay and :toDay"),
    @NamedQuery(
            name = "llmUsageDailyUserSpend",
            query =
                    "select sum(d.cost) from LlmUsageDailyEntity d where d.realmId = :realmId and d.userId = :userId and d.byok = false and d.day between :fromDay and :toDay"),
    @NamedQuery(
            name = "llmUsageDailyByRealm",
            query =
                    "select d from LlmUsageDailyEntity d where d.realmId = :realmId and d.day >= :fromDay order by d.day")
})
public class LlmUsageDailyEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "USAGE_DAY", nullable = false)
    private int day;

    @Column(name = "USER_ID", length = 36, nullable = false)
    private String userId;

    @Column(name = "PROVIDER_ID", length = 36, nullable = false)
    private String providerId;

    @Column(name = "MODEL", length = 255, nullable = false)
    private String model;

    @Column(name = "BYOK", nullable = false)
    private boolean byok;

    @Column(name = "CALLS", nullable = false)
    private long calls;

    @Column(name = "ERRORS", nullable = false)
    private long errors;

    @Column(name = "PROMPT_TOKENS", nullable = false)
    private long promptTokens;

    @Column(name = "COMPLETION_TOKENS", nullable = false)
    private long completionTokens;

    @Column(name = "CACHED_TOKENS", nullable = false)
    private long cachedTokens;

    @Column(name = "COST", precision = 24, scale = 12, nullable = false)
    private BigDecimal cost;

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

    public int getDay() {
        return day;
    }

    public void setDay(int day) {
        this.day = day;
    }

    public String getUserId() {
        return userId;
    }

    public void setUserId(String userId) {
        this.userId = userId;
    }

    public String getProviderId() {
        return providerId;
    }

    public void setProviderId(String providerId) {
        this.providerId = providerId;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public boolean isByok() {
        return byok;
    }

    public void setByok(boolean byok) {
        this.byok = byok;
    }

    public long getCalls() {
        return calls;
    }

    public void setCalls(long calls) {
        this.calls = calls;
    }

    public long getErrors() {
        return errors;
    }

    public void setErrors(long errors) {
        this.errors = errors;
    }

    public long getPromptTokens() {
        return promptTokens;
    }

    public void setPromptTokens(long promptTokens) {
        this.promptTokens = promptTokens;
    }

    public long getCompletionTokens() {
        return completionTokens;
    }

    public void setCompletionTokens(long completionTokens) {
        this.completionTokens = completionTokens;
    }

    public long getCachedTokens() {
        return cachedTokens;
    }

    public void setCachedTokens(long cachedTokens) {
        this.cachedTokens = cachedTokens;
    }

    public BigDecimal getCost() {
        return cost;
    }

    public void setCost(BigDecimal cost) {
        this.cost = cost;
    }
}
