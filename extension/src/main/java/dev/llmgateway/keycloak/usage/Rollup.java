package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.llmgateway.keycloak.core.UsageEvent;

/**
 * The analytics rollups: usage events summed per time bucket over a few fixed sets of dimensions ("cubes"), so every
 * chart reads a small number of rows whatever the number of events. Each event adds to one row of each cube at each of
 * the cube's grains. A cube leaves the dimensions it does not hold empty ({@code ""}), so each row is keyed by all of
 * them and its id is derived from that key (the ledger can increment it without reading it first).
 *
 * <p>Pure: no database. The ledger and the analytics benchmark both aggregate through {@link #aggregate(List)}.
 */
public final class Rollup {

    /** Upper bounds (inclusive, milliseconds) of the latency histogram's buckets; the last bucket is unbounded. */
    public static final long[] LATENCY_BOUNDS_MS = {
        50, 100, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 20_000, 60_000
    };

    /** Number of histogram buckets: one per bound and one above the last. */
    public static final int LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

    private Rollup() {}

    /** The dimensions a cube can hold. */
    public enum Dim {
        USER,
        CLIENT,
        PROVIDER,
        MODEL,
        LEVEL
    }

    /**
     * Time buckets: UTC hours (hours since the epoch), UTC days (yyyymmdd), the weeks of a UTC month (yyyymmw: days 1–7
     * are week 1, 8–14 week 2, 15–21 week 3, 22–28 week 4, the rest of the month week 5, so a week never crosses into
     * the next month) and UTC months (yyyymm).
     */
    public enum Grain {
        HOUR("h"),
        DAY("d"),
        WEEK("w"),
        MONTH("m");

        public final String code;

        Grain(String code) {
            this.code = code;
        }

        public int bucket(long epochMillis) {
            return switch (this) {
                case HOUR -> (int) Math.floorDiv(epochMillis, 3_600_000L);
                case DAY -> UsageLedger.day(epochMillis);
                case WEEK -> weekOf(UsageLedger.day(epochMillis));
                case MONTH -> UsageLedger.day(epochMillis) / 100;
            };
        }

        /** The first instant of a bucket. */
        public Instant start(int bucket) {
            return switch (this) {
                case HOUR -> Instant.ofEpochMilli(bucket * 3_600_000L);
                case DAY -> dayOf(bucket).atStartOfDay(ZoneOffset.UTC).toInstant();
                case WEEK -> firstDayOfWeek(bucket).atStartOfDay(ZoneOffset.UTC).toInstant();
                case MONTH ->
                    LocalDate.of(bucket / 100, bucket % 100, 1)
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant();
            };
        }

        /** The bucket after this one. */
        public int next(int bucket) {
            return switch (this) {
                case HOUR -> bucket + 1;
                case DAY -> UsageLedger.day(dayOf(bucket).plusDays(1));
                case WEEK -> weekOf(UsageLedger.day(lastDayOfWeek(bucket).plusDays(1)));
                case MONTH ->
                    UsageLedger.day(LocalDate.of(bucket / 100, bucket % 100, 1).plusMonths(1)) / 100;
            };
        }
    }

    /**
     * The cubes. Which one answers a question depends on the filters: the smallest cube that holds every dimension
     * asked for (see {@link UsageAnalytics}).
     */
    public enum Cube {
        /** The realm as a whole: totals and trends. */
        REALM("r", EnumSet.noneOf(Dim.class), EnumSet.of(Grain.HOUR, Grain.DAY, Grain.MONTH)),
        /** Per provider and model: the charts without filters, or filtered by provider or model. */
        PROVIDER_MODEL("pm", EnumSet.of(Dim.PROVIDER, Dim.MODEL), EnumSet.of(Grain.HOUR, Grain.DAY, Grain.MONTH)),
        /** Per client: top clients (weeks, so a window is read from few rows per client). */
        CLIENT("c", EnumSet.of(Dim.CLIENT), EnumSet.of(Grain.DAY, Grain.WEEK, Grain.MONTH)),
        /** Per user: top users (weeks, so a window is read from few rows per user). */
        USER("u", EnumSet.of(Dim.USER), EnumSet.of(Grain.DAY, Grain.WEEK, Grain.MONTH)),
        /** Everything but the user: filters on client or power level. */
        ALL_BUT_USER(
                "x",
                EnumSet.of(Dim.CLIENT, Dim.PROVIDER, Dim.MODEL, Dim.LEVEL),
                EnumSet.of(Grain.HOUR, Grain.DAY, Grain.MONTH)),
        /** Everything: a filter on one user (read through the user index). */
        ALL("ux", EnumSet.allOf(Dim.class), EnumSet.of(Grain.HOUR, Grain.DAY, Grain.MONTH));

