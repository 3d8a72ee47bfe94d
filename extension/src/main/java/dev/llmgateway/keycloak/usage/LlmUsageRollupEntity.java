package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One row of the analytics rollups ({@link Rollup}): the sums of the usage events of one time bucket and one key of
 * one cube. Written only by the ledger's increments ({@link RollupWriter}); read-only here. Empty strings, not nulls,
 * in key columns.
 */
@Entity
@Table(name = "LLM_USAGE_ROLLUP")
@NamedQueries({
    @NamedQuery(
            name = "llmUsageRollupDeleteByRealm",
            query = "delete from LlmUsageRollupEntity r where r.realmId = :realmId"),
    @NamedQuery(
            name = "llmUsageRollupPruneGrain",
            query =
                    "delete from LlmUsageRollupEntity r where r.realmId = :realmId and r.dims = :dims and r.grain = :grain and r.bucket < :before")
})
public class LlmUsageRollupEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "DIMS", length = 4, nullable = false)
    private String dims;

    @Column(name = "GRAIN", length = 1, nullable = false)
    private String grain;

    @Column(name = "BUCKET", nullable = false)
    private int bucket;

    @Column(name = "USER_ID", length = 36, nullable = false)
    private String userId;

    @Column(name = "CLIENT_ID", length = 255, nullable = false)
    private String clientId;

    @Column(name = "PROVIDER_ID", length = 36, nullable = false)
    private String providerId;

    @Column(name = "MODEL", length = 255, nullable = false)
    private String model;

    @Column(name = "LEVEL_KEY", length = 32, nullable = false)
    private String level;

    @Column(name = "CALLS", nullable = false)
    private long calls;

    @Column(name = "BYOK_CALLS", nullable = false)
    private long byokCalls;

    @Column(name = "BYOK_COST", precision = 24, scale = 12, nullable = false)
    private BigDecimal byokCost;

    @Column(name = "ERRORS", nullable = false)
    private long errors;

    @Column(name = "FALLBACKS", nullable = false)
    private long fallbacks;

    @Column(name = "ATTEMPTS", nullable = false)
    private long attempts;

    @Column(name = "UNPRICED", nullable = false)
    private long unpriced;

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

    @Column(name = "COST", precision = 24, scale = 12, nullable = false)
    private BigDecimal cost;

    @Column(name = "LATENCY_MS", nullable = false)
    private long latencyMs;

    @Column(name = "LAT_00", nullable = false)
    private long lat00;

    @Column(name = "LAT_01", nullable = false)
    private long lat01;

    @Column(name = "LAT_02", nullable = false)
    private long lat02;

    @Column(name = "LAT_03", nullable = false)
    private long lat03;

    @Column(name = "LAT_04", nullable = false)
    private long lat04;

    @Column(name = "LAT_05", nullable = false)
    private long lat05;

    @Column(name = "LAT_06", nullable = false)
    private long lat06;

    @Column(name = "LAT_07", nullable = false)
    private long lat07;

    @Column(name = "LAT_08", nullable = false)
    private long lat08;

    @Column(name = "LAT_09", nullable = false)
    private long lat09;

    @Column(name = "LAT_10", nullable = false)
    private long lat10;

    @Column(name = "LAT_11", nullable = false)
    private long lat11;

    @Column(name = "LAT_12", nullable = false)
    private long lat12;

    @Column(name = "LAT_13", nullable = false)
    private long lat13;

    @Column(name = "LAT_14", nullable = false)
    private long lat14;

    @Column(name = "LAT_15", nullable = false)
    private long lat15;

    public String getId() {
        return id;
    }

    public String getRealmId() {
        return realmId;
    }

    public String getDims() {
        return dims;
    }

    public String getGrain() {
        return grain;
    }

    public int getBucket() {
        return bucket;
    }

    public String getUserId() {
        return userId;
    }

    public String getClientId() {
        return clientId;
    }

    public String getProviderId() {
        return providerId;
    }

    public String getModel() {
        return model;
    }

    public String getLevel() {
        return level;
    }

    public long getCalls() {
        return calls;
    }

    public long getErrors() {
        return errors;
    }

    public long getFallbacks() {
        return fallbacks;
    }

    public long getAttempts() {
        return attempts;
    }

    public long getUnpriced() {
        return unpriced;
    }

    public long getPromptTokens() {
        return promptTokens;
    }

    public long getCompletionTokens() {
        return completionTokens;
    }

    public long getCachedTokens() {
        return cachedTokens;
    }

    public long getCacheWriteTokens() {
        return cacheWriteTokens;
    }

    public long getReasoningTokens() {
        return reasoningTokens;
    }

    public BigDecimal getCost() {
        return cost;
    }

    /** The latency histogram, bucket by bucket ({@link Rollup#LATENCY_BOUNDS_MS}). */
    public long[] getLatencyHistogram() {
        return new long[] {
            lat00, lat01, lat02, lat03, lat04, lat05, lat06, lat07, lat08, lat09, lat10, lat11, lat12, lat13, lat14,
            lat15
        };
    }

    /** The row's sums, to add up in memory. */
    public Rollup.Totals totals() {
        Rollup.Totals t = new Rollup.Totals();
        t.calls = calls;
        t.byokCalls = byokCalls;
        t.byokCost = byokCost;
        t.errors = errors;
        t.fallbacks = fallbacks;
        t.attempts = attempts;
        t.unpriced = unpriced;
        t.promptTokens = promptTokens;
        t.completionTokens = completionTokens;
        t.cachedTokens = cachedTokens;
        t.cacheWriteTokens = cacheWriteTokens;
        t.reasoningTokens = reasoningTokens;
        t.cost = cost;
        t.latencyMs = latencyMs;
        System.arraycopy(getLatencyHistogram(), 0, t.latency, 0, Rollup.LATENCY_BUCKETS);
        return t;
    }
}
