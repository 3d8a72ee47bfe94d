package dev.llmgateway.keycloak.gateway;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.llmgateway.keycloak.common.ApiErrors;
import dev.llmgateway.keycloak.common.Decimals;
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

    private static final class Day {
        long calls, errors, byokCalls, promptTokens, completionTokens;
        BigDecimal cost = BigDecimal.ZERO, saved = BigDecimal.ZERO;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> usage(@QueryParam("days") Integer days) {
        UserModel user = GatewayResource.authenticate(session).user();
        int n = days == null ? 30 : days;
        if (n < 1 || n > MAX_DAYS) {
            throw ApiErrors.badRequest("days", "days must be between 1 and " + MAX_DAYS);
        }
        LocalDate to = LocalDate.now(ZoneOffset.UTC);
        LocalDate from = to.minusDays(n - 1L);
        TreeMap<Integer, Day> byDay = new TreeMap<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            byDay.put(key(d), new Day());
        }
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        for (Object[] row : em.createNamedQuery("llmUsageDailyUserDays", Object[].class).setParameter("realmId", realm.getId())
                .setParameter("userId", user.getId()).setParameter("fromDay", key(from)).setParameter("toDay", key(to))
                .getResultList()) {
            Day day = byDay.get(((Number) row[0]).intValue());
            if (day == null) {
                continue;
            }
            boolean byok = (Boolean) row[1];
            long calls = ((Number) row[2]).longValue();
            BigDecimal cost = row[6] == null ? BigDecimal.ZERO : (BigDecimal) row[6];
            day.calls += calls;
            day.errors += ((Number) row[3]).longValue();
            day.promptTokens += ((Number) row[4]).longValue();
            day.completionTokens += ((Number) row[5]).longValue();
            if (byok) {
                day.byokCalls += calls;
                day.saved = day.saved.add(cost);
            } else {
                day.cost = day.cost.add(cost);
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        Day total = new Day();
        byDay.forEach((k, d) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", LocalDate.of(k / 10_000, k / 100 % 100, k % 100).toString());
            m.put("calls", d.calls);
            m.put("errors", d.errors);
            m.put("byok_calls", d.byokCalls);
            m.put("prompt_tokens", d.promptTokens);
            m.put("completion_tokens", d.completionTokens);
            m.put("cost", Decimals.plain(d.cost));
            m.put("saved", Decimals.plain(d.saved));
            out.add(m);
            total.calls += d.calls;
            total.errors += d.errors;
            total.byokCalls += d.byokCalls;
            total.promptTokens += d.promptTokens;
            total.completionTokens += d.completionTokens;
            total.cost = total.cost.add(d.cost);
            total.saved = total.saved.add(d.saved);
        });
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("calls", total.calls);
        totals.put("errors", total.errors);
        totals.put("byok_calls", total.byokCalls);
        totals.put("prompt_tokens", total.promptTokens);
        totals.put("completion_tokens", total.completionTokens);
        totals.put("cost", Decimals.plain(total.cost));
        totals.put("saved", Decimals.plain(total.saved));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("currency", "USD");
        result.put("from", from.toString());
        result.put("to", to.toString());
        result.put("days", out);
        result.put("totals", totals);
        return result;
    }

    private static int key(LocalDate d) {
        return d.getYear() * 10_000 + d.getMonthValue() * 100 + d.getDayOfMonth();
    }
}
