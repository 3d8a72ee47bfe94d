package dev.llmgateway.keycloak.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.core.UsageEvent;
import liquibase.Liquibase;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.junit.jupiter.api.Test;

/**
 * The ledger's JDBC write path on the changelog's own schema (in-memory H2, as Liquibase creates it): events with and
 * without optional fields, several batches on the same daily and rollup rows, users' keys "last used", a failed try.
 */
class UsageLedgerJdbcTest {

    private static final String CHANGELOG = "META-INF/llm-changelog-master.xml";
    private static final LedgerWriter.Tables TABLES =
            new LedgerWriter.Tables("LLM_USAGE_EVENT", "LLM_USAGE_DAILY", "LLM_USAGE_ROLLUP", "LLM_USER_KEY");
    private static final long AT = Instant.parse("2026-11-20T10:30:00Z").toEpochMilli();

    @Test
    void batchesAddUpInEveryTableWhateverTheirSize() throws Exception {
        String url = "jdbc:h2:mem:ledger;DB_CLOSE_DELAY=-1";
        try (Connection c = DriverManager.getConnection(url)) {
            migrate(c);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("insert into LLM_USER_KEY (ID, REALM_ID, USER_ID, PROVIDER_TYPE, KEY_SEALED, KEY_HINT,"
                        + " CREATED_AT, UPDATED_AT) values ('k1', 'r1', 'u1', 'openai', 'x', 'x', 0, 0)");
            }
            List<UsageEvent> events = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                // The same daily row (r1, day, u1, p1, m1, not BYOK) in every batch of two.
                events.add(event("ok" + i, "u1", false, new BigDecimal("0.000153"), "ok", AT + i));
            }
            events.add(event("byok", "u1", true, new BigDecimal("0.5"), "ok", AT + 100));
            events.add(event("failed", "u2", false, null, "vendor_error", AT + 200));
            UsageEvent bare = new UsageEvent(
                    "bare",
                    "r1",
                    null,
                    null,
                    UsageEvent.SOURCE_REPORTED,
                    null,
                    null,
                    null,
                    null,
                    null,
                    false,
                    false,
                    Usage.NONE,
                    null,
                    200,
                    "ok",
                    0,
                    0,
                    AT + 300,
                    true);
            events.add(bare);

            List<Integer> batches = new ArrayList<>();
            try (UsageLedger ledger =
                    new UsageLedger(store(url, new AtomicInteger()), 100, 2, 50, 0, b -> batches.add(b.size()))) {
                events.forEach(ledger::record);
            }
            assertTrue(batches.size() >= events.size() / 2, "batches of at most two events: " + batches);

            assertEquals(events.size(), count(c, "select count(*) from LLM_USAGE_EVENT"));
            try (ResultSet rs = c.createStatement()
                    .executeQuery("select USER_ID, CLIENT_ID, PROVIDER_ID, MODEL, LEVEL_KEY, COST, VENDOR_COST,"
                            + " USAGE_ESTIMATED, SOURCE from LLM_USAGE_EVENT where ID = 'bare'")) {
                assertTrue(rs.next());
                for (int i = 1; i <= 7; i++) {
                    assertNull(rs.getObject(i), "column " + i + " of an event without it is NULL");
                }
                assertTrue(rs.getBoolean(8));
                assertEquals(UsageEvent.SOURCE_REPORTED, rs.getString(9));
            }
            assertEquals(
                    0,
                    new BigDecimal("0.000153")
                            .multiply(BigDecimal.valueOf(7))
                            .compareTo(amount(
                                    c, "select COST from LLM_USAGE_DAILY where USER_ID = 'u1' and BYOK = false")));
            assertEquals(7, count(c, "select CALLS from LLM_USAGE_DAILY where USER_ID = 'u1' and BYOK = false"));
            assertEquals(1, count(c, "select count(*) from LLM_USAGE_DAILY where USER_ID = 'u1' and BYOK = false"));
            assertEquals(1, count(c, "select ERRORS from LLM_USAGE_DAILY where USER_ID = 'u2'"));
            assertEquals(1, count(c, "select CALLS from LLM_USAGE_DAILY where USER_ID = '' and MODEL = ''"));
            assertEquals(events.size(), count(c, "select sum(CALLS) from LLM_USAGE_DAILY"));
            assertEquals(
                    count(c, "select sum(PROMPT_TOKENS) from LLM_USAGE_EVENT"),
                    count(c, "select sum(PROMPT_TOKENS) from LLM_USAGE_DAILY"));

