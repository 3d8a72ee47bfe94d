package dev.llmgateway.keycloak.usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import dev.llmgateway.keycloak.usage.Rollup.Cube;
import dev.llmgateway.keycloak.usage.Rollup.Grain;
import dev.llmgateway.keycloak.usage.Rollup.Key;
import dev.llmgateway.keycloak.usage.Rollup.Totals;
import liquibase.change.custom.CustomTaskChange;
import liquibase.database.Database;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.CustomChangeException;
import liquibase.exception.ValidationErrors;
import liquibase.resource.ResourceAccessor;

/**
 * Runs once, in the migration that gives the user and client cubes their weekly rows: sums each cube's daily rows into
 * the weeks they belong to. Weekly rows already there (the backfill of a new database writes them) are replaced, so
 * each week is counted once whichever way the database got here. Reads the daily rows in key order, a page of week
 * rows at a time.
 */
public class RollupWeeks implements CustomTaskChange {

    static final int FLUSH = 1_000;

    private long rows;

    @Override
    public void execute(Database database) throws CustomChangeException {
        Connection c = ((JdbcConnection) database.getConnection()).getUnderlyingConnection();
        try {
            rows = derive(c, database.escapeTableName(null, database.getDefaultSchemaName(), "LLM_USAGE_ROLLUP"));
        } catch (SQLException e) {
            throw new CustomChangeException("could not sum the daily usage rollups into weeks", e);
        }
    }

    /** Replaces the weekly rows of {@code table} with the sums of its daily rows; returns how many daily rows it read. */
    static long derive(Connection c, String table) throws SQLException {
        StringJoiner cubes = new StringJoiner("', '", "'", "'");
        for (Cube cube : Cube.values()) {
            if (cube.grains.contains(Grain.WEEK)) {
                cubes.add(cube.code);
            }
        }
        try (Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM " + table + " WHERE GRAIN = '" + Grain.WEEK.code + "'");
        }
        RollupWriter writer = new RollupWriter(table);
        String sql = "SELECT REALM_ID, DIMS, BUCKET, USER_ID, CLIENT_ID, PROVIDER_ID, MODEL, LEVEL_KEY, "
                + RollupWriter.MEASURES + " FROM " + table + " WHERE GRAIN = '" + Grain.DAY.code + "' AND DIMS IN ("
                + cubes + ") ORDER BY REALM_ID, DIMS, USER_ID, CLIENT_ID, PROVIDER_ID, MODEL, LEVEL_KEY, BUCKET";
        long read = 0;
        Map<Key, Totals> weeks = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setFetchSize(FLUSH);
            try (ResultSet rs = st.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Key week = new Key(
                            rs.getString(1),
                            cube(rs.getString(2)),
                            Grain.WEEK,
                            Rollup.weekOf(rs.getInt(3)),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8));
                    Object[] measures = new Object[columns - 8];
                    for (int i = 0; i < measures.length; i++) {
                        measures[i] = rs.getObject(9 + i);
                    }
                    weeks.computeIfAbsent(week, k -> new Totals()).add(Totals.ofSums(measures, 0));
                    read++;
                    // The writer adds to rows that exist: a week split across two flushes still sums right.
                    if (weeks.size() >= FLUSH) {
                        writer.write(c, weeks);
                        weeks.clear();
                    }
                }
            }
        }
        if (!weeks.isEmpty()) {
            writer.write(c, weeks);
        }
        return read;
    }

    private static Cube cube(String code) {
        for (Cube cube : Cube.values()) {
            if (cube.code.equals(code)) {
                return cube;
            }
        }
        throw new IllegalStateException("unknown rollup cube " + code);
    }

    @Override
    public String getConfirmationMessage() {
        return "LLM gateway: " + rows + " daily usage rollups summed into weeks";
    }

    @Override
    public void setUp() {}

    @Override
    public void setFileOpener(ResourceAccessor resourceAccessor) {}

    @Override
    public ValidationErrors validate(Database database) {
        return new ValidationErrors();
    }
}
