package dev.llmgateway.keycloak.setup;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** When a background task last ran in the cluster (epoch milliseconds) and which node ran it. */
@Entity
@Table(name = "LLM_TASK_RUN")
@NamedQuery(
        name = "llmTaskRunClaim",
        query = "update LlmTaskRunEntity t set t.lastRunAt = :now, t.node = :node"
                + " where t.name = :name and t.lastRunAt <= :due")
public class LlmTaskRunEntity {

    @Id
    @Column(name = "NAME", length = 64)
    private String name;

    @Column(name = "LAST_RUN_AT", nullable = false)
    private long lastRunAt;

    @Column(name = "NODE")
    private String node;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public long getLastRunAt() {
        return lastRunAt;
    }

    public void setLastRunAt(long lastRunAt) {
        this.lastRunAt = lastRunAt;
    }

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }
}
