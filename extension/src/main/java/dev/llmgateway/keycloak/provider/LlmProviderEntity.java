package dev.llmgateway.keycloak.provider;

import dev.llmgateway.keycloak.core.RateLimits;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A configured account at an LLM vendor, in one realm. The API key is stored only sealed ({@code API_KEY_SEALED}). */
@Entity
@Table(name = "LLM_PROVIDER")
@NamedQueries({
    @NamedQuery(
            name = "llmProvidersByRealm",
            query = "select p from LlmProviderEntity p where p.realmId = :realmId order by p.priority desc, p.name"),
    @NamedQuery(
            name = "llmProviderByRealmAndId",
            query = "select p from LlmProviderEntity p where p.realmId = :realmId and p.id = :id"),
    @NamedQuery(
            name = "llmProviderCountByRealmAndName",
            query =
                    "select count(p) from LlmProviderEntity p where p.realmId = :realmId and lower(p.name) = lower(:name) and p.id <> :id"),
    @NamedQuery(
            name = "llmProvidersDeleteByRealm",
            query = "delete from LlmProviderEntity p where p.realmId = :realmId"),
    // Key rotation: the KEK id is characters 4-11 of a sealed value ("v1.<kek id>.…").
    @NamedQuery(
            name = "llmProvidersSealedUnder",
            query = "select p from LlmProviderEntity p where p.realmId = :realmId and p.id > :after"
                    + " and substring(p.apiKeySealed, 4, 8) in :kekIds order by p.id"),
    @NamedQuery(
            name = "llmProviderReseal",
            query = "update LlmProviderEntity p set p.apiKeySealed = :resealed"
                    + " where p.id = :id and p.realmId = :realmId and p.apiKeySealed = :sealed"),
    @NamedQuery(
            name = "llmProvidersByKekId",
            query = "select substring(p.apiKeySealed, 4, 8), count(p) from LlmProviderEntity p"
                    + " where p.realmId = :realmId group by substring(p.apiKeySealed, 4, 8)")
})
public class LlmProviderEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "NAME", nullable = false)
    private String name;

    @Column(name = "TYPE", length = 32, nullable = false)
    private String type;

    @Column(name = "BASE_URL", length = 1024)
    private String baseUrl;

    @Column(name = "API_KEY_SEALED", length = 4000, nullable = false)
    private String apiKeySealed;

    @Column(name = "API_KEY_HINT", length = 16, nullable = false)
    private String apiKeyHint;

    @Column(name = "PRIORITY", nullable = false)
    private int priority;

    @Column(name = "AUTO_FALLBACK", nullable = false)
    private boolean autoFallback;

    @Column(name = "ENABLED", nullable = false)
    private boolean enabled;

    /** True when the admin named the models; otherwise the provider offers whatever its list-models call answers. */
    @Column(name = "MODELS_PINNED", nullable = false)
    private boolean modelsPinned;

    @Column(name = "STATUS", length = 16, nullable = false)
    private String status;

    @Column(name = "LAST_TESTED_AT")
    private Long lastTestedAt;

    @Column(name = "LAST_LATENCY_MS")
    private Long lastLatencyMs;

    @Column(name = "LAST_ERROR", length = 1024)
    private String lastError;

    @Column(name = "REQUESTS_PER_MINUTE")
    private Integer requestsPerMinute;

    @Column(name = "TOKENS_PER_MINUTE")
    private Long tokensPerMinute;

    @Column(name = "CONCURRENT_STREAMS")
    private Integer concurrentStreams;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;

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

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getBaseUrl() {
        return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String getApiKeySealed() {
        return apiKeySealed;
    }

    public void setApiKeySealed(String apiKeySealed) {
        this.apiKeySealed = apiKeySealed;
    }

    public String getApiKeyHint() {
        return apiKeyHint;
    }

    public void setApiKeyHint(String apiKeyHint) {
        this.apiKeyHint = apiKeyHint;
    }

    public int getPriority() {
        return priority;
    }

    public void setPriority(int priority) {
        this.priority = priority;
    }

    public boolean isAutoFallback() {
        return autoFallback;
    }

    public void setAutoFallback(boolean autoFallback) {
        this.autoFallback = autoFallback;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean isModelsPinned() {
        return modelsPinned;
    }

    public void setModelsPinned(boolean modelsPinned) {
        this.modelsPinned = modelsPinned;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public Long getLastTestedAt() {
        return lastTestedAt;
    }

    public void setLastTestedAt(Long lastTestedAt) {
        this.lastTestedAt = lastTestedAt;
    }

    public Long getLastLatencyMs() {
        return lastLatencyMs;
    }

    public void setLastLatencyMs(Long lastLatencyMs) {
        this.lastLatencyMs = lastLatencyMs;
    }

    public String getLastError() {
        return lastError;
    }

    public void setLastError(String lastError) {
        this.lastError = lastError;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
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
