package dev.llmgateway.keycloak.routing;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** One row per realm whose admins changed the routing rules; absent means the defaults. */
@Entity
@Table(name = "LLM_ROUTING_RULES")
@NamedQueries({
    @NamedQuery(
            name = "llmRoutingRulesDeleteByRealm",
            query = "delete from LlmRoutingRulesEntity r where r.realmId = :realmId")
})
public class LlmRoutingRulesEntity {

    @Id
    @Column(name = "REALM_ID", length = 36)
    private String realmId;

    @Column(name = "STRATEGY", length = 16, nullable = false)
    private String strategy;

    @Column(name = "MAX_ATTEMPTS", nullable = false)
    private int maxAttempts;

    @Column(name = "COOLDOWN_AFTER_FAILURES", nullable = false)
    private int cooldownAfterFailures;

    @Column(name = "COOLDOWN_SECONDS", nullable = false)
    private int cooldownSeconds;

    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;

    public String getRealmId() {
        return realmId;
    }

    public void setRealmId(String realmId) {
        this.realmId = realmId;
    }

    public String getStrategy() {
        return strategy;
    }

    public void setStrategy(String strategy) {
        this.strategy = strategy;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public int getCooldownAfterFailures() {
        return cooldownAfterFailures;
    }

    public void setCooldownAfterFailures(int v) {
        this.cooldownAfterFailures = v;
    }

    public int getCooldownSeconds() {
        return cooldownSeconds;
    }

    public void setCooldownSeconds(int cooldownSeconds) {
        this.cooldownSeconds = cooldownSeconds;
    }

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
    }
}
