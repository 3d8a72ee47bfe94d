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
import java.util.Set;

import dev.llmgateway.keycloak.usage.Rollup.Cube;
import dev.llmgateway.keycloak.usage.Rollup.Grain;
import dev.llmgateway.keycloak.usage.Rollup.Totals;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;

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

        // The series by bucket, the breakdowns over the whole window (read from the coarsest rows that cover it): the
        // database returns one row per bucket and one per provider and model, whatever the number of rollup rows
        // behind them.
        Map<Integer, Totals> byBucket = new HashMap<>();
        for (Object[] row : sums(main, List.of(new Segment(grain, from, to)), f, "r.bucket")) {
            byBucket.put((Integer) row[0], Totals.ofSums(row, 1));
        }
        Map<String, Totals> byProvider = new HashMap<>();
        Map<String, Totals> byModel = new HashMap<>();
        Totals total = new Totals();
        for (Object[] row : sums(main, cover(w, main.grains), f, "r.providerId, r.model")) {
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
        List<Object[]> rows = sums(Cube.REALM, segments, null, null);
        return rows.isEmpty() ? new Totals() : Totals.ofSums(rows.get(0), 0);
    }

    /**
     * The {@code n} keys with the highest cost (then most calls) over a window. Two queries: the ranking sums only cost
     * and calls over every key's rows (half the work of all the sums), then all the sums of the {@code n} winners.
     */
    private Map<String, Totals> top(Cube cube, Window w, Filters f, String key, int n) {
        List<Segment> segments = cover(w, cube.grains);
        List<String> ranked = new ArrayList<>(n);
        Query rank = query(
                cube,
                segments,
                f,
                null,
                key + ", sum(r.cost), sum(r.calls)",
                key,
                "sum(r.cost) desc, sum(r.calls) desc, " + key);
        rank.setMaxResults(n);
        for (Object row : rank.getResultList()) {
            ranked.add((String) ((Object[]) row)[0]);
        }
        Map<String, Totals> sums = new HashMap<>();
        if (!ranked.isEmpty()) {
            Query all = query(cube, segments, f, new KeyIn(key, ranked), key + ", " + Totals.SUMS, key, null);
            for (Object row : all.getResultList()) {
                Object[] cols = (Object[]) row;
                sums.put((String) cols[0], Totals.ofSums(cols, 1));
            }
        }
        Map<String, Totals> out = new LinkedHashMap<>();
        ranked.forEach(k -> out.put(k, sums.getOrDefault(k, new Totals())));
        return out;
    }

    record Segment(Grain grain, int from, int to) {}

    /**
     * The window as few rollup buckets as the cube's grains allow: whole months as months; within a month, whole weeks
     * as weeks (if the cube has them) and the rest as days.
     */
    static List<Segment> cover(Window w, Set<Grain> grains) {
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
            LocalDate end = monthEnd.isAfter(w.lastDay()) ? w.lastDay() : monthEnd;
            if (d.getDayOfMonth() == 1 && end.equals(monthEnd)) {
                add(out, Grain.MONTH, UsageLedger.day(d) / 100);
            } else {
                for (LocalDate x = d; !x.isAfter(end); ) {
                    int week = Rollup.weekOf(UsageLedger.day(x));
                    LocalDate weekEnd = Rollup.lastDayOfWeek(week);
                    if (grains.contains(Grain.WEEK) && x.equals(Rollup.firstDayOfWeek(week)) && !weekEnd.isAfter(end)) {
                        add(out, Grain.WEEK, week);
                        x = weekEnd.plusDays(1);
                    } else {
                        add(out, Grain.DAY, UsageLedger.day(x));
                        x = x.plusDays(1);
                    }
                }
            }
            d = end.plusDays(1);
        }
        return out;
    }

    /** Adds a bucket, extending the last segment if the bucket follows it. */
    private static void add(List<Segment> out, Grain grain, int bucket) {
        Segment last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && last.grain() == grain && grain.next(last.to()) == bucket) {
            out.set(out.size() - 1, new Segment(grain, last.from(), bucket));
        } else {
            out.add(new Segment(grain, bucket, bucket));
        }
    }

    /** A restriction of the group key to given values. */
    private record KeyIn(String key, List<String> values) {}

    /**
     * The sums of a cube's rows over time segments, grouped by {@code groupBy} (null: one row): the database adds up,
     * only the groups travel. Each result row is the group's columns, then {@link Totals#SUMS}' columns.
     */
    private List<Object[]> sums(Cube cube, List<Segment> segments, Filters f, String groupBy) {
        String select = groupBy == null ? Totals.SUMS : groupBy + ", " + Totals.SUMS;
        List<Object[]> rows = new ArrayList<>();
        for (Object row : query(cube, segments, f, null, select, groupBy, null).getResultList()) {
            rows.add((Object[]) row);
        }
        // A single sum over no rows is one row of nulls.
        return groupBy == null && !rows.isEmpty() && rows.get(0)[0] == null ? List.of() : rows;
    }

    /** A query over a cube's rows in time segments, with the filters, optionally restricted to some keys. */
    private Query query(
            Cube cube, List<Segment> segments, Filters f, KeyIn in, String select, String groupBy, String orderBy) {
        StringBuilder jpql = new StringBuilder("select ")
                .append(select)
                .append(" from LlmUsageRollupEntity r where r.realmId = :realmId");
        Map<String, Object> params = new LinkedHashMap<>();
        if (f != null && f.user() != null) {
            jpql.append(" and r.userId = :user");
            params.put("user", f.user());
        }
        if (in != null) {
            jpql.append(" and ").append(in.key()).append(" in :keys");
            params.put("keys", in.values());
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
        Query q =
                em.createQuery(jpql.toString()).setParameter("realmId", realmId).setParameter("dims", cube.code);
        params.forEach(q::setParameter);
        return q;
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
