package dev.llmgateway.keycloak.rest.realm;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.usage.UsageLedger;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * {@code /realms/{realm}/llm/me/usage?days=30}: the caller's own calls per UTC day (from the daily rollups), every day
 * of the period present, oldest first; BYOK calls apart, their cost shown as saved rather than spent.
 */
public class MeUsageResource {

    static final int MAX_DAYS = 366;

    private final KeycloakSession session;
    private final RealmModel realm;

    MeUsageResource(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
    }

    /** Calls, tokens and money of one day (or of the whole period). */
    static final class Tally {
        long calls, errors, byokCalls, promptTokens, completionTokens;
        BigDecimal cost = BigDecimal.ZERO, saved = BigDecimal.ZERO;

        void add(
                long calls,
                long errors,
                long byokCalls,
                long prompt,
                long completion,
                BigDecimal cost,
                BigDecimal saved) {
            this.calls += calls;
            this.errors += errors;
            this.byokCalls += byokCalls;
            this.promptTokens += prompt;
            this.completionTokens += completion;
            this.cost = this.cost.add(cost);
            this.saved = this.saved.add(saved);
        }

        UsageReport.Day day(LocalDate date) {
            return new UsageReport.Day(
                    date.toString(),
                    calls,
                    errors,
                    byokCalls,
                    promptTokens,
                    completionTokens,
                    Decimals.plain(cost),
                    Decimals.plain(saved));
        }

        UsageReport.Totals totals() {
            return new UsageReport.Totals(
                    calls,
                    errors,
                    byokCalls,
                    promptTokens,
                    completionTokens,
                    Decimals.plain(cost),
                    Decimals.plain(saved));
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public UsageReport usage(@QueryParam("days") String days) {
        UserModel user = GatewayResource.authenticate(session).user();
        // Read as text: a value that is not a whole number (days=abc, days=2147483648) is a 400 naming it, not a 404.
        int n;
        try {
            n = days == null ? 30 : Integer.parseInt(days.strip());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_DAYS) {
            throw ApiErrors.badRequest("days", "days must be a whole number from 1 to " + MAX_DAYS);
        }
        LocalDate to = LocalDate.now(ZoneOffset.UTC);
        LocalDate from = to.minusDays(n - 1L);
        TreeMap<Integer, Tally> byDay = new TreeMap<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            byDay.put(UsageLedger.day(d), new Tally());
        }
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        for (Object[] row : em.createNamedQuery("llmUsageDailyUserDays", Object[].class)
                .setParameter("realmId", realm.getId())
                .setParameter("userId", user.getId())
                .setParameter("fromDay", UsageLedger.day(from))
                .setParameter("toDay", UsageLedger.day(to))
                .getResultList()) {
            Tally day = byDay.get(((Number) row[0]).intValue());
            if (day == null) {
                continue;
            }
            boolean byok = (Boolean) row[1];
            long calls = ((Number) row[2]).longValue();
            BigDecimal cost = row[6] == null ? BigDecimal.ZERO : (BigDecimal) row[6];
            day.add(
                    calls,
                    ((Number) row[3]).longValue(),
                    byok ? calls : 0,
                    ((Number) row[4]).longValue(),
                    ((Number) row[5]).longValue(),
                    byok ? BigDecimal.ZERO : cost,
                    byok ? cost : BigDecimal.ZERO);
        }
        Tally total = new Tally();
        List<UsageReport.Day> out = new ArrayList<>();
        LocalDate date = from;
        for (Tally d : byDay.values()) {
            out.add(d.day(date));
            total.add(d.calls, d.errors, d.byokCalls, d.promptTokens, d.completionTokens, d.cost, d.saved);
            date = date.plusDays(1);
        }
        return new UsageReport("USD", from.toString(), to.toString(), out, total.totals());
    }
}
