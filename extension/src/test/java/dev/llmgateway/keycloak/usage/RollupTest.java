package dev.llmgateway.keycloak.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.usage.Rollup.Cube;
import dev.llmgateway.keycloak.usage.Rollup.Grain;
import dev.llmgateway.keycloak.usage.Rollup.Key;
import dev.llmgateway.keycloak.usage.Rollup.Totals;
import dev.llmgateway.keycloak.usage.UsageAnalytics.Period;
import dev.llmgateway.keycloak.usage.UsageAnalytics.Segment;
import dev.llmgateway.keycloak.usage.UsageAnalytics.Window;
import org.junit.jupiter.api.Test;

class RollupTest {

    private static UsageEvent event(
            String user,
            String model,
            boolean byok,
            String outcome,
            int attempts,
            BigDecimal cost,
            long latency,
            String at) {
        return new UsageEvent(
                "e-" + user + model + at,
                "realm-1",
                user,
                "app",
                UsageEvent.SOURCE_GATEWAY,
                "p-1",
                "openai",
                model,
                model,
                "basic",
                byok,
                false,
                new Usage(100, 20, 10, 5, 3),
                cost,
                "ok".equals(outcome) ? 200 : 502,
                outcome,
                attempts,
                latency,
                Instant.parse(at).toEpochMilli());
    }

