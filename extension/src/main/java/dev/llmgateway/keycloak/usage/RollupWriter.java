package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adds a batch's sums to the rollup rows with plain JDBC batches: one batch of in-place increments ({@code UPDATE …
 * SET CALLS = CALLS + ?}), then one batch of inserts for the rows that did not exist. Increments in place mean two
 * nodes never overwrite each other's counts; rows are touched in id order so two nodes' transactions cannot deadlock.
 * If another node inserts the same new row first, the insert fails and the ledger runs the batch again (then it is an
 * update).
 */
public final class RollupWriter {

    static final String MEASURES =
            "CALLS, BYOK_CALLS, BYOK_COST, ERRORS, FALLBACKS, ATTEMPTS, UNPRICED, PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS, "
                    + "CACHE_WRITE_TOKENS, REASONING_TOKENS, COST, LATENCY_MS, LAT_00, LAT_01, LAT_02, LAT_03, LAT_04, LAT_05, LAT_06, LAT_07, LAT_08, LAT_09, LAT_10, LAT_11, LAT_12, LAT_13, LAT_14, LAT_15";

    private final String update;
    private final String insert;
    private final String select;

    /** @param table the rollup table's name as the connection must see it (qualified with its schema if any) */
    public RollupWriter(String table) {
        this.update = "UPDATE " + table
                + " SET CALLS = CALLS + ?, BYOK_CALLS = BYOK_CALLS + ?, BYOK_COST = BYOK_COST + ?, ERRORS = ERRORS + ?, FALLBACKS = FALLBACKS + ?, "
                + "ATTEMPTS = ATTEMPTS + ?, UNPRICED = UNPRICED + ?, PROMPT_TOKENS = PROMPT_TOKENS + ?, "
                + "COMPLETION_TOKENS = COMPLETION_TOKENS + ?, CACHED_TOKENS = CACHED_TOKENS + ?, "
                + "CACHE_WRITE_TOKENS = CACHE_WRITE_TOKENS + ?, REASONING_TOKENS = REASONING_TOKENS + ?, "
                + "COST = COST + ?, LATENCY_MS = LATENCY_MS + ?, LAT_00 = LAT_00 + ?, LAT_01 = LAT_01 + ?, LAT_02 = LAT_02 + ?, LAT_03 = LAT_03 + ?, LAT_04 = LAT_04 + ?, LAT_05 = LAT_05 + ?, LAT_06 = LAT_06 + ?, LAT_07 = LAT_07 + ?, LAT_08 = LAT_08 + ?, LAT_09 = LAT_09 + ?, LAT_10 = LAT_10 + ?, LAT_11 = LAT_11 + ?, LAT_12 = LAT_12 + ?, LAT_13 = LAT_13 + ?, LAT_14 = LAT_14 + ?, LAT_15 = LAT_15 + ? WHERE ID = ?";
        this.select = "SELECT ID FROM " + table + " WHERE ID IN";
        this.insert = "INSERT INTO " + table
                + " (ID, REALM_ID, DIMS, GRAIN, BUCKET, USER_ID, CLIENT_ID, PROVIDER_ID, MODEL, LEVEL_KEY, "
                + MEASURES + ") VALUES (" + "?, ".repeat(10 + 14 + Rollup.LATENCY_BUCKETS - 1) + "?)";
    }

    /** Adds the sums to their rows, in the connection's current transaction. */
    public void write(Connection c, Map<Rollup.Key, Rollup.Totals> rows) throws SQLException {
        List<Row> sorted = new ArrayList<>(rows.size());
        rows.forEach((k, t) -> sorted.add(new Row(k.id(), k, t)));
        sorted.sort(Comparator.comparing(Row::id));
        List<Row> missing = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(update)) {
            for (Row r : sorted) {
                int i = measures(st, 1, r.totals());
                st.setString(i, r.id());
                st.addBatch();
            }
            int[] counts = st.executeBatch();
            boolean unknown = false;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    missing.add(sorted.get(i));
                } else if (counts[i] == Statement.SUCCESS_NO_INFO) {
                    unknown = true;
                }
            }
            if (unknown) {
                // Some drivers do not report a batch's update counts: the rows the updates found are the ones that
                // exist.
                missing = absent(c, sorted);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (PreparedStatement st = c.prepareStatement(insert)) {
            for (Row r : missing) {
                Rollup.Key k = r.key();
                st.setString(1, r.id());
                st.setString(2, k.realmId());
                st.setString(3, k.cube().code);
                st.setString(4, k.grain().code);
                st.setInt(5, k.bucket());
                st.setString(6, k.userId());
                st.setString(7, k.clientId());
                st.setString(8, k.providerId());
                st.setString(9, k.model());
                st.setString(10, k.level());
                measures(st, 11, r.totals());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    private List<Row> absent(Connection c, List<Row> rows) throws SQLException {
        Set<String> present = new HashSet<>();
        for (int from = 0; from < rows.size(); from += 500) {
            List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + 500));
            String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement st = c.prepareStatement(select + " (" + marks + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    st.setString(i + 1, chunk.get(i).id());
                }
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        present.add(rs.getString(1));
                    }
                }
            }
        }
        List<Row> out = new ArrayList<>();
        rows.forEach(r -> {
            if (!present.contains(r.id())) {
                out.add(r);
            }
        });
        return out;
    }

    private static int measures(PreparedStatement st, int from, Rollup.Totals t) throws SQLException {
        int i = from;
        st.setLong(i++, t.calls);
        st.setLong(i++, t.byokCalls);
        st.setBigDecimal(i++, plain(t.byokCost));
        st.setLong(i++, t.errors);
        st.setLong(i++, t.fallbacks);
        st.setLong(i++, t.attempts);
        st.setLong(i++, t.unpriced);
        st.setLong(i++, t.promptTokens);
        st.setLong(i++, t.completionTokens);
        st.setLong(i++, t.cachedTokens);
        st.setLong(i++, t.cacheWriteTokens);
        st.setLong(i++, t.reasoningTokens);
        st.setBigDecimal(i++, plain(t.cost));
        st.setLong(i++, t.latencyMs);
        for (long n : t.latency) {
            st.setLong(i++, n);
        }
        return i;
    }

    /** An ordinary BigDecimal (drivers refuse subclasses). */
    static BigDecimal plain(BigDecimal d) {
        return d.getClass() == BigDecimal.class ? d : new BigDecimal(d.unscaledValue(), d.scale());
    }

    private record Row(String id, Rollup.Key key, Rollup.Totals totals) {}
}
