package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
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
import org.hibernate.Session;

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

    /** Rows fetched per round trip. */
    private static final int FETCH = 1_000;

    private static final RankingCache RANKINGS = new RankingCache(100_000);

    private final EntityManager em;
    private final String realmId;
    private final Instant now;
    private final String table;

    public UsageAnalytics(EntityManager em, String realmId, Instant now) {
        this.em = em;
        this.realmId = realmId;
        this.now = now;
        this.table = UsageLedger.tableName(em, LlmUsageRollupEntity.class);
    }

    /** Drops what this node remembers of a realm's rankings (the realm is gone). */
    public static void forgetRealm(String realmId) {
        RANKINGS.forgetRealm(realmId);
    }

    public Window window(Period period) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate first;
        if (period == Period.ALL) {
            List<Object[]> rows = run(
                    "select min(BUCKET) from " + table + " where REALM_ID = ? and DIMS = ? and GRAIN = ?",
                    List.of(realmId, Cube.REALM.code, Grain.MONTH.code));
            Number min = rows.isEmpty() ? null : (Number) rows.get(0)[0];
            int month = min == null ? Integer.MAX_VALUE : min.intValue();
            first = month > today.getYear() * 100 + today.getMonthValue()
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
        Cube seriesCube = f.none() ? Cube.REALM : main;
        for (Object[] row : sums(seriesCube, List.of(new Segment(grain, from, to)), f, "BUCKET")) {
            byBucket.put(((Number) row[0]).intValue(), Totals.ofSums(row, 1));
        }
        Map<String, Totals> byProvider = new HashMap<>();
        Map<String, Totals> byModel = new HashMap<>();
        Totals total = new Totals();
        for (Object[] row : sums(main, cover(w, main.grains), f, "PROVIDER_ID, MODEL")) {
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
            users = top(f.none() ? Cube.USER : Cube.ALL, w, f, "USER_ID", top);
        }
        Cube clientCube = f.none() ? Cube.CLIENT : f.user() != null ? Cube.ALL : Cube.ALL_BUT_USER;
        Map<String, Totals> clients = top(clientCube, w, f, "CLIENT_ID", top);
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
     * The {@code n} keys with the highest cost (then most calls) over a window, with all their sums.
     *
     * <p>The ranking needs every key's cost and calls over the window. Days before today do not change once written,
     * so this node keeps those per key ({@link RankingCache}) and adds today's rows to them; what it keeps is checked
     * against the realm's own total of calls and cost over the same days (one small read), so a late write into a past
     * day is seen at once. Then one query reads all the sums of the {@code n} winners.
     */
    private Map<String, Totals> top(Cube cube, Window w, Filters f, String key, int n) {
        LocalDate today = w.lastDay();
        Map<String, Rank> ranks = new HashMap<>();
        if (w.firstDay().isBefore(today)) {
            Window past = new Window(w.period(), w.from(), w.to(), w.firstDay(), today.minusDays(1));
            List<Segment> segments = cover(past, cube.grains);
            Totals stamp = sum(cover(past, Cube.REALM.grains));
            String cacheKey = realmId + "\u0000" + cube.code + "\u0000" + key + "\u0000" + f + "\u0000" + segments;
            Map<String, Rank> kept = RANKINGS.get(cacheKey, stamp);
            if (kept == null) {
                kept = ranks(cube, segments, f, key);
                RANKINGS.put(cacheKey, stamp, kept);
            }
            ranks.putAll(kept);
        }
        int day = UsageLedger.day(today);
        ranks(cube, List.of(new Segment(Grain.DAY, day, day)), f, key).forEach((k, r) -> ranks.merge(k, r, Rank::plus));

        List<String> ranked = ranks.entrySet().stream()
                .sorted(Comparator.comparing(
                                (Map.Entry<String, Rank> e) -> e.getValue().cost())
                        .reversed()
                        .thenComparing(Comparator.comparingLong((Map.Entry<String, Rank> e) ->
                                        e.getValue().calls())
                                .reversed())
                        .thenComparing(Map.Entry::getKey))
                .limit(n)
                .map(Map.Entry::getKey)
                .toList();
        Map<String, Totals> sums = new HashMap<>();
        if (!ranked.isEmpty()) {
            Sql all = sql(cube, cover(w, cube.grains), f, new KeyIn(key, ranked), key + ", " + Totals.SQL_SUMS, key);
            for (Object[] row : run(all.text(), all.params())) {
                sums.put((String) row[0], Totals.ofSums(row, 1));
            }
        }
        Map<String, Totals> out = new LinkedHashMap<>();
        ranked.forEach(k -> out.put(k, sums.getOrDefault(k, new Totals())));
        return out;
    }

    /** Every key's cost and calls over some segments. */
    private Map<String, Rank> ranks(Cube cube, List<Segment> segments, Filters f, String key) {
        Sql q = sql(cube, segments, f, null, key + ", sum(COST), sum(CALLS)", key);
        Map<String, Rank> out = new HashMap<>();
        for (Object[] row : run(q.text(), q.params())) {
            out.put((String) row[0], new Rank(Totals.amount(row[1]), Totals.count(row[2])));
        }
        return out;
    }

    /** A key's cost and calls: what the ranking orders by. */
    record Rank(BigDecimal cost, long calls) {
        Rank plus(Rank o) {
            return new Rank(cost.add(o.cost), calls + o.calls);
        }
    }

    /**
     * Per node, bounded: each key's {@link Rank} over the past days of a window, for as long as the realm's total calls
     * and cost over those days are what they were when it was read. Least recently used first out.
     */
    static final class RankingCache {
        private final int maxKeys;
        private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
        private long keys;

        private record Entry(long calls, BigDecimal cost, Map<String, Rank> ranks) {}

        RankingCache(int maxKeys) {
            this.maxKeys = maxKeys;
        }

        synchronized Map<String, Rank> get(String key, Totals stamp) {
            Entry e = entries.get(key);
            if (e == null) {
                return null;
            }
            if (e.calls() != stamp.calls || e.cost().compareTo(stamp.cost) != 0) {
                remove(key);
                return null;
            }
            return e.ranks();
        }

        synchronized void put(String key, Totals stamp, Map<String, Rank> ranks) {
            remove(key);
            if (ranks.size() > maxKeys) {
                return;
            }
            entries.put(key, new Entry(stamp.calls, stamp.cost, Map.copyOf(ranks)));
            keys += ranks.size();
            var oldest = entries.entrySet().iterator();
            while (keys > maxKeys && oldest.hasNext()) {
                keys -= oldest.next().getValue().ranks().size();
                oldest.remove();
            }
        }

        synchronized void forgetRealm(String realmId) {
            String prefix = realmId + "\u0000";
            var it = entries.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (e.getKey().startsWith(prefix)) {
                    keys -= e.getValue().ranks().size();
                    it.remove();
                }
            }
        }

        private void remove(String key) {
            Entry old = entries.remove(key);
            if (old != null) {
                keys -= old.ranks().size();
            }
        }
    }

    record Segment(Grain grain, int from, int to) {}

    /**
     * The window as few rollup buckets as the cube's grains allow: whole months as months; within a month, whole weeks
     * as weeks (if the cube has them) and the rest as days.
     */
    static List<Segment> cover(Window w, Set<Grain> grains) {
        List<Segment> out = new ArrayList<>();
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

    /** A statement and its parameters. */
    private record Sql(String text, List<Object> params) {}

    /**
     * The sums of a cube's rows over time segments, grouped by {@code groupBy} (null: one row): the database adds up,
     * only the groups travel. Each result row is the group's columns, then {@link Totals#SQL_SUMS}' columns.
     */
    private List<Object[]> sums(Cube cube, List<Segment> segments, Filters f, String groupBy) {
        String select = groupBy == null ? Totals.SQL_SUMS : groupBy + ", " + Totals.SQL_SUMS;
        Sql q = sql(cube, segments, f, null, select, groupBy);
        List<Object[]> rows = run(q.text(), q.params());
        // A single sum over no rows is one row of nulls.
        return groupBy == null && !rows.isEmpty() && rows.get(0)[0] == null ? List.of() : rows;
    }

    /**
     * A query over a cube's rows in time segments, with the filters, optionally restricted to some keys. Plain SQL on
     * the session's connection: these statements change with the window and filters, and the ORM's translation of
     * each cost more than the database's work.
     */
    private Sql sql(Cube cube, List<Segment> segments, Filters f, KeyIn in, String select, String groupBy) {
        StringBuilder sql = new StringBuilder("select ")
                .append(select)
                .append(" from ")
                .append(table)
                .append(" where REALM_ID = ?");
        List<Object> params = new ArrayList<>();
        params.add(realmId);
        if (f != null && f.user() != null) {
            sql.append(" and USER_ID = ?");
            params.add(f.user());
        }
        if (in != null) {
            sql.append(" and ")
                    .append(in.key())
                    .append(" in (")
                    .append(String.join(", ", Collections.nCopies(in.values().size(), "?")))
                    .append(")");
            params.addAll(in.values());
        }
        sql.append(" and DIMS = ? and (");
        params.add(cube.code);
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            sql.append(i > 0 ? " or " : "").append("(GRAIN = ? and BUCKET between ? and ?)");
            params.add(s.grain().code);
            params.add(s.from());
            params.add(s.to());
        }
        sql.append(")");
        if (f != null) {
            filter(sql, params, "PROVIDER_ID", f.provider());
            filter(sql, params, "MODEL", f.model());
            filter(sql, params, "CLIENT_ID", f.client());
            filter(sql, params, "LEVEL_KEY", f.level());
        }
        if (groupBy != null) {
            sql.append(" group by ").append(groupBy);
        }
        return new Sql(sql.toString(), params);
    }

    private static void filter(StringBuilder sql, List<Object> params, String column, String v) {
        if (v != null) {
            sql.append(" and ").append(column).append(" = ?");
            params.add(v);
        }
    }

    /** Runs a query on the session's connection; each row as its columns' values. */
    private List<Object[]> run(String sql, List<Object> params) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setFetchSize(FETCH);
                for (int i = 0; i < params.size(); i++) {
                    st.setObject(i + 1, params.get(i));
                }
                try (ResultSet rs = st.executeQuery()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        Object[] row = new Object[columns];
                        for (int i = 0; i < columns; i++) {
                            row[i] = rs.getObject(i + 1);
                        }
                        rows.add(row);
                    }
                }
            }
            return rows;
        });
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
