package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.llmgateway.keycloak.usage.Rollup.Cube;
import dev.llmgateway.keycloak.usage.Rollup.Grain;
import dev.llmgateway.keycloak.usage.Rollup.Totals;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;

/**
 * Reads the rollups for the admin analytics: never the usage events. Each question goes to the smallest cube that holds
 * the dimensions it filters or groups by, at the coarsest grain that fits the period, so a chart reads a few thousand
 * rows at most however many calls were made.
 */
public final class UsageAnalytics {

    /** The periods the charts offer. Windows are whole UTC days (today so far included), except {@code all}. */
    public enum Period {
        D7("7d", 7, Grain.HOUR),
        D30("30d", 30, Grain.DAY),
        D90("90d", 90, Grain.DAY),
        ALL("all", 0, Grain.MONTH);

        public final String id;
        public final int days;
        public final Grain seriesGrain;

        Period(String id, int days, Grain seriesGrain) {
            this.id = id;
            this.days = days;
            this.seriesGrain = seriesGrain;
        }

        public static Optional<Period> of(String id) {
            for (Period p : values()) {
                if (p.id.equals(id)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /** Optional filters; null means "any". */
    public record Filters(String provider, String model, String user, String client, String level) {
        public boolean none() {
            return provider == null && model == null && user == null && client == null && level == null;
        }

        boolean onlyProviderOrModel() {
            return user == null && client == null && level == null;
        }
    }

    /** The time the answer covers: {@code from} (inclusive) to {@code to} (now), and its first and last UTC day. */
    public record Window(Period period, Instant from, Instant to, LocalDate firstDay, LocalDate lastDay) {}

    /** One bucket of the series. */
    public record Point(Instant start, Totals totals) {}

    /** Everything {@code GET /usage} shows, keyed by ids (the caller resolves names). */
    public record Result(
            Window window,
            Totals totals,
            List<Point> series,
            Map<String, Totals> byProvider,
            Map<String, Totals> byModel,
            Map<String, Totals> topUsers,
            Map<String, Totals> topClients) {}

    /** Calls and cost of the last 30 days and of the 30 days before, cut at the same hour of day. */
    public record Stats(long calls, BigDecimal cost, long previousCalls, BigDecimal previousCost) {}

    private final EntityManager em;
    private final String realmId;
    private final Instant now;

    public UsageAnalytics(EntityManager em, String realmId, Instant now) {
        this.em = em;
        this.realmId = realmId;
        this.now = now;
    }

    public Window window(Period period) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate first;
        if (period == Period.ALL) {
            Integer month = em.createNamedQuery("llmUsageRollupFirstBucket", Integer.class)
                    .setParameter("realmId", realmId)
                    .setParameter("dims", Cube.REALM.code)
                    .setParameter("grain", Grain.MONTH.code)
                    .getSingleResult();
            first = month == null || month > today.getYear() * 100 + today.getMonthValue()
                    ? today.withDayOfMonth(1)
                    : LocalDate.of(month / 100, month % 100, 1);
        } else {
            first = today.minusDays(period.days - 1L);
        }
        return new Window(period, first.atStartOfDay(ZoneOffset.UTC).toInstant(), now, first, today);
    }

    public Result usage(Period period, Filters f, boolean withUsers, int top) {
        Window w = window(period);
        Grain grain = period.seriesGrain;
        Cube main = f.user() != null ? Cube.ALL : f.onlyProviderOrModel() ? Cube.PROVIDER_MODEL : Cube.ALL_BUT_USER;
        int from = grain.bucket(w.from().toEpochMilli());
        int to = grain.bucket(now.toEpochMilli());

        // The series by bucket, the breakdowns over the whole window: the database returns one row per bucket and
        // one per provider and model, whatever the number of rollup rows behind them.
        List<Segment> window = List.of(new Segment(grain, from, to));
        Map<Integer, Totals> byBucket = new HashMap<>();
        for (Object[] row : sums(main, window, f, "r.bucket", null, 0)) {
            byBucket.put((Integer) row[0], Totals.ofSums(row, 1));
        }
        Map<String, Totals> byProvider = new HashMap<>();
        Map<String, Totals> byModel = new HashMap<>();
        Totals total = new Totals();
        for (Object[] row : sums(main, window, f, "r.providerId, r.model", null, 0)) {
            Totals t = Totals.ofSums(row, 2);
            byProvider.computeIfAbsent((String) row[0], b -> new Totals()).add(t);
            byModel.computeIfAbsent((String) row[1], b -> new Totals()).add(t);
            total.add(t);
        }
        List<Point> points = new ArrayList<>();
        for (int b = from; b <= to; b = grain.next(b)) {
            points.add(new Point(grain.start(b), byBucket.getOrDefault(b, new Totals())));
        }

        Map<String, Totals> users = null;
        if (withUsers) {
            users = top(f.none() ? Cube.USER : Cube.ALL, w, f, "r.userId", top);
        }
        Cube clientCube = f.none() ? Cube.CLIENT : f.user() != null ? Cube.ALL : Cube.ALL_BUT_USER;
        Map<String, Totals> clients = top(clientCube, w, f, "r.clientId", top);
        return new Result(w, total, points, sorted(byProvider), sorted(byModel), users, clients);
    }

    public Stats stats() {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Totals current =
                sum(List.of(new Segment(Grain.DAY, UsageLedger.day(today.minusDays(29)), UsageLedger.day(today))));
        // The previous window's last day only up to the hour it is now, so both windows cover the same time.
        ZonedDateTime cut = now.atZone(ZoneOffset.UTC).minusDays(30);
        int firstHour = Grain.HOUR.bucket(
                cut.toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli());
        int lastHour = Grain.HOUR.bucket(cut.toInstant().toEpochMilli());
        Totals previous = sum(List.of(
                new Segment(Grain.DAY, UsageLedger.day(today.minusDays(59)), UsageLedger.day(today.minusDays(31))),
                new Segment(Grain.HOUR, firstHour, lastHour)));
        return new Stats(current.calls, current.cost, previous.calls, previous.cost);
    }

    private Totals sum(List<Segment> segments) {
        List<Object[]> rows = sums(Cube.REALM, segments, null, null, null, 0);
        return rows.isEmpty() ? new Totals() : Totals.ofSums(rows.get(0), 0);
    }

    /** The {@code n} keys with the highest cost (then most calls) over a window, summed by the database. */
    private Map<String, Totals> top(Cube cube, Window w, Filters f, String key, int n) {
        Map<String, Totals> out = new LinkedHashMap<>();
        String order = "sum(r.cost) desc, sum(r.calls) desc, " + key;
        for (Object[] row : sums(cube, cover(w), f, key, order, n)) {
            out.put((String) row[0], Totals.ofSums(row, 1));
        }
        return out;
    }

    record Segment(Grain grain, int from, int to) {}

    /** The window as month and day ranges: whole months as months, the rest as days. */
    static List<Segment> cover(Window w) {
        List<Segment> out = new ArrayList<>();
        if (w.period() == Period.ALL) {
            int first = UsageLedger.day(w.firstDay()) / 100;
            int last = UsageLedger.day(w.lastDay()) / 100;
            out.add(new Segment(Grain.MONTH, first, last));
            return out;
        }
        LocalDate d = w.firstDay();
        while (!d.isAfter(w.lastDay())) {
            LocalDate monthEnd = d.withDayOfMonth(d.lengthOfMonth());
            if (d.getDayOfMonth() == 1 && !monthEnd.isAfter(w.lastDay())) {
                out.add(new Segment(Grain.MONTH, UsageLedger.day(d) / 100, UsageLedger.day(d) / 100));
                d = monthEnd.plusDays(1);
            } else {
                LocalDate end = monthEnd.isAfter(w.lastDay()) ? w.lastDay() : monthEnd;
                out.add(new Segment(Grain.DAY, UsageLedger.day(d), UsageLedger.day(end)));
                d = end.plusDays(1);
            }
        }
        return out;
    }

    /**
     * The sums of a cube's rows over time segments, grouped by {@code groupBy} (null: one row), optionally ordered and
     * limited: the database adds up, only the groups travel. Each result row is the group's columns, then
     * {@link Totals#SUMS}' columns.
     */
    private List<Object[]> sums(
            Cube cube, List<Segment> segments, Filters f, String groupBy, String orderBy, int limit) {
        StringBuilder jpql = new StringBuilder("select ");
        if (groupBy != null) {
            jpql.append(groupBy).append(", ");
        }
        jpql.append(Totals.SUMS).append(" from LlmUsageRollupEntity r where r.realmId = :realmId");
        Map<String, Object> params = new LinkedHashMap<>();
        if (f != null && f.user() != null) {
            jpql.append(" and r.userId = :user");
            params.put("user", f.user());
        }
        jpql.append(" and r.dims = :dims and (");
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            if (i > 0) {
                jpql.append(" or ");
            }
            jpql.append("(r.grain = :g")
                    .append(i)
                    .append(" and r.bucket between :f")
                    .append(i)
                    .append(" and :t")
                    .append(i)
                    .append(")");
            params.put("g" + i, s.grain().code);
            params.put("f" + i, s.from());
            params.put("t" + i, s.to());
        }
        jpql.append(")");
        if (f != null) {
            filter(jpql, params, "providerId", "provider", f.provider());
            filter(jpql, params, "model", "model", f.model());
            filter(jpql, params, "clientId", "client", f.client());
            filter(jpql, params, "level", "level", f.level());
        }
        if (groupBy != null) {
            jpql.append(" group by ").append(groupBy);
        }
        if (orderBy != null) {
            jpql.append(" order by ").append(orderBy);
        }
        TypedQuery<Object[]> q = em.createQuery(jpql.toString(), Object[].class)
                .setParameter("realmId", realmId)
                .setParameter("dims", cube.code);
        params.forEach(q::setParameter);
        if (limit > 0) {
            q.setMaxResults(limit);
        }
        List<Object[]> rows = q.getResultList();
        // A single sum over no rows is one row of nulls.
        return groupBy == null && !rows.isEmpty() && rows.get(0)[0] == null ? List.of() : rows;
    }

    private static void filter(StringBuilder jpql, Map<String, Object> params, String field, String name, String v) {
        if (v != null) {
            jpql.append(" and r.").append(field).append(" = :").append(name);
            params.put(name, v);
        }
    }

    /** Highest cost first, then most calls, then key. */
    private static final Comparator<Map.Entry<String, Totals>> BY_COST =
            Comparator.<Map.Entry<String, Totals>, BigDecimal>comparing(e -> e.getValue().cost)
                    .reversed()
                    .thenComparing(Comparator.<Map.Entry<String, Totals>>comparingLong(e -> e.getValue().calls)
                            .reversed())
                    .thenComparing(Map.Entry::getKey);

    private static Map<String, Totals> sorted(Map<String, Totals> in) {
        Map<String, Totals> out = new LinkedHashMap<>();
        in.entrySet().stream().sorted(BY_COST).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