    @Test
    void bucketsAreUtcHoursDaysAndMonths() {
        long lastMilli = Instant.parse("2026-11-30T23:59:59.999Z").toEpochMilli();
        assertEquals(20261130, Grain.DAY.bucket(lastMilli));
        assertEquals(20261201, Grain.DAY.bucket(lastMilli + 1));
        assertEquals(202611, Grain.MONTH.bucket(lastMilli));
        assertEquals(Instant.parse("2026-11-30T23:00:00Z"), Grain.HOUR.start(Grain.HOUR.bucket(lastMilli)));
        assertEquals(20261201, Grain.DAY.next(20261130));
        assertEquals(20270101, Grain.DAY.next(20261231));
        assertEquals(202701, Grain.MONTH.next(202612));
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), Grain.MONTH.start(202612));
        assertEquals(Instant.parse("2024-02-29T00:00:00Z"), Grain.DAY.start(20240229));
    }

    @Test
    void everyEventAddsToOneRowOfEachCubeAtEachGrain() {
        UsageEvent paid = event("u1", "m1", false, "ok", 1, new BigDecimal("0.25"), 120, "2026-11-30T10:15:00Z");
        UsageEvent own = event("u1", "m1", true, "ok", 1, new BigDecimal("0.5"), 900, "2026-11-30T10:45:00Z");
        UsageEvent failed = event("u2", "m1", false, "error", 2, null, 30_000, "2026-11-30T11:05:00Z");
        Map<Key, Totals> rows = Rollup.aggregate(List.of(paid, own, failed));

        Set<String> ids = new HashSet<>();
        rows.keySet().forEach(k -> ids.add(k.id()));
        assertEquals(rows.size(), ids.size(), "one id per key");

        Totals realmDay = rows.get(new Key("realm-1", Cube.REALM, Grain.DAY, 20261130, "", "", "", "", ""));
        assertEquals(3, realmDay.calls);
        assertEquals(1, realmDay.errors);
        assertEquals(1, realmDay.fallbacks);
        assertEquals(4, realmDay.attempts);
        assertEquals(1, realmDay.unpriced);
        assertEquals(1, realmDay.byokCalls);
        assertEquals(new BigDecimal("0.25"), realmDay.cost, "the organisation pays for calls on its own keys only");
        assertEquals(new BigDecimal("0.5"), realmDay.byokCost);
        assertEquals(300, realmDay.promptTokens);
        assertEquals(30, realmDay.cachedTokens);
        assertEquals(9, realmDay.cacheWriteTokens);
        assertEquals(15, realmDay.reasoningTokens);
        assertEquals(31_020, realmDay.latencyMs);

        int hour10 = Grain.HOUR.bucket(Instant.parse("2026-11-30T10:00:00Z").toEpochMilli());
        assertEquals(2, rows.get(new Key("realm-1", Cube.REALM, Grain.HOUR, hour10, "", "", "", "", "")).calls);
        assertEquals(2, rows.get(new Key("realm-1", Cube.USER, Grain.MONTH, 202611, "u1", "", "", "", "")).calls);
        assertEquals(
                1,
                rows.get(new Key("realm-1", Cube.ALL, Grain.HOUR, hour10 + 1, "u2", "app", "p-1", "m1", "basic"))
                        .calls);
        assertEquals(
                3,
                rows.get(new Key("realm-1", Cube.ALL_BUT_USER, Grain.MONTH, 202611, "", "app", "p-1", "m1", "basic"))
                        .calls);
        // Cubes without hourly rows: client and user.
        rows.keySet()
                .forEach(k ->
                        assertTrue(k.grain() != Grain.HOUR || k.cube().grains.contains(Grain.HOUR)));
        assertNotEquals(
                new Key("realm-1", Cube.CLIENT, Grain.DAY, 20261130, "", "app", "", "", "").id(),
                new Key("realm-2", Cube.CLIENT, Grain.DAY, 20261130, "", "app", "", "", "").id());
    }

    @Test
    void latencyPercentilesInterpolateWithinTheirBucket() {
        Totals t = new Totals();
        assertNull(t.latencyPercentile(50), "no calls, no percentile");
        // 10 calls of (500, 750] ms and 10 of (1000, 1500] ms.
        t.latency[Rollup.latencyBucket(600)] = 10;
        t.latency[Rollup.latencyBucket(1200)] = 10;
        assertEquals(750L, t.latencyPercentile(50), "the 10th of 20 calls: the top of the first bucket");
        assertEquals(1450L, t.latencyPercentile(95), "the 19th of 20: the 9th of 10 in (1000, 1500]");
        assertEquals(0, Rollup.latencyBucket(0));
        assertEquals(0, Rollup.latencyBucket(50));
        assertEquals(1, Rollup.latencyBucket(51));
        assertEquals(Rollup.LATENCY_BUCKETS - 1, Rollup.latencyBucket(600_000));
        Totals slow = new Totals();
        slow.latency[Rollup.LATENCY_BUCKETS - 1] = 3;
        assertEquals(60_000L, slow.latencyPercentile(95), "the open bucket answers its lower bound");
    }

    @Test
    void windowsAreCoveredByWholeMonthsAndTheDaysAround() {
        Window w = new Window(
                Period.D90,
                Instant.parse("2026-11-15T00:00:00Z"),
                Instant.parse("2027-01-20T12:00:00Z"),
                LocalDate.parse("2026-11-15"),
                LocalDate.parse("2027-01-20"));
        assertEquals(
                List.of(
                        new Segment(Grain.DAY, 20261115, 20261130),
                        new Segment(Grain.MONTH, 202612, 202612),
                        new Segment(Grain.DAY, 20270101, 20270120)),
                UsageAnalytics.cover(w, EnumSet.of(Grain.DAY, Grain.MONTH)));
        Window month = new Window(
                Period.D30,
                Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-11-30T23:00:00Z"),
                LocalDate.parse("2026-11-01"),
                LocalDate.parse("2026-11-30"));
        assertEquals(List.of(new Segment(Grain.MONTH, 202611, 202611)), UsageAnalytics.cover(month, Cube.USER.grains));
    }

    @Test
    void cubesWithWeeksCoverTheDaysAroundMonthsWithWeeks() {
        assertEquals(
                List.of(
                        new Segment(Grain.WEEK, 2026113, 2026115),
                        new Segment(Grain.MONTH, 202612, 202612),
                        new Segment(Grain.WEEK, 2027011, 2027012),
                        new Segment(Grain.DAY, 20270115, 20270120)),
                UsageAnalytics.cover(window("2026-11-15", "2027-01-20"), Cube.USER.grains));
        // February 2027 has four weeks: its 4th is followed by March's 1st.
        assertEquals(
                List.of(
                        new Segment(Grain.DAY, 20270203, 20270207),
                        new Segment(Grain.WEEK, 2027022, 2027031),
                        new Segment(Grain.DAY, 20270308, 20270310)),
                UsageAnalytics.cover(window("2027-02-03", "2027-03-10"), Cube.CLIENT.grains));
        assertEquals(
                List.of(new Segment(Grain.DAY, 20261124, 20261128), new Segment(Grain.WEEK, 2026115, 2026115)),
                UsageAnalytics.cover(window("2026-11-24", "2026-11-30"), Cube.USER.grains));
        // Cubes without weeks read days.
        assertEquals(
                List.of(new Segment(Grain.DAY, 20261124, 20261130)),
                UsageAnalytics.cover(window("2026-11-24", "2026-11-30"), Cube.ALL.grains));
    }

    @Test
    void weeksAreTheSevenDayThirdsOfAMonthAndItsRest() {
        assertEquals(2026111, Rollup.weekOf(20261101));
        assertEquals(2026111, Rollup.weekOf(20261107));
        assertEquals(2026112, Rollup.weekOf(20261108));
        assertEquals(2026114, Rollup.weekOf(20261128));
        assertEquals(2026115, Rollup.weekOf(20261129));
        assertEquals(2026125, Rollup.weekOf(20261231));
        assertEquals(LocalDate.parse("2026-12-31"), Rollup.lastDayOfWeek(2026125));
        assertEquals(LocalDate.parse("2027-02-28"), Rollup.lastDayOfWeek(2027024));
        assertEquals(2027031, Grain.WEEK.next(2027024));
        assertEquals(2027011, Grain.WEEK.next(2026125));
        assertEquals(2026112, Grain.WEEK.next(2026111));
        assertEquals(
                2026115,
                Grain.WEEK.bucket(Instant.parse("2026-11-30T23:59:59.999Z").toEpochMilli()));
        assertEquals(Instant.parse("2026-11-22T00:00:00Z"), Grain.WEEK.start(2026114));
    }

    private static Window window(String first, String last) {
        return new Window(
                Period.D90,
                Instant.parse(first + "T00:00:00Z"),
                Instant.parse(last + "T12:00:00Z"),
                LocalDate.parse(first),
                LocalDate.parse(last));
    }

    @Test
    void csvCellsAreQuotedAndNeverFormulas() {
        assertEquals("plain", UsageExport.cell("plain"));
        assertEquals("\"a,b\"", UsageExport.cell("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", UsageExport.cell("say \"hi\""));
        assertEquals("'=HYPERLINK(1)", UsageExport.cell("=HYPERLINK(1)"));
        assertEquals("'+1", UsageExport.cell("+1"));
        assertEquals("'@cmd", UsageExport.cell("@cmd"));
        assertEquals("'-x", UsageExport.cell("-x"));
        assertEquals("-0.5", UsageExport.cell("-0.5"), "negative numbers stay numbers");
        assertEquals("\"'\r\n\"", UsageExport.cell("\r\n"));
    }
}