            for (Rollup.Cube cube : Rollup.Cube.values()) {
                for (Rollup.Grain grain : cube.grains) {
                    String where =
                            " from LLM_USAGE_ROLLUP where DIMS = '" + cube.code + "' and GRAIN = '" + grain.code + "'";
                    assertEquals(events.size(), count(c, "select sum(CALLS)" + where), cube + " " + grain);
                    assertEquals(1, count(c, "select sum(BYOK_CALLS)" + where));
                    assertEquals(2, count(c, "select sum(UNPRICED)" + where));
                    assertEquals(1, count(c, "select sum(ERRORS)" + where));
                }
            }
            assertEquals(AT + 100, count(c, "select LAST_USED_AT from LLM_USER_KEY where ID = 'k1'"));
        }
    }

    @Test
    void aFailedTryIsRolledBackAndTheBatchWrittenOnce() throws Exception {
        String url = "jdbc:h2:mem:ledger-retry;DB_CLOSE_DELAY=-1";
        try (Connection c = DriverManager.getConnection(url)) {
            migrate(c);
            AtomicInteger tries = new AtomicInteger();
            UsageLedger.BatchStore flaky = work -> store(url, tries)
                    .inTransaction(
                            tries.get() > 0
                                    ? work
                                    : (con, t) -> {
                                        work.run(con, t);
                                        throw new SQLException("as if another node had inserted the same row first");
                                    });
            try (UsageLedger ledger = new UsageLedger(flaky, 100, 10, 50, 0, b -> {})) {
                ledger.record(event("a", "u1", false, new BigDecimal("1"), "ok", AT));
                ledger.record(event("b", "u1", false, new BigDecimal("2"), "ok", AT + 1));
            }
            assertEquals(2, tries.get(), "a failed try, then a good one");
            assertEquals(2, count(c, "select count(*) from LLM_USAGE_EVENT"));
            assertEquals(2, count(c, "select CALLS from LLM_USAGE_DAILY"));
            assertEquals(2, count(c, "select sum(CALLS) from LLM_USAGE_ROLLUP where DIMS = 'r' and GRAIN = 'h'"));
        }
    }

    /** Each batch in a transaction of its own connection; counts the tries. */
    private static UsageLedger.BatchStore store(String url, AtomicInteger tries) {
        return work -> {
            tries.incrementAndGet();
            try (Connection c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                try {
                    work.run(c, TABLES);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw new IllegalStateException(e);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static UsageEvent event(String id, String user, boolean byok, BigDecimal cost, String outcome, long at) {
        return new UsageEvent(
                id,
                "r1",
                user,
                "c1",
                UsageEvent.SOURCE_GATEWAY,
                "p1",
                "openai",
                "m1",
                "m1",
                "gold",
                byok,
                false,
                new Usage(100, 20, 10, 5, 0, 0),
                cost,
                "ok".equals(outcome) ? 200 : 502,
                outcome,
                1,
                120,
                at);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            assertTrue(rs.next(), sql);
            return rs.getLong(1);
        }
    }

    private static BigDecimal amount(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            assertTrue(rs.next(), sql);
            return rs.getBigDecimal(1);
        }
    }

    private static void migrate(Connection c) throws Exception {
        var db = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
        db.setDatabaseChangeLogTableName("DATABASECHANGELOG_LLM");
        db.setDatabaseChangeLogLockTableName("DATABASECHANGELOGLOCK_LLM");
        new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(), db).update("");
        c.setAutoCommit(true); // Liquibase leaves it off
    }
}
