package dev.llmgateway.keycloak.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.junit.jupiter.api.Test;

/**
 * An upgrade: events written by the earlier version, then the migration that creates the rollups. The changelog runs
 * through Liquibase as Keycloak runs it (on an in-memory H2), so the custom change is loaded the way the server loads
 * it.
 */
class RollupBackfillTest {

    private static final String CHANGELOG = "META-INF/llm-changelog-master.xml";

    @Test
    void eventsFromBeforeTheUpgradeReachTheRollups() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:backfill;DB_CLOSE_DELAY=-1")) {
            migrate(c);
            long at = Instant.parse("2026-11-20T10:30:00Z").toEpochMilli();
            for (int i = 0; i < RollupBackfill.PAGE + 7; i++) {
                insertEvent(c, "e" + i, i % 2 == 0 ? "u1" : "u2", at + i, i % 10 == 0, new BigDecimal("0.000153"));
            }
            insertEvent(c, "unpriced", "u1", at, false, null);
            try (Statement st = c.createStatement()) {
                // As before the upgrade: the backfill's changeset has not run.
                st.executeUpdate("delete from DATABASECHANGELOG_LLM where ID = '2026-11-30-usage-rollup-backfill'");
            }
            migrate(c);

            int n = RollupBackfill.PAGE + 8;
            assertEquals(n, sum(c, "CALLS", "r", "d", ""));
            assertEquals(n, sum(c, "CALLS", "r", "m", ""));
            assertEquals(n, sum(c, "CALLS", "pm", "h", ""));
            assertEquals(1, sum(c, "UNPRICED", "r", "d", ""));
            assertEquals(
                    (RollupBackfill.PAGE + 8) / 2 + 1,
                    sum(c, "CALLS", "u", "d", "u1"),
                    "even events and the unpriced one");
            long byok = (RollupBackfill.PAGE + 7 + 9) / 10;
            assertEquals(byok, sum(c, "BYOK_CALLS", "r", "d", ""));
            try (PreparedStatement st = c.prepareStatement(
                    "select COST, BYOK_COST from LLM_USAGE_ROLLUP where DIMS = 'r' and GRAIN = 'd'")) {
                ResultSet rs = st.executeQuery();
                rs.next();
                BigDecimal each = new BigDecimal("0.000153");
                assertEquals(0, each.multiply(BigDecimal.valueOf(n - 1 - byok)).compareTo(rs.getBigDecimal(1)));
                assertEquals(0, each.multiply(BigDecimal.valueOf(byok)).compareTo(rs.getBigDecimal(2)));
            }
        }
    }

    @Test
    void weeksAreTheSumsOfTheirDaysWhicheverWayTheDatabaseGotThere() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:weeks;DB_CLOSE_DELAY=-1")) {
            migrate(c);
            // Eleven days in November: days 5–7 are in its first week, 8–14 its second, the 15th its third.
            long first = Instant.parse("2026-11-05T08:00:00Z").toEpochMilli();
            for (int i = 0; i < 110; i++) {
                insertEvent(c, "e" + i, "u1", first + (i / 10) * 86_400_000L + i, false, new BigDecimal("0.01"));
            }
            try (Statement st = c.createStatement()) {
                // A new database: the backfill writes weeks, then the weeks' changeset replaces them.
                st.executeUpdate("delete from DATABASECHANGELOG_LLM where ID in ('2026-11-30-usage-rollup-backfill',"
                        + " '2026-11-30-usage-rollup-weeks')");
            }
            migrate(c);
            assertWeeks(c);

            try (Statement st = c.createStatement()) {
                // An upgrade from before weeks: daily rows only.
                st.executeUpdate("delete from LLM_USAGE_ROLLUP where GRAIN = 'w'");
                st.executeUpdate("delete from DATABASECHANGELOG_LLM where ID = '2026-11-30-usage-rollup-weeks'");
            }
            migrate(c);
            assertWeeks(c);
        }
    }

    private static void assertWeeks(Connection c) throws Exception {
        assertEquals(110, sum(c, "CALLS", "u", "d", "u1"));
        assertEquals(110, sum(c, "CALLS", "u", "w", "u1"));
        assertEquals(110, sum(c, "CALLS", "c", "w", ""));
        try (PreparedStatement st = c.prepareStatement("select BUCKET, CALLS, COST from LLM_USAGE_ROLLUP"
                + " where DIMS = 'u' and GRAIN = 'w' order by BUCKET")) {
            ResultSet rs = st.executeQuery();
            for (int[] week : new int[][] {{2026111, 30}, {2026112, 70}, {2026113, 10}}) {
                rs.next();
                assertEquals(week[0], rs.getInt(1));
                assertEquals(week[1], rs.getLong(2));
                assertEquals(
                        0,
                        new BigDecimal("0.01")
                                .multiply(BigDecimal.valueOf(week[1]))
                                .compareTo(rs.getBigDecimal(3)));
            }
            assertEquals(false, rs.next(), "three weeks");
        }
    }

    private static void migrate(Connection c) throws Exception {
        var db = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
        db.setDatabaseChangeLogTableName("DATABASECHANGELOG_LLM");
        db.setDatabaseChangeLogLockTableName("DATABASECHANGELOGLOCK_LLM");
        new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(), db).update("");
    }

    private static void insertEvent(Connection c, String id, String user, long at, boolean byok, BigDecimal cost)
            throws Exception {
        try (PreparedStatement st = c.prepareStatement("insert into LLM_USAGE_EVENT (ID, REALM_ID, USER_ID,"
                + " CLIENT_ID, SOURCE, PROVIDER_ID, PROVIDER_TYPE, MODEL, REQUESTED_MODEL, BYOK, STREAMED,"
                + " PROMPT_TOKENS, COMPLETION_TOKENS, CACHED_TOKENS, CACHE_WRITE_TOKENS, REASONING_TOKENS, COST,"
                + " STATUS, OUTCOME, ATTEMPTS, LATENCY_MS, CREATED_AT)"
                + " values (?, 'realm', ?, 'app', 'gateway', 'p1', 'openai', 'm1', 'm1', ?, false,"
                + " 1200, 80, 1000, 0, 0, ?, 200, 'ok', 1, 300, ?)")) {
            st.setString(1, id);
            st.setString(2, user);
            st.setBoolean(3, byok);
            st.setBigDecimal(4, cost);
            st.setLong(5, at);
            st.executeUpdate();
        }
    }

    private static long sum(Connection c, String column, String dims, String grain, String user) throws Exception {
        try (PreparedStatement st = c.prepareStatement(
                "select sum(" + column + ") from LLM_USAGE_ROLLUP where DIMS = ? and GRAIN = ? and USER_ID = ?")) {
            st.setString(1, dims);
            st.setString(2, grain);
            st.setString(3, user);
            ResultSet rs = st.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }
}
