package dev.llmgateway.keycloak.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the server's database directly (H2 in AUTO_SERVER file mode, or PostgreSQL), as an auditor would. */
public final class Db {

    private Db() {}

    public static List<Map<String, Object>> query(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(
                        System.getProperty("kc.test.database.url"),
                        System.getProperty("kc.test.database.user"),
                        System.getProperty("kc.test.database.password"));
                PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i).toUpperCase(), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new AssertionError("query failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Changes rows as an operator with database access would (to place usage in the past). */
    public static int update(String sql, Object... params) {
        try (Connection c = DriverManager.getConnection(
                        System.getProperty("kc.test.database.url"),
                        System.getProperty("kc.test.database.user"),
                        System.getProperty("kc.test.database.password"));
                PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            return st.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError("update failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    public static long count(String sql, Object... params) {
        return ((Number) query(sql, params).get(0).values().iterator().next()).longValue();
    }

    /** Polls until the query returns at least {@code expected} rows (the usage ledger writes asynchronously). */
    public static List<Map<String, Object>> waitFor(int expected, String sql, Object... params) {
        long deadline = System.currentTimeMillis() + 15_000;
        List<Map<String, Object>> rows;
        do {
            rows = query(sql, params);
            if (rows.size() >= expected) {
                return rows;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("expected " + expected + " rows within 15 s, found " + rows.size() + ": " + sql);
    }
}
