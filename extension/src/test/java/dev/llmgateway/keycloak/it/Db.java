package dev.llmgateway.keycloak.it;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

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
    /**
     * A fingerprint of the extension's tables ({@code LLM_*}) as far as they concern one realm: per table, the number of
     * rows and a hash of their content (rows of tables with a {@code REALM_ID} column of that realm only; the tables
     * named in {@code skip}, such as those of background tasks, left out). Two equal fingerprints: nothing was written.
     */
    public static Map<String, String> llmFingerprint(String realmId, Set<String> skip) {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(
                System.getProperty("kc.test.database.url"),
                System.getProperty("kc.test.database.user"),
                System.getProperty("kc.test.database.password"))) {
            Set<String> withRealm = new HashSet<>(rowsAsText(
                    c,
                    "select upper(TABLE_NAME) from INFORMATION_SCHEMA.COLUMNS"
                            + " where upper(TABLE_NAME) like 'LLM%' and upper(COLUMN_NAME) = 'REALM_ID'"));
            for (String table : new HashSet<>(
                    rowsAsText(
                            c,
                            "select upper(TABLE_NAME) from INFORMATION_SCHEMA.TABLES"
                                    + " where upper(TABLE_NAME) like 'LLM%' and upper(TABLE_SCHEMA) <> 'INFORMATION_SCHEMA'"))) {
                if (skip.contains(table)) {
                    continue;
                }
                List<String> rows = withRealm.contains(table)
                        ? rowsAsText(c, "select * from " + table + " where REALM_ID = ?", realmId)
                        : rowsAsText(c, "select * from " + table);
                rows.sort(null);
                out.put(table, rows.size() + " rows, " + sha256(String.join("\n", rows)));
            }
        } catch (SQLException e) {
            throw new AssertionError("could not read the LLM tables: " + e.getMessage(), e);
        }
        return out;
    }

    /** Each row as one line of text (one column: its value), large objects read out. */
    private static List<String> rowsAsText(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                st.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                List<String> rows = new ArrayList<>();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= columns; i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof Clob clob) {
                            v = clob.getSubString(1, (int) clob.length());
                        } else if (v instanceof Blob blob) {
                            v = Base64.getEncoder().encodeToString(blob.getBytes(1, (int) blob.length()));
                        } else if (v instanceof byte[] bytes) {
                            v = Base64.getEncoder().encodeToString(bytes);
                        }
                        row.append(columns == 1 ? "" : "\u0001").append(v);
                    }
                    rows.add(columns == 1 ? row.toString() : row.substring(1));
                }
                return rows;
            }
        }
    }

    private static String sha256(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