        public final String code;
        public final Set<Dim> dims;
        public final Set<Grain> grains;

        Cube(String code, Set<Dim> dims, Set<Grain> grains) {
            this.code = code;
            this.dims = dims;
            this.grains = grains;
        }

        public boolean has(Dim d) {
            return dims.contains(d);
        }
    }

    /** A row's key. Dimensions the cube does not hold are {@code ""}. */
    public record Key(
            String realmId,
            Cube cube,
            Grain grain,
            int bucket,
            String userId,
            String clientId,
            String providerId,
            String model,
            String level) {

        /** The row's id: a name-based UUID of the key, the same on every node. */
        public String id() {
            String name = String.join(
                    "\u0000",
                    realmId,
                    cube.code,
                    grain.code,
                    Integer.toString(bucket),
                    userId,
                    clientId,
                    providerId,
                    model,
                    level);
            return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
        }
    }

    /**
     * A row's sums. {@code cost} is what the organisation pays: calls made with a user's own key count in
     * {@code byokCalls} and {@code byokCost} (what they would have cost) instead. Tokens and latency count every call.
     */
    public static final class Totals {

        /**
         * The SQL sums of the rollup table's measure columns, in the order {@link #ofSums} reads them (the writer's
         * column order).
         */
        public static final String SQL_SUMS = String.join(
                ", ",
                java.util.Arrays.stream(RollupWriter.MEASURES.split(", "))
                        .map(c -> "sum(" + c + ")")
                        .toList());

        public long calls;
        public long byokCalls;
        public BigDecimal byokCost = BigDecimal.ZERO;
        public long errors;
        public long fallbacks;
        public long attempts;
        public long unpriced;
        public long promptTokens;
        public long completionTokens;
        public long cachedTokens;
        public long cacheWriteTokens;
        public long reasoningTokens;
        public BigDecimal cost = BigDecimal.ZERO;
        public long latencyMs;
        public final long[] latency = new long[LATENCY_BUCKETS];

        /** Totals from a row of {@link #SQL_SUMS}, starting at {@code at}; nulls (no rows) count as 0. */
        public static Totals ofSums(Object[] row, int at) {
            Totals t = new Totals();
            int i = at;
            t.calls = count(row[i++]);
            t.byokCalls = count(row[i++]);
            t.byokCost = amount(row[i++]);
            t.errors = count(row[i++]);
            t.fallbacks = count(row[i++]);
            t.attempts = count(row[i++]);
            t.unpriced = count(row[i++]);
            t.promptTokens = count(row[i++]);
            t.completionTokens = count(row[i++]);
            t.cachedTokens = count(row[i++]);
            t.cacheWriteTokens = count(row[i++]);
            t.reasoningTokens = count(row[i++]);
            t.cost = amount(row[i++]);
            t.latencyMs = count(row[i++]);
            for (int b = 0; b < LATENCY_BUCKETS; b++) {
                t.latency[b] = count(row[i++]);
            }
            return t;
        }

        static long count(Object o) {
            return o == null ? 0 : ((Number) o).longValue();
        }

        static BigDecimal amount(Object o) {
            return o == null ? BigDecimal.ZERO : (BigDecimal) o;
        }

        public void add(UsageEvent e) {
            calls++;
            if (!"ok".equals(e.outcome())) {
                errors++;
            }
            if (e.attempts() > 1) {
                fallbacks++;
            }
            attempts += Math.max(1, e.attempts());
            promptTokens += e.usage().promptTokens();
            completionTokens += e.usage().completionTokens();
            cachedTokens += e.usage().cachedTokens();
            cacheWriteTokens += e.usage().cacheWriteTokens();
            reasoningTokens += e.usage().reasoningTokens();
            if (e.byok()) {
                byokCalls++;
            }
            if (e.cost() == null) {
                unpriced++;
            } else if (e.byok()) {
                byokCost = byokCost.add(e.cost());
            } else {
                cost = cost.add(e.cost());
            }
            latencyMs += e.latencyMs();
            latency[latencyBucket(e.latencyMs())]++;
        }

        public void add(Totals o) {
            calls += o.calls;
            byokCalls += o.byokCalls;
            byokCost = byokCost.add(o.byokCost);
            errors += o.errors;
            fallbacks += o.fallbacks;
            attempts += o.attempts;
            unpriced += o.unpriced;
            promptTokens += o.promptTokens;
            completionTokens += o.completionTokens;
            cachedTokens += o.cachedTokens;
            cacheWriteTokens += o.cacheWriteTokens;
            reasoningTokens += o.reasoningTokens;
            cost = cost.add(o.cost);
            latencyMs += o.latencyMs;
            for (int i = 0; i < LATENCY_BUCKETS; i++) {
                latency[i] += o.latency[i];
            }
        }

