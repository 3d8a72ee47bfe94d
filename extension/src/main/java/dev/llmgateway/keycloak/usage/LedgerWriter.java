package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.llmgateway.keycloak.core.UsageEvent;

/**
 * Stores one batch of usage events with plain JDBC batches, in the connection's current transaction: one batched
 * INSERT of the events, the daily rows (budgets) as one batch of in-place increments ({@code CALLS = CALLS + ?})
 * followed by one batch of inserts for the rows that did not exist, users' keys "last used", then the analytics
 * rollups ({@link RollupWriter}). Rows are touched in key order, so two nodes' transactions cannot deadlock; if another
 * node inserts the same new daily row first, the insert fails and the ledger runs the batch again (then it is an
 * update). Works on H2, PostgreSQL and MariaDB (standard SQL, nulls bound with their type).
 */
public final class LedgerWriter {

    /** The ledger's tables as the connection must name them (qualified with their schema, if any). */
    public record Tables(String events, String daily, String rollup, String userKeys) {}

    private final String insertEvent;
    private final String incrementDaily;
    private final String insertDaily;
    private final String selectDaily;
    private final String markKeyUsed;
    private final RollupWriter rollups;

    public LedgerWriter(Tables t) {
        this.insertEvent = "INSERT INTO " + t.events()
                + " (ID, REALM_ID, USER_ID, CLIENT_ID, SOURCE, PROVIDER_ID, PROVIDER_TYPE, MODEL, REQUESTED_MODEL,"
                + " LEVEL_KEY, BYOK, STREAMED, PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS, CACHE_WRITE_TOKENS,"
                + " REASONING_TOKENS, COST, VENDOR_COST, STATUS, OUTCOME, ATTEMPTS, LATENCY_MS, CREATED_AT,"
                + " USAGE_ESTIMATED, CALL_KIND) VALUES (" + "?, ".repeat(25) + "?)";
        String key =
                " WHERE REALM_ID = ? AND USAGE_DAY = ? AND USER_ID = ? AND PROVIDER_ID = ? AND MODEL = ? AND BYOK = ?";
        this.incrementDaily = "UPDATE " + t.daily()
                + " SET CALLS = CALLS + ?, ERRORS = ERRORS + ?, PROMPT_TOKENS = PROMPT_TOKENS + ?,"
                + " COMPLETION_TOKENS = COMPLETION_TOKENS + ?, CACHED_TOKENS = CACHED_TOKENS + ?, COST = COST + ?"
                + key;
        this.insertDaily = "INSERT INTO " + t.daily()
                + " (ID, REALM_ID, USAGE_DAY, USER_ID, PROVIDER_ID, MODEL, BYOK, CALLS, ERRORS, PROMPT_TOKENS,"
                + " COMPLETION_TOKENS, CACHED_TOKENS, COST) VALUES (" + "?, ".repeat(12) + "?)";
        this.selectDaily = "SELECT 1 FROM " + t.daily() + key;
        this.markKeyUsed = "UPDATE " + t.userKeys()
                + " SET LAST_USED_AT = ? WHERE REALM_ID = ? AND USER_ID = ? AND PROVIDER_TYPE = ?"
                + " AND (LAST_USED_AT IS NULL OR LAST_USED_AT < ?)";
        this.rollups = new RollupWriter(t.rollup());
    }

    /** Stores the batch: events, daily rows, keys' "last used", rollups. */
    public void write(Connection c, List<UsageEvent> batch) throws SQLException {
        insertEvents(c, batch);
        writeDaily(c, daily(batch));
        markKeysUsed(c, batch);
        rollups.write(c, Rollup.aggregate(batch));
    }

