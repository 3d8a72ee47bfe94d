package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.core.UsageEvent;
import liquibase.change.custom.CustomTaskChange;
import liquibase.database.Database;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.CustomChangeException;
import liquibase.exception.ValidationErrors;
import liquibase.resource.ResourceAccessor;

/**
 * Runs once, in the migration that creates the analytics rollups: adds the usage events recorded before it (by an
 * earlier version of the extension) to the rollups, exactly as the ledger adds new ones, so the charts show the
 * history an upgraded server already holds. Reads the events page by page in key order; nothing to do on a new
 * database.
 */
public class RollupBackfill implements CustomTaskChange {

    static final int PAGE = 5_000;

    private long events;

    @Override
    public void execute(Database database) throws CustomChangeException {
        Connection c = ((JdbcConnection) database.getConnection()).getUnderlyingConnection();
        String schema = database.getDefaultSchemaName();
        try {
            events = backfill(
                    c,
                    database.escapeTableName(null, schema, "LLM_USAGE_EVENT"),
                    database.escapeTableName(null, schema, "LLM_USAGE_ROLLUP"));
        } catch (SQLException e) {
            throw new CustomChangeException("could not add earlier usage events to the analytics rollups", e);
        }
    }

    /** Adds every event of {@code eventTable} to the rollups; returns how many events it read. */
    static long backfill(Connection c, String eventTable, String rollupTable) throws SQLException {
        RollupWriter writer = new RollupWriter(rollupTable);
        String sql = "SELECT ID, REALM_ID, USER_ID, CLIENT_ID, SOURCE, PROVIDER_ID, PROVIDER_TYPE, MODEL,"
                + " REQUESTED_MODEL, BYOK, STREAMED, PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS,"
                + " CACHE_WRITE_TOKENS, REASONING_TOKENS, COST, STATUS, OUTCOME, ATTEMPTS, LATENCY_MS, CREATED_AT"
                + " FROM " + eventTable
                + " WHERE CREATED_AT > ? OR (CREATED_AT = ? AND ID > ?) ORDER BY CREATED_AT, ID";
        long lastAt = Long.MIN_VALUE;
        String lastId = "";
        long total = 0;
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setMaxRows(PAGE);
            while (true) {
                st.setLong(1, lastAt);
                st.setLong(2, lastAt);
                st.setString(3, lastId);
                List<UsageEvent> page = new ArrayList<>(PAGE);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        page.add(event(rs));
                    }
                }
                if (page.isEmpty()) {
                    return total;
                }
                writer.write(c, Rollup.aggregate(page));
                total += page.size();
                UsageEvent last = page.get(page.size() - 1);
                lastAt = last.createdAt();
                lastId = last.id();
                if (page.size() < PAGE) {
                    return total;
                }
            }
        }
    }

    private static UsageEvent event(ResultSet rs) throws SQLException {
        BigDecimal cost = rs.getBigDecimal("COST");
        return new UsageEvent(
                rs.getString("ID"),
                rs.getString("REALM_ID"),
                rs.getString("USER_ID"),
                rs.getString("CLIENT_ID"),
                rs.getString("SOURCE"),
                rs.getString("PROVIDER_ID"),
                rs.getString("PROVIDER_TYPE"),
                rs.getString("MODEL"),
                rs.getString("REQUESTED_MODEL"),
                null,
                rs.getBoolean("BYOK"),
                rs.getBoolean("STREAMED"),
                new Usage(
                        rs.getLong("PROMPT_TOKENS"),
                        rs.getLong("COMPLETION_TOKENS"),
                        rs.getLong("CACHED_TOKENS"),
                        rs.getLong("REASONING_TOKENS"),
                        rs.getLong("CACHE_WRITE_TOKENS")),
                cost,
                rs.getInt("STATUS"),
                rs.getString("OUTCOME"),
                rs.getInt("ATTEMPTS"),
                rs.getLong("LATENCY_MS"),
                rs.getLong("CREATED_AT"));
    }

    @Override
    public String getConfirmationMessage() {
        return "LLM gateway: " + events + " earlier usage events added to the analytics rollups";
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
