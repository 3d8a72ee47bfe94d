package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentHashMap;

import dev.llmgateway.keycloak.core.UsageEvent;
import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

/**
 * Each user's spend this calendar month (UTC) for budget checks, from shared state: the daily rollups every node
 * writes. A node reads a user's spend from the database at most once per refresh interval and adds the calls it
 * recorded itself since; so the gateway's hot path queries the database only for users with a budget, and at most
 * once per interval each. Calls on other nodes show after their next flush and this node's next read. A user who has
 * used {@value #NEAR_PERCENT} % of the budget or more is read again after the ledger's flush interval instead (when
 * that is shorter), so other nodes' calls count within about two flush intervals where it matters: at the limit.
 * BYOK calls and unpriced calls never count.
 */
public final class Budgets {

    /** Entries kept per node before the oldest are forgotten (a forgotten user is read again on the next call). */
    private static final int MAX_TRACKED = 100_000;

    private static final class Spend {
        int month;
        long readAt;
        BigDecimal stored;
        BigDecimal local = BigDecimal.ZERO;
    }

    /** From this share of the budget on, a user's spend is read again after {@code nearMillis}. */
    static final int NEAR_PERCENT = 50;

    private final ConcurrentHashMap<String, Spend> spends = new ConcurrentHashMap<>();
    private final long refreshMillis;
    private final long nearMillis;

    /**
     * @param refreshMillis how old a user's spend read from the database may get
     * @param nearMillis the same for users near their budget (the ledger's flush interval: other nodes' calls reach
     *     the database no sooner)
     */
    public Budgets(long refreshMillis, long nearMillis) {
        this.refreshMillis = refreshMillis;
        this.nearMillis = Math.min(refreshMillis, nearMillis);
    }

    /**
     * This month's spend of a user, at most {@code refreshMillis} old as far as other nodes go ({@code nearMillis}
     * once it reaches {@value #NEAR_PERCENT} % of {@code budget}).
     */
    public BigDecimal spentThisMonth(
            KeycloakSession session, String realmId, String userId, BigDecimal budget, long now) {
        int month = month(now);
        Spend s = spends.get(key(realmId, userId));
        if (s != null) {
            synchronized (s) {
                if (s.stored != null && s.month == month) {
                    BigDecimal spent = s.stored.add(s.local);
                    long maxAge = near(spent, budget) ? nearMillis : refreshMillis;
                    if (now - s.readAt < maxAge) {
                        return spent;
                    }
                }
            }
        } else {
            if (spends.size() >= MAX_TRACKED) {
                spends.clear();
            }
            s = spends.computeIfAbsent(key(realmId, userId), k -> new Spend());
        }
        BigDecimal stored = read(session, realmId, userId, month);
        synchronized (s) {
            s.month = month;
            s.readAt = now;
            s.stored = stored;
            s.local = BigDecimal.ZERO;
        }
        return stored;
    }

    private static boolean near(BigDecimal spent, BigDecimal budget) {
        return budget != null
                && spent.multiply(BigDecimal.valueOf(100)).compareTo(budget.multiply(BigDecimal.valueOf(NEAR_PERCENT)))
                        >= 0;
    }

    /** Adds a call this node just recorded to the user's spend, until the next read from the database. */
    public void recorded(UsageEvent e) {
        if (e.byok() || e.userId() == null || e.cost() == null || e.cost().signum() == 0) {
            return;
        }
        Spend s = spends.get(key(e.realmId(), e.userId()));
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (s.stored != null && s.month == month(e.createdAt())) {
                s.local = s.local.add(e.cost());
            }
        }
    }

    public void forgetRealm(String realmId) {
        spends.keySet().removeIf(k -> k.startsWith(realmId + "|"));
    }

    /** The month's spend of a user as the database holds it now (BYOK excluded). */
    public static BigDecimal read(KeycloakSession session, String realmId, String userId, int month) {
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        BigDecimal sum = em.createNamedQuery("llmUsageDailyUserSpend", BigDecimal.class)
                .setParameter("realmId", realmId)
                .setParameter("userId", userId)
                .setParameter("fromDay", month * 100 + 1)
                .setParameter("toDay", month * 100 + 31)
                .getSingleResult();
        return sum == null ? BigDecimal.ZERO : sum;
    }

    /** The month of an instant as yyyyMM, in UTC (budgets reset at midnight UTC on the first of the month). */
    public static int month(long epochMillis) {
        LocalDate d = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate();
        return d.getYear() * 100 + d.getMonthValue();
    }

    /** The first day of the next month (UTC), when budgets reset. */
    public static LocalDate resetDate(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis)
                .atZone(ZoneOffset.UTC)
                .toLocalDate()
                .withDayOfMonth(1)
                .plusMonths(1);
    }

    private static String key(String realmId, String userId) {
        return realmId + "|" + userId;
    }
}
