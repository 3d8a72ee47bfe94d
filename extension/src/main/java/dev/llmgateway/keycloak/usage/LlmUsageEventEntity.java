package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;

import dev.llmgateway.keycloak.core.UsageEvent;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** One gateway call or one reported external call. Raw events; charts read the daily rollups. */
@Entity
@Table(name = "LLM_USAGE_EVENT")
@NamedQueries({
    @NamedQuery(
            name = "llmUsageEventsDeleteByRealm",
            query = "delete from LlmUsageEventEntity e where e.realmId = :realmId"),
    @NamedQuery(
            name = "llmUsageEventIdsBefore",
            query = "select e.id from LlmUsageEventEntity e where e.realmId = :realmId and e.createdAt < :before"),
    @NamedQuery(name = "llmUsageEventsDeleteIds", query = "delete from LlmUsageEventEntity e where e.id in :ids"),
    @NamedQuery(
            name = "llmUsageEventsByRealmSince",
            query =
                    "select e from LlmUsageEventEntity e where e.realmId = :realmId and e.createdAt >= :since order by e.createdAt")
})
public class LlmUsageEventEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "USER_ID", length = 36)
    private String userId;

    @Column(name = "CLIENT_ID", length = 255)
    private String clientId;

    @Column(name = "SOURCE", length = 16, nullable = false)
    private String source;

    @Column(name = "PROVIDER_ID", length = 36)
    private String providerId;

    @Column(name = "PROVIDER_TYPE", length = 32)
    private String providerType;

    @Column(name = "MODEL", length = 255)
    private String model;

    @Column(name = "REQUESTED_MODEL", length = 255)
    private String requestedModel;

    @Column(name = "LEVEL_KEY", length = 32)
    private String level;

    @Column(name = "BYOK", nullable = false)
    private boolean byok;

    @Column(name = "USAGE_ESTIMATED", nullable = false)
    private boolean usageEstimated;

    @Column(name = "CALL_KIND", nullable = false)
    private String kind = UsageEvent.KIND_CHAT;

    @Column(name = "STREAMED", nullable = false)
    private boolean streamed;

    @Column(name = "PROMPT_TOKENS", nullable = false)
    private long promptTokens;

    @Column(name = "COMPLETION_TOKENS", nullable = false)
    private long completionTokens;

    @Column(name = "CACHED_TOKENS", nullable = false)
    private long cachedTokens;

    @Column(name = "CACHE_WRITE_TOKENS", nullable = false)
    private long cacheWriteTokens;

    @Column(name = "REASONING_TOKENS", nullable = false)
    private long reasoningTokens;

    @Column(name = "COST", precision = 24, scale = 12)
    private BigDecimal cost;

    /** What the vendor itself said the call cost (OpenRouter), beside ours; null where it says nothing. */
    @Column(name = "VENDOR_COST", precision = 24, scale = 12)
    private BigDecimal vendorCost;

    @Column(name = "STATUS", nullable = false)
    private int status;

    @Column(name = "OUTCOME", length = 16, nullable = false)
    private String outcome;

    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;

    @Column(name = "LATENCY_MS", nullable = false)
    private long latencyMs;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

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

    public String getUserId() {
        return userId;
    }

    public void setUserId(String userId) {
        this.userId = userId;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public String getProviderId() {
        return providerId;
    }

    public void setProviderId(String providerId) {
        this.providerId = providerId;
    }

    public String getProviderType() {
        return providerType;
    }

    public void setProviderType(String providerType) {
        this.providerType = providerType;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public String getRequestedModel() {
        return requestedModel;
    }

    public void setRequestedModel(String requestedModel) {
        this.requestedModel = requestedModel;
    }

    public String getLevel() {
        return level;
    }

    public void setLevel(String level) {
        this.level = level;
    }

    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public boolean isUsageEstimated() {
        return usageEstimated;
    }

    public void setUsageEstimated(boolean usageEstimated) {
        this.usageEstimated = usageEstimated;
    }

    public boolean isByok() {
        return byok;
    }

    public void setByok(boolean byok) {
        this.byok = byok;
    }

    public boolean isStreamed() {
        return streamed;
    }

    public void setStreamed(boolean streamed) {
        this.streamed = streamed;
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

    public long getCacheWriteTokens() {
        return cacheWriteTokens;
    }

    public void setCacheWriteTokens(long cacheWriteTokens) {
        this.cacheWriteTokens = cacheWriteTokens;
    }

    public long getReasoningTokens() {
        return reasoningTokens;
    }

    public void setReasoningTokens(long reasoningTokens) {
        this.reasoningTokens = reasoningTokens;
    }

    public BigDecimal getCost() {
        return cost;
    }

    public void setCost(BigDecimal cost) {
        this.cost = cost;
    }

    public BigDecimal getVendorCost() {
        return vendorCost;
    }

    public void setVendorCost(BigDecimal vendorCost) {
        this.vendorCost = vendorCost;
    }

    public int getStatus() {
        return status;
    }

    public void setStatus(int status) {
        this.status = status;
    }

    public String getOutcome() {
        return outcome;
    }

    public void setOutcome(String outcome) {
        this.outcome = outcome;
    }

    public int getAttempts() {
        return attempts;
    }

    public void setAttempts(int attempts) {
        this.attempts = attempts;
    }

    public long getLatencyMs() {
        return latencyMs;
    }

    public void setLatencyMs(long latencyMs) {
        this.latencyMs = latencyMs;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }
}
