package dev.llmgateway.keycloak.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.llmgateway.keycloak.usage.Rollup.Cube;
import dev.llmgateway.keycloak.usage.Rollup.Grain;
import jakarta.persistence.EntityManager;

/**
 * The housekeeping of the usage tables, one realm at a time: raw events past the retention period are deleted in small
 * batches (each its own transaction, so a large backlog never holds long locks); hourly rollups are deleted once no
 * chart reads them (daily and monthly rollups, and the budgets' daily rows, are kept); and the day's snapshot of what
 * the realm offers is written.
 */
public final class UsageMaintenance {

    /** Hourly rollups of the realm and per-model cubes serve the 7-day charts and the 30-day trends. */
    static final int HOURLY_DAYS_TRENDS = 62;

    /** Hourly rollups of the wide cubes serve only the 7-day charts. */
    static final int HOURLY_DAYS_WIDE = 8;

    public static final int DELETE_BATCH = 2_000;

    private UsageMaintenance() {}

    /** The instant before which a realm's events are deleted; null when retention is off (0 days). */
    public static Long cutoff(Instant now, int retentionDays) {
        return retentionDays <= 0 ? null : now.toEpochMilli() - TimeUnit.DAYS.toMillis(retentionDays);
    }

    /** Deletes up to {@link #DELETE_BATCH} events of the realm older than {@code before}; returns how many. */
    public static int deleteEventsBefore(EntityManager em, String realmId, long before) {
        List<String> ids = em.createNamedQuery("llmUsageEventIdsBefore", String.class)
                .setParameter("realmId", realmId)
                .setParameter("before", before)
                .setMaxResults(DELETE_BATCH)
                .getResultList();
        if (ids.isEmpty()) {
            return 0;
        }
        return em.createNamedQuery("llmUsageEventsDeleteIds")
                .setParameter("ids", ids)
                .executeUpdate();
    }

    /** Deletes the hourly rollups no chart reads any more. */
    public static int pruneHourly(EntityManager em, String realmId, Instant now) {
        int n = 0;
        for (Cube cube : Cube.values()) {
            if (!cube.grains.contains(Grain.HOUR)) {
                continue;
            }
            int days = cube == Cube.REALM || cube == Cube.PROVIDER_MODEL ? HOURLY_DAYS_TRENDS : HOURLY_DAYS_WIDE;
            int before = Grain.HOUR.bucket(now.toEpochMilli() - TimeUnit.DAYS.toMillis(days));
            n += em.createNamedQuery("llmUsageRollupPruneGrain")
                    .setParameter("realmId", realmId)
                    .setParameter("dims", cube.code)
                    .setParameter("grain", Grain.HOUR.code)
                    .setParameter("before", before)
                    .executeUpdate();
        }
        return n;
    }

    /** Records today's number of providers and of models the realm can route to. */
    public static void snapshot(EntityManager em, String realmId, Instant now, int providers, int activeModels) {
        int day = UsageLedger.day(LocalDate.ofInstant(now, ZoneOffset.UTC));
        LlmRealmSnapshotEntity s = em.find(LlmRealmSnapshotEntity.class, new LlmRealmSnapshotEntity.Key(realmId, day));
        if (s == null) {
            s = new LlmRealmSnapshotEntity();
            s.setRealmId(realmId);
            s.setDay(day);
            s.setProviders(providers);
            s.setActiveModels(activeModels);
            em.persist(s);
        } else {
            s.setProviders(providers);
            s.setActiveModels(activeModels);
        }
    }

    /** The latest snapshot taken on or before a day, if any. */
    public static LlmRealmSnapshotEntity snapshotAtOrBefore(EntityManager em, String realmId, LocalDate day) {
        List<LlmRealmSnapshotEntity> found = em.createNamedQuery(
                        "llmRealmSnapshotAtOrBefore", LlmRealmSnapshotEntity.class)
                .setParameter("realmId", realmId)
                .setParameter("day", UsageLedger.day(day))
                .setMaxResults(1)
                .getResultList();
        return found.isEmpty() ? null : found.get(0);
    }
}