        /**
         * A latency percentile (0–100) estimated from the histogram: linear within the bucket it falls in; the open
         * last bucket answers its lower bound. Null without calls.
         */
        public Long latencyPercentile(double p) {
            long n = 0;
            for (long c : latency) {
                n += c;
            }
            if (n == 0) {
                return null;
            }
            double rank = p / 100.0 * n;
            long seen = 0;
            for (int i = 0; i < LATENCY_BUCKETS; i++) {
                if (latency[i] == 0) {
                    continue;
                }
                if (seen + latency[i] >= rank) {
                    long lower = i == 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
                    if (i == LATENCY_BOUNDS_MS.length) {
                        return lower;
                    }
                    long upper = LATENCY_BOUNDS_MS[i];
                    double within = (rank - seen) / latency[i];
                    return Math.round(lower + within * (upper - lower));
                }
                seen += latency[i];
            }
            return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
        }
    }

    /** The histogram bucket of a latency. */
    public static int latencyBucket(long ms) {
        for (int i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
            if (ms <= LATENCY_BOUNDS_MS[i]) {
                return i;
            }
        }
        return LATENCY_BOUNDS_MS.length;
    }

    private static final Cube[] CUBES = Cube.values();
    private static final Grain[][] CUBE_GRAINS = java.util.Arrays.stream(CUBES)
            .map(c -> c.grains.toArray(new Grain[0]))
            .toArray(Grain[][]::new);

    /** The rows a batch of events adds to, with what it adds: one per cube, grain and key. */
    public static Map<Key, Totals> aggregate(List<UsageEvent> events) {
        Map<Key, Totals> rows = new LinkedHashMap<>();
        int[] buckets = new int[Grain.values().length];
        for (UsageEvent e : events) {
            // Each grain's bucket once per event (not once per cube).
            long at = e.createdAt();
            int day = UsageLedger.day(at);
            buckets[Grain.HOUR.ordinal()] = Grain.HOUR.bucket(at);
            buckets[Grain.DAY.ordinal()] = day;
            buckets[Grain.WEEK.ordinal()] = weekOf(day);
            buckets[Grain.MONTH.ordinal()] = day / 100;
            for (int c = 0; c < CUBES.length; c++) {
                for (Grain grain : CUBE_GRAINS[c]) {
                    rows.computeIfAbsent(key(e, CUBES[c], grain, buckets[grain.ordinal()]), k -> new Totals())
                            .add(e);
                }
            }
        }
        return rows;
    }

    static Key key(UsageEvent e, Cube cube, Grain grain) {
        return key(e, cube, grain, grain.bucket(e.createdAt()));
    }

    private static Key key(UsageEvent e, Cube cube, Grain grain, int bucket) {
        return new Key(
                e.realmId(),
                cube,
                grain,
                bucket,
                cube.has(Dim.USER) ? orEmpty(e.userId()) : "",
                cube.has(Dim.CLIENT) ? orEmpty(e.clientId()) : "",
                cube.has(Dim.PROVIDER) ? orEmpty(e.providerId()) : "",
                cube.has(Dim.MODEL) ? orEmpty(e.model()) : "",
                cube.has(Dim.LEVEL) ? orEmpty(e.level()) : "");
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The week (yyyymmw) a yyyymmdd day is in. */
    public static int weekOf(int yyyymmdd) {
        return yyyymmdd / 100 * 10 + Math.min(5, (yyyymmdd % 100 - 1) / 7 + 1);
    }

    /** The first day of a yyyymmw week. */
    public static LocalDate firstDayOfWeek(int yyyymmw) {
        return LocalDate.of(yyyymmw / 1000, yyyymmw / 10 % 100, (yyyymmw % 10 - 1) * 7 + 1);
    }

    /** The last day of a yyyymmw week: six days after its first, or the month's last for week 5. */
    public static LocalDate lastDayOfWeek(int yyyymmw) {
        LocalDate first = firstDayOfWeek(yyyymmw);
        return yyyymmw % 10 == 5 ? first.withDayOfMonth(first.lengthOfMonth()) : first.plusDays(6);
    }

    /** The UTC date of a yyyymmdd day. */
    public static LocalDate dayOf(int yyyymmdd) {
        return LocalDate.of(yyyymmdd / 10_000, yyyymmdd / 100 % 100, yyyymmdd % 100);
    }
}