    private void insertEvents(Connection c, List<UsageEvent> batch) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(insertEvent)) {
            for (UsageEvent e : batch) {
                int i = 1;
                st.setString(i++, e.id());
                st.setString(i++, e.realmId());
                text(st, i++, e.userId());
                text(st, i++, e.clientId());
                st.setString(i++, e.source());
                text(st, i++, e.providerId());
                text(st, i++, e.providerType());
                text(st, i++, e.model());
                text(st, i++, e.requestedModel());
                text(st, i++, e.level());
                st.setBoolean(i++, e.byok());
                st.setBoolean(i++, e.streamed());
                st.setLong(i++, e.usage().promptTokens());
                st.setLong(i++, e.usage().completionTokens());
                st.setLong(i++, e.usage().cachedTokens());
                st.setLong(i++, e.usage().cacheWriteTokens());
                st.setLong(i++, e.usage().reasoningTokens());
                amount(st, i++, e.cost());
                amount(st, i++, e.usage().vendorCost());
                st.setInt(i++, e.status());
                st.setString(i++, e.outcome());
                st.setInt(i++, e.attempts());
                st.setLong(i++, e.latencyMs());
                st.setLong(i++, e.createdAt());
                st.setBoolean(i++, e.usageEstimated());
                st.setString(i, e.kind());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    /** A daily row's key: empty strings, not nulls. */
    record DayKey(String realmId, int day, String userId, String providerId, String model, boolean byok) {

        static final Comparator<DayKey> ORDER = Comparator.comparing(DayKey::realmId)
                .thenComparingInt(DayKey::day)
                .thenComparing(DayKey::userId)
                .thenComparing(DayKey::providerId)
                .thenComparing(DayKey::model)
                .thenComparing(DayKey::byok);
    }

    /** What a batch adds to a daily row. */
    static final class DaySums {
        long calls;
        long errors;
        long promptTokens;
        long completionTokens;
        long cachedTokens;
        BigDecimal cost = BigDecimal.ZERO;
    }

    /** The daily rows a batch adds to, in key order. Cost counts every priced call, BYOK ones included. */
    static List<Map.Entry<DayKey, DaySums>> daily(List<UsageEvent> batch) {
        Map<DayKey, DaySums> rows = new HashMap<>();
        for (UsageEvent e : batch) {
            DayKey k = new DayKey(
                    e.realmId(),
                    UsageLedger.day(e.createdAt()),
                    orEmpty(e.userId()),
                    orEmpty(e.providerId()),
                    orEmpty(e.model()),
                    e.byok());
            DaySums s = rows.computeIfAbsent(k, x -> new DaySums());
            s.calls++;
            if (!"ok".equals(e.outcome())) {
                s.errors++;
            }
            s.promptTokens += e.usage().promptTokens();
            s.completionTokens += e.usage().completionTokens();
            s.cachedTokens += e.usage().cachedTokens();
            if (e.cost() != null) {
                s.cost = s.cost.add(e.cost());
            }
        }
        List<Map.Entry<DayKey, DaySums>> sorted = new ArrayList<>(rows.entrySet());
        sorted.sort(Map.Entry.comparingByKey(DayKey.ORDER));
        return sorted;
    }

    private void writeDaily(Connection c, List<Map.Entry<DayKey, DaySums>> rows) throws SQLException {
        List<Map.Entry<DayKey, DaySums>> missing = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(incrementDaily)) {
            for (Map.Entry<DayKey, DaySums> r : rows) {
                DaySums s = r.getValue();
                st.setLong(1, s.calls);
                st.setLong(2, s.errors);
                st.setLong(3, s.promptTokens);
                st.setLong(4, s.completionTokens);
                st.setLong(5, s.cachedTokens);
                st.setBigDecimal(6, RollupWriter.plain(s.cost));
                dayKey(st, 7, r.getKey());
                st.addBatch();
            }
            int[] counts = st.executeBatch();
            boolean unknown = false;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    missing.add(rows.get(i));
                } else if (counts[i] == Statement.SUCCESS_NO_INFO) {
                    unknown = true;
                }
            }
            if (unknown) {
                // Some drivers do not report a batch's update counts: the rows the updates found are the ones that
                // exist.
                missing = absent(c, rows);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (PreparedStatement st = c.prepareStatement(insertDaily)) {
            for (Map.Entry<DayKey, DaySums> r : missing) {
                DaySums s = r.getValue();
                st.setString(1, UUID.randomUUID().toString());
                int i = dayKey(st, 2, r.getKey());
                st.setLong(i++, s.calls);
                st.setLong(i++, s.errors);
                st.setLong(i++, s.promptTokens);
                st.setLong(i++, s.completionTokens);
                st.setLong(i++, s.cachedTokens);
                st.setBigDecimal(i, RollupWriter.plain(s.cost));
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    private List<Map.Entry<DayKey, DaySums>> absent(Connection c, List<Map.Entry<DayKey, DaySums>> rows)
            throws SQLException {
        List<Map.Entry<DayKey, DaySums>> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(selectDaily)) {
            for (Map.Entry<DayKey, DaySums> r : rows) {
                dayKey(st, 1, r.getKey());
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    private static int dayKey(PreparedStatement st, int from, DayKey k) throws SQLException {
        int i = from;
        st.setString(i++, k.realmId());
        st.setInt(i++, k.day());
        st.setString(i++, k.userId());
        st.setString(i++, k.providerId());
        st.setString(i++, k.model());
        st.setBoolean(i++, k.byok());
        return i;
    }

    /** Users' own keys the gateway used: their "last used" time, once per key per batch, in key order. */
    private void markKeysUsed(Connection c, List<UsageEvent> batch) throws SQLException {
        Map<String, UsageEvent> latest = null;
        for (UsageEvent e : batch) {
            if (e.byok()
                    && UsageEvent.SOURCE_GATEWAY.equals(e.source())
                    && e.userId() != null
                    && e.providerType() != null) {
                if (latest == null) {
                    latest = new HashMap<>();
                }
                latest.merge(
                        e.realmId() + "\u0000" + e.userId() + "\u0000" + e.providerType(),
                        e,
                        (a, b) -> a.createdAt() >= b.createdAt() ? a : b);
            }
        }
        if (latest == null) {
            return;
        }
        List<String> keys = new ArrayList<>(latest.keySet());
        keys.sort(null);
        try (PreparedStatement st = c.prepareStatement(markKeyUsed)) {
            for (String k : keys) {
                UsageEvent e = latest.get(k);
                st.setLong(1, e.createdAt());
                st.setString(2, e.realmId());
                st.setString(3, e.userId());
                st.setString(4, e.providerType());
                st.setLong(5, e.createdAt());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    private static void text(PreparedStatement st, int i, String s) throws SQLException {
        if (s == null) {
            st.setNull(i, Types.VARCHAR);
        } else {
            st.setString(i, s);
        }
    }

    private static void amount(PreparedStatement st, int i, BigDecimal d) throws SQLException {
        if (d == null) {
            st.setNull(i, Types.NUMERIC);
        } else {
            st.setBigDecimal(i, RollupWriter.plain(d));
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
