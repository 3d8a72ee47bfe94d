package dev.llmgateway.keycloak.usage;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A budget notice sent: user, month (yyyyMM, UTC) and threshold (percent of the budget). */
@Entity
@Table(name = "LLM_BUDGET_NOTICE")
@NamedQueries({
    @NamedQuery(
            name = "llmBudgetNoticeThresholds",
            query =
                    "select n.threshold from LlmBudgetNoticeEntity n where n.realmId = :realmId and n.userId = :userId and n.month = :month"),
    @NamedQuery(
            name = "llmBudgetNoticesDeleteByRealm",
            query = "delete from LlmBudgetNoticeEntity n where n.realmId = :realmId"),
    @NamedQuery(
            name = "llmBudgetNoticesDeleteByUser",
            query = "delete from LlmBudgetNoticeEntity n where n.realmId = :realmId and n.userId = :userId")
})
public class LlmBudgetNoticeEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "USER_ID", length = 36, nullable = false)
    private String userId;

    @Column(name = "BUDGET_MONTH", nullable = false)
    private int month;

    @Column(name = "THRESHOLD", nullable = false)
    private int threshold;

    @Column(name = "SENT_AT", nullable = false)
    private long sentAt;

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

    public int getMonth() {
        return month;
    }

    public void setMonth(int month) {
        this.month = month;
    }

    public int getThreshold() {
        return threshold;
    }

    public void setThreshold(int threshold) {
        this.threshold = threshold;
    }

    public long getSentAt() {
        return sentAt;
    }

    public void setSentAt(long sentAt) {
        this.sentAt = sentAt;
    }
}
