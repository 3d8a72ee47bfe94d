package dev.llmgateway.keycloak.usage;

import java.io.Serializable;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * What a realm offered on a UTC day (providers, models available to route to), taken by the usage maintenance task, so
 * the statistics can show how the number of active models changed over 30 days.
 */
@Entity
@Table(name = "LLM_REALM_SNAPSHOT")
@IdClass(LlmRealmSnapshotEntity.Key.class)
@NamedQueries({
    @NamedQuery(
            name = "llmRealmSnapshotDeleteByRealm",
            query = "delete from LlmRealmSnapshotEntity s where s.realmId = :realmId"),
    @NamedQuery(
            name = "llmRealmSnapshotAtOrBefore",
            query =
                    "select s from LlmRealmSnapshotEntity s where s.realmId = :realmId and s.day <= :day order by s.day desc")
})
public class LlmRealmSnapshotEntity {

    @Id
    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Id
    @Column(name = "SNAPSHOT_DAY", nullable = false)
    private int day;

    @Column(name = "PROVIDERS", nullable = false)
    private int providers;

    @Column(name = "ACTIVE_MODELS", nullable = false)
    private int activeModels;

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

    public int getProviders() {
        return providers;
    }

    public void setProviders(int providers) {
        this.providers = providers;
    }

    public int getActiveModels() {
        return activeModels;
    }

    public void setActiveModels(int activeModels) {
        this.activeModels = activeModels;
    }

    /** The composite id: realm and day. */
    public static class Key implements Serializable {
        private String realmId;
        private int day;

        public Key() {}

        public Key(String realmId, int day) {
            this.realmId = realmId;
            this.day = day;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.day == day && Objects.equals(k.realmId, realmId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(realmId, day);
        }
    }
}
