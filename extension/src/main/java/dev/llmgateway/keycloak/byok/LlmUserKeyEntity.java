package dev.llmgateway.keycloak.byok;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A user's own key for one provider type (bring your own key). Stored only sealed ({@code KEY_SEALED}). */
@Entity
@Table(name = "LLM_USER_KEY")
@NamedQueries({
    @NamedQuery(
            name = "llmUserKeysByUser",
            query =
                    "select k from LlmUserKeyEntity k where k.realmId = :realmId and k.userId = :userId order by k.providerType"),
    @NamedQuery(
            name = "llmUserKeysDeleteByUser",
            query = "delete from LlmUserKeyEntity k where k.realmId = :realmId and k.userId = :userId"),
    @NamedQuery(name = "llmUserKeysDeleteByRealm", query = "delete from LlmUserKeyEntity k where k.realmId = :realmId"),
    @NamedQuery(
            name = "llmUserKeysMarkUsed",
            query =
                    "update LlmUserKeyEntity k set k.lastUsedAt = :at where k.realmId = :realmId and k.userId = :userId "
                            + "and k.providerType = :type and (k.lastUsedAt is null or k.lastUsedAt < :at)"),
    @NamedQuery(
            name = "llmUserKeysUserCount",
            query = "select count(distinct k.userId) from LlmUserKeyEntity k where k.realmId = :realmId"),
    @NamedQuery(
            name = "llmUserKeysCountByType",
            query =
                    "select k.providerType, count(k) from LlmUserKeyEntity k where k.realmId = :realmId group by k.providerType"),
    @NamedQuery(
            name = "llmUserKeysUserPage",
            query = "select distinct k.userId from LlmUserKeyEntity k where k.realmId = :realmId order by k.userId"),
    @NamedQuery(
            name = "llmUserKeysOfUsers",
            query =
                    "select k from LlmUserKeyEntity k where k.realmId = :realmId and k.userId in :userIds order by k.providerType"),
    // Key rotation: the KEK id is characters 4-11 of a sealed value ("v1.<kek id>.…").
    @NamedQuery(
            name = "llmUserKeysSealedUnder",
            query = "select k from LlmUserKeyEntity k where k.realmId = :realmId and k.id > :after"
                    + " and substring(k.keySealed, 4, 8) in :kekIds order by k.id"),
    @NamedQuery(
            name = "llmUserKeyReseal",
            query = "update LlmUserKeyEntity k set k.keySealed = :resealed"
                    + " where k.id = :id and k.realmId = :realmId and k.keySealed = :sealed"),
    @NamedQuery(
            name = "llmUserKeysByKekId",
            query = "select substring(k.keySealed, 4, 8), count(k) from LlmUserKeyEntity k"
                    + " where k.realmId = :realmId group by substring(k.keySealed, 4, 8)")
})
public class LlmUserKeyEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "USER_ID", length = 36, nullable = false)
    private String userId;

    @Column(name = "PROVIDER_TYPE", length = 32, nullable = false)
    private String providerType;

    @Column(name = "KEY_SEALED", length = 4000, nullable = false)
    private String keySealed;

    @Column(name = "KEY_HINT", length = 16, nullable = false)
    private String keyHint;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;

    @Column(name = "LAST_USED_AT")
    private Long lastUsedAt;

    @Column(name = "LAST_TEST_AT")
    private Long lastTestAt;

    @Column(name = "LAST_TEST_OK")
    private Boolean lastTestOk;

    @Column(name = "LAST_TEST_LATENCY_MS")
    private Long lastTestLatencyMs;

    @Column(name = "LAST_TEST_ERROR", length = 1024)
    private String lastTestError;

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

    public String getProviderType() {
        return providerType;
    }

    public void setProviderType(String providerType) {
        this.providerType = providerType;
    }

    public String getKeySealed() {
        return keySealed;
    }

    public void setKeySealed(String keySealed) {
        this.keySealed = keySealed;
    }

    public String getKeyHint() {
        return keyHint;
    }

    public void setKeyHint(String keyHint) {
        this.keyHint = keyHint;
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

    public Long getLastUsedAt() {
        return lastUsedAt;
    }

    public void setLastUsedAt(Long lastUsedAt) {
        this.lastUsedAt = lastUsedAt;
    }

    public Long getLastTestAt() {
        return lastTestAt;
    }

    public void setLastTestAt(Long lastTestAt) {
        this.lastTestAt = lastTestAt;
    }

    public Boolean getLastTestOk() {
        return lastTestOk;
    }

    public void setLastTestOk(Boolean lastTestOk) {
        this.lastTestOk = lastTestOk;
    }

    public Long getLastTestLatencyMs() {
        return lastTestLatencyMs;
    }

    public void setLastTestLatencyMs(Long lastTestLatencyMs) {
        this.lastTestLatencyMs = lastTestLatencyMs;
    }

    public String getLastTestError() {
        return lastTestError;
    }

    public void setLastTestError(String lastTestError) {
        this.lastTestError = lastTestError;
    }
}
