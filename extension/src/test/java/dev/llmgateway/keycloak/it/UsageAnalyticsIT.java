package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.injection.LifeCycle;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The admin analytics against what was sent: real gateway calls through fake vendors plus calls reported by a service
 * (the only way to place calls in the past through the API), then {@code /stats}, {@code /usage} and the CSV export
 * compared with the ledger's own rows. A fresh realm per test, so every figure is known.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class UsageAnalyticsIT {

    @InjectRealm(config = LlmRealmConfig.class, lifecycle = LifeCycle.METHOD)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private String alphaId;
    private String betaId;
    private String userId;
    private String admin;

    @BeforeEach
    void providersUsersAndAReportingService() {
        Api.allowEveryModel(realm.getName());
        admin = Api.token(realm.getName(), "realmadmin", LlmRealmConfig.PASSWORD);
        alphaId = provider("Alpha", "sk-test-usage-alpha", "alpha-model", "0.15", "0.60", "0.075");
        betaId = provider("Beta", "sk-test-usage-beta", "beta-model", "1", "2", "0.5");
        userId = realm.admin().users().search("plainuser").get(0).getId();

        realm.admin().roles().create(new RoleRepresentation("llm-service", "Reports usage", false));
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId("reporter-svc");
        c.setSecret("reporter-svc-secret");
        c.setPublicClient(false);
        c.setServiceAccountsEnabled(true);
        c.setStandardFlowEnabled(false);
        realm.admin().clients().create(c).close();
        String id =
                realm.admin().clients().findByClientId("reporter-svc").get(0).getId();
        String sa = realm.admin().clients().get(id).getServiceAccountUser().getId();
        realm.admin()
                .users()
                .get(sa)
                .roles()
                .realmLevel()
                .add(List.of(realm.admin().roles().get("llm-service").toRepresentation()));
    }

    private String provider(String name, String key, String model, String in, String out, String cached) {
        Api.Reply r = Api.post(
                Api.admin(realm.getName(), "/providers"),
                admin,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        name,
                        "apiKey",
                        key,
                        "baseUrl",
                        vendors.baseUrl("openai"),
                        "models",
                        List.of(model)));
        assertEquals(201, r.status(), r.text());
        String id = r.json().get("provider").get("id").asText();
        Api.Reply p = Api.put(
                Api.admin(realm.getName(), "/providers/" + id + "/models/" + model),
                admin,
                Map.of("inputPrice", in, "outputPrice", out, "cachedInputPrice", cached));
        assertEquals(200, p.status(), p.text());
        return id;
    }

    private void chat(String model, boolean stream) {
        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", "hi")));
        body.put("stream", stream);
        Api.Reply r = Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD),
                body);
        assertEquals(200, r.status(), r.text());
    }

    /** Reports calls made elsewhere: {@code [daysAgo, status, byok]} each, 100 prompt and 50 completion tokens. */
    private void report(Object[]... events) {
        reportFor(userId, events);
    }

    /** {@link #report} for another user. */
    private void reportFor(String user, Object[]... events) {
        Api.Reply t = Api.form(
                Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/token",
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        "reporter-svc",
                        "client_secret",
                        "reporter-svc-secret"));
        assertEquals(200, t.status(), t.text());
        List<Map<String, Object>> list = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Object[] e : events) {
            Map<String, Object> m = new HashMap<>();
            m.put("model", "beta-model");
            m.put("provider_id", betaId);
            m.put("user_id", user);
            m.put("prompt_tokens", 100);
            m.put("completion_tokens", 50);
            m.put("latency_ms", 1200);
            m.put("status", e[1]);
            m.put("byok", e[2]);
            m.put("timestamp", now - ((Integer) e[0]) * 86_400_000L);
            list.add(m);
        }
        Api.Reply r = Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/usage/events",
                t.json().get("access_token").asText(),
                Map.of("events", list));
        assertEquals(202, r.status(), r.text());
    }

    private List<Map<String, Object>> events(int expected) {
        return Db.waitFor(
                expected, "select * from LLM_USAGE_EVENT where REALM_ID = ? order by CREATED_AT", realm.getId());
    }

    /** The ledger writes events and rollups in one transaction: once the events are there, so are the rollups. */
    private static BigDecimal sum(List<Map<String, Object>> rows, Predicate<Map<String, Object>> which) {
        return rows.stream()
                .filter(which)
                .map(r -> (BigDecimal) r.get("COST"))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static boolean byok(Map<String, Object> r) {
        return Boolean.TRUE.equals(r.get("BYOK"));
    }

    private static boolean within(Map<String, Object> r, int fromDaysAgo, int toDaysAgo) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate d = Instant.ofEpochMilli(((Number) r.get("CREATED_AT")).longValue())
                .atZone(ZoneOffset.UTC)
                .toLocalDate();
        return !d.isBefore(today.minusDays(fromDaysAgo)) && !d.isAfter(today.minusDays(toDaysAgo));
    }

    private static void assertAmount(BigDecimal expected, JsonNode actual, String what) {
        assertNotNull(actual, what + " missing");
        assertEquals(0, expected.compareTo(actual.decimalValue()), what + ": expected " + expected + ", got " + actual);
    }

    private JsonNode get(String path, String token) {
        Api.Reply r = Api.get(Api.admin(realm.getName(), path), token);
        assertEquals(200, r.status(), path + ": " + r.text());
        return r.json();
    }

    @Test
    void statsUsageAndExportAddUpToWhatWasSent() {
        long started = System.currentTimeMillis();
        chat("alpha-model", false);
        chat("alpha-model", false);
        chat("alpha-model", true);
        chat("beta-model", false);
        report(
                new Object[] {0, 200, false},
                new Object[] {0, 200, false},
                new Object[] {0, 500, false},
                new Object[] {0, 200, true},
                new Object[] {32, 200, false},
                new Object[] {32, 200, false});
        List<Map<String, Object>> rows = events(10);
        BigDecimal alphaCall = new BigDecimal("0.000153"); // (200 × 0.15 + 1000 × 0.075 + 80 × 0.60) / 1M
        rows.stream()
                .filter(r -> "alpha-model".equals(r.get("MODEL")))
                .forEach(r -> assertEquals(0, alphaCall.compareTo((BigDecimal) r.get("COST")), "Alpha's price"));
        BigDecimal today = sum(rows, r -> within(r, 29, 0) && !byok(r));
        BigDecimal before = sum(rows, r -> within(r, 59, 30) && !byok(r));
        BigDecimal saved = sum(rows, r -> within(r, 29, 0) && byok(r));
        assertEquals(0, new BigDecimal("0.0002").compareTo(saved), "a reported BYOK call: (100 × 1 + 50 × 2) / 1M");

        // The cards.
        JsonNode stats = get("/stats", admin);
        assertEquals(2, stats.get("total_providers").asInt());
        assertEquals(2, stats.get("active_models").asInt());
        assertEquals(8, stats.get("total_calls").asLong());
        assertAmount(today, stats.get("total_cost"), "total_cost");
        assertAmount(new BigDecimal("300"), stats.get("trends").get("total_calls"), "8 calls against 2: +300 %");
        assertAmount(
                today.subtract(before).multiply(BigDecimal.valueOf(100)).divide(before, 1, RoundingMode.HALF_EVEN),
                stats.get("trends").get("total_cost"),
                "cost trend");
        assertTrue(stats.get("trends").has("active_models"), "trend present, null: no snapshot 30 days old");
        assertTrue(stats.get("trends").get("active_models").isNull());

        // 30 days: one bucket per UTC day, today's holding everything.
        JsonNode usage = get("/usage?period=30d", admin);
        assertEquals("day", usage.get("bucket").asText());
        assertEquals(
                LocalDate.now(ZoneOffset.UTC)
                        .minusDays(29)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .toString(),
                usage.get("from").asText());
        JsonNode totals = usage.get("totals");
        assertEquals(8, totals.get("calls").asLong());
        assertEquals(1, totals.get("errors").asLong());
        assertAmount(new BigDecimal("0.875"), totals.get("success_rate"), "7 of 8");
        assertAmount(today, totals.get("cost"), "cost");
        assertEquals(1, totals.get("byok_calls").asLong());
        assertAmount(new BigDecimal("0.125"), totals.get("byok_share"), "1 of 8");
        assertAmount(saved, totals.get("byok_saved"), "saved");
        assertEquals(0, totals.get("fallback_calls").asLong());
        assertEquals(
                4 * FakeVendors.PROMPT_TOKENS + 4 * 100,
                totals.get("prompt_tokens").asLong(),
                "prompt tokens");
        JsonNode series = usage.get("series");
        assertEquals(30, series.size());
        JsonNode last = series.get(29);
        assertEquals(
                LocalDate.now(ZoneOffset.UTC)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .toString(),
                last.get("start").asText());
        assertEquals(8, last.get("calls").asLong());
        assertAmount(today, last.get("cost"), "today's bucket");
        for (int i = 0; i < 29; i++) {
            assertEquals(0, series.get(i).get("calls").asLong(), "day " + i);
        }

        Map<String, JsonNode> providers = new HashMap<>();
        usage.get("by_provider").forEach(p -> providers.put(p.get("provider_id").asText(), p));
        assertEquals(3, providers.get(alphaId).get("calls").asLong());
        assertEquals("Alpha", providers.get(alphaId).get("name").asText());
        assertAmount(
                alphaCall.multiply(BigDecimal.valueOf(3)),
                providers.get(alphaId).get("cost"),
                "Alpha's cost");
        JsonNode beta = providers.get(betaId);
        assertEquals(5, beta.get("calls").asLong());
        assertEquals(1, beta.get("errors").asLong());
        assertAmount(new BigDecimal("0.8"), beta.get("success_rate"), "4 of 5");
        long p95 = beta.get("latency_p95_ms").asLong();
        assertTrue(p95 > 1000 && p95 <= 1500, "4 of Beta's 5 calls took 1.2 s: p95 in (1000, 1500], got " + p95);
        assertEquals("beta-model", usage.get("by_model").get(0).get("model").asText(), "Beta costs most");

        JsonNode users = usage.get("top_users");
        assertEquals(1, users.size());
        assertEquals(userId, users.get(0).get("user_id").asText());
        assertEquals("plainuser", users.get(0).get("username").asText());
        assertEquals(8, users.get(0).get("calls").asLong());
        Map<String, Long> clients = new HashMap<>();
        usage.get("top_clients")
                .forEach(c ->
                        clients.put(c.get("client_id").asText(), c.get("calls").asLong()));
        assertEquals(Map.of("admin-cli", 4L, "reporter-svc", 4L), clients);

        // Other periods and their buckets.
        assertEquals(
                10, get("/usage?period=90d", admin).get("totals").get("calls").asLong());
        JsonNode all = get("/usage?period=all", admin);
        assertEquals("month", all.get("bucket").asText());
        assertEquals(10, all.get("totals").get("calls").asLong());
        JsonNode week = get("/usage?period=7d", admin);
        assertEquals("hour", week.get("bucket").asText());
        Map<String, Long> perHour = new HashMap<>();
        for (Map<String, Object> r : rows) {
            if (within(r, 6, 0)) {
                String hour = Instant.ofEpochMilli(((Number) r.get("CREATED_AT")).longValue())
                        .truncatedTo(ChronoUnit.HOURS)
                        .toString();
                perHour.merge(hour, 1L, Long::sum);
            }
        }
        Map<String, Long> seen = new HashMap<>();
        week.get("series").forEach(p -> {
            if (p.get("calls").asLong() > 0) {
                seen.put(p.get("start").asText(), p.get("calls").asLong());
            }
        });
        assertEquals(perHour, seen, "hourly buckets, in UTC, as the events' own times say");

        // Filters.
        assertEquals(
                3,
                get("/usage?provider=" + alphaId, admin)
                        .get("totals")
                        .get("calls")
                        .asLong());
        assertEquals(
                5,
                get("/usage?model=beta-model", admin).get("totals").get("calls").asLong());
        assertEquals(
                8,
                get("/usage?user=" + userId, admin).get("totals").get("calls").asLong());
        assertEquals(
                8,
                get("/usage?user=plainuser", admin).get("totals").get("calls").asLong());
        assertEquals(
                4,
                get("/usage?client=admin-cli", admin).get("totals").get("calls").asLong());
        assertEquals(
                1,
                get("/usage?client=admin-cli&model=beta-model", admin)
                        .get("totals")
                        .get("calls")
                        .asLong());
        assertEquals(
                8,
                get("/usage?level=unlimited", admin).get("totals").get("calls").asLong());
        assertEquals(
                0, get("/usage?level=basic", admin).get("totals").get("calls").asLong());
        JsonNode userAndModel = get("/usage?user=" + userId + "&provider=" + alphaId, admin);
        assertEquals(3, userAndModel.get("totals").get("calls").asLong());
        assertEquals(1, userAndModel.get("top_clients").size(), "Alpha was only called through admin-cli");

        // The CSV: one row per event of the period, the same costs as the ledger.
        Api.Reply csv = Api.download(Api.admin(realm.getName(), "/usage/export?period=30d"), admin);
        assertEquals(200, csv.status(), csv.text());
        assertTrue(csv.header("Content-Type").startsWith("text/csv"), csv.header("Content-Type"));
        assertTrue(csv.header("Content-Disposition").startsWith("attachment;"));
        String[] lines = csv.text().split("\r\n");
        assertEquals(
                "time,user_id,client_id,source,provider_id,provider_type,model,requested_model,level,prompt_tokens,"
                        + "completion_tokens,cached_tokens,cache_write_tokens,reasoning_tokens,cost,byok,streamed,"
                        + "status,outcome,attempts,latency_ms,usage_estimated,vendor_cost,call_kind",
                lines[0]);
        assertEquals(9, lines.length, "a header and 8 events");
        BigDecimal csvCost = BigDecimal.ZERO;
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",", -1);
            assertEquals(userId, cells[1]);
            assertEquals("false", cells[21], "the vendors and the service reported every call's usage");
            if ("false".equals(cells[15])) {
                csvCost = csvCost.add(new BigDecimal(cells[14]));
            }
        }
        assertEquals(0, today.compareTo(csvCost), "the CSV's costs add up to the ledger's");
        assertFalse(csv.text().contains("sk-test"), "never a key");

        Api.Reply daily = Api.download(Api.admin(realm.getName(), "/usage/export?period=90d&kind=daily"), admin);
        assertEquals(200, daily.status(), daily.text());
        String[] dailyLines = daily.text().split("\r\n");
        long dailyCalls = 0;
        List<String> header = List.of(dailyLines[0].split(","));
        for (int i = 1; i < dailyLines.length; i++) {
            dailyCalls += Long.parseLong(dailyLines[i].split(",", -1)[header.indexOf("calls")]);
        }
        assertEquals(10, dailyCalls, "the daily rollups hold every call of the 90 days");

        Api.Reply adminEvents = Api.get(Api.BASE + "/admin/realms/" + realm.getName() + "/admin-events?max=100", admin);
        assertEquals(200, adminEvents.status(), adminEvents.text());
        List<JsonNode> exports = new ArrayList<>();
        adminEvents.json().forEach(e -> {
            // The realm's id is its name, and admin events outlive a removed realm: only this test's.
            if ("LLM_USAGE_EXPORT".equals(e.path("resourceType").asText())
                    && e.path("time").asLong() >= started) {
                exports.add(e);
            }
        });
        assertEquals(2, exports.size(), "each export is an admin event: " + adminEvents.text());
        assertEquals("ACTION", exports.get(0).get("operationType").asText());
        assertFalse(adminEvents.text().contains("sk-test"), "never a key");
    }

    @Test
    void viewRealmWithoutViewUsersSeesNoUserIds() {
        chat("alpha-model", false);
        events(1);
        String viewer = Api.token(realm.getName(), "viewer", LlmRealmConfig.PASSWORD);
        JsonNode usage = get("/usage", viewer);
        assertEquals(1, usage.get("totals").get("calls").asLong());
        assertNull(usage.get("top_users"), "no top users without view-users");
        assertFalse(usage.toString().contains(userId), "no user id anywhere");
        Api.Reply byUser = Api.get(Api.admin(realm.getName(), "/usage?user=" + userId), viewer);
        assertEquals(403, byUser.status(), byUser.text());

        Api.Reply csv = Api.download(Api.admin(realm.getName(), "/usage/export"), viewer);
        assertEquals(200, csv.status(), csv.text());
        assertTrue(csv.text().startsWith("time,client_id,"), "no user column");
        assertFalse(csv.text().contains(userId));
        Api.Reply daily = Api.download(Api.admin(realm.getName(), "/usage/export?kind=daily"), viewer);
        assertEquals(200, daily.status(), daily.text());
        assertFalse(daily.text().contains(userId));

        String plain = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        for (String path : List.of("/stats", "/usage", "/usage/export")) {
            assertEquals(
                    403, Api.download(Api.admin(realm.getName(), path), plain).status(), path);
        }
        assertEquals(2, get("/stats", viewer).get("total_providers").asInt(), "the cards need only view-realm");
    }

    @Test
    void badPeriodsAndFiltersAreNamed() {
        for (String[] c : new String[][] {
            {"/usage?period=5d", "period"},
            {"/usage?period=", "period"},
            {"/usage?provider=", "provider"},
            {"/usage?colour=red", "colour"},
            {"/usage?period=7d&period=30d", "period"},
            {"/stats?period=7d", "period"},
            {"/usage/export?kind=weekly", "kind"},
            {"/usage/export?period=1y", "period"},
        }) {
            Api.Reply r = Api.download(Api.admin(realm.getName(), c[0]), admin);
            assertEquals(400, r.status(), c[0] + ": " + r.text());
            assertEquals(c[1], r.json().get("field").asText(), c[0]);
            assertFalse(r.json().get("error").asText().isBlank());
        }
        Api.Reply pasted = Api.get(
                Api.admin(realm.getName(), "/usage?period=sk-live-abcdefghijklmnopqrstuvwxyz0123456789"), admin);
        assertEquals(400, pasted.status());
        assertFalse(pasted.text().contains("abcdefghijklmnop"), "caller text that may be a secret is not echoed");
    }

    @Test
    void topUsersRankEveryDayOfTheWindowAndSeeLateWritesIntoPastDays() {
        String other = realm.admin().users().search("realmadmin").get(0).getId();
        chat("alpha-model", false);
        report(new Object[] {3, 200, false});
        events(2);
        JsonNode before = get("/usage?period=30d", admin).get("top_users");
        assertEquals(1, before.size());
        assertEquals(2, before.get(0).get("calls").asLong(), "today's call and the one three days ago");

        // Calls written into past days after the ranking of those days was read: they count at once.
        reportFor(other, new Object[] {1, 200, false}, new Object[] {2, 200, false}, new Object[] {20, 200, false});
        events(5);
        JsonNode after = get("/usage?period=30d", admin).get("top_users");
        assertEquals(2, after.size(), after.toString());
        assertEquals(other, after.get(0).get("user_id").asText(), "three Beta calls cost more than one of each");
        assertEquals(3, after.get(0).get("calls").asLong());
        assertEquals(userId, after.get(1).get("user_id").asText());
        assertEquals(2, after.get(1).get("calls").asLong());
        JsonNode week = get("/usage?period=7d", admin).get("top_users");
        assertEquals(2, week.size());
        assertEquals(2, week.get(0).get("calls").asLong(), "the call 20 days ago is outside 7 days");
    }

    @Test
    void activeModelsTrendComparesWithTheSnapshotOf30DaysAgo() {
        int day = Integer.parseInt(
                LocalDate.now(ZoneOffset.UTC).minusDays(30).toString().replace("-", ""));
        Db.update(
                "insert into LLM_REALM_SNAPSHOT (REALM_ID, SNAPSHOT_DAY, PROVIDERS, ACTIVE_MODELS) values (?, ?, ?, ?)",
                realm.getId(),
                day,
                1,
                1);
        JsonNode stats = get("/stats", admin);
        assertEquals(2, stats.get("active_models").asInt());
        assertAmount(new BigDecimal("100"), stats.get("trends").get("active_models"), "2 models against 1");
        assertTrue(stats.get("trends").get("total_calls").isNull(), "no calls before: nothing to compare");
    }

    @Test
    void retentionDeletesOnlyExpiredEventsAndKeepsRollupsAndBudgets() {
        chat("alpha-model", false);
        chat("alpha-model", false);
        chat("beta-model", false);
        chat("beta-model", false);
        List<Map<String, Object>> rows = events(4);
        String plain = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        JsonNode usageBefore = get("/usage?period=30d", admin).get("totals");
        JsonNode spentBefore = Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me", plain)
                .json()
                .get("budget");

        long day = 86_400_000L;
        long now = System.currentTimeMillis();
        Db.update(
                "update LLM_USAGE_EVENT set CREATED_AT = ? where ID = ?",
                now - 100 * day,
                rows.get(0).get("ID"));
        Db.update(
                "update LLM_USAGE_EVENT set CREATED_AT = ? where ID = ?",
                now - 91 * day,
                rows.get(1).get("ID"));
        Db.update(
                "update LLM_USAGE_EVENT set CREATED_AT = ? where ID = ?",
                now - 89 * day,
                rows.get(2).get("ID"));

        long deadline = System.currentTimeMillis() + 30_000;
        while (Db.count("select count(*) from LLM_USAGE_EVENT where REALM_ID = ?", realm.getId()) > 2) {
            assertTrue(System.currentTimeMillis() < deadline, "the maintenance task deleted nothing within 30 s");
            sleep(250);
        }
        List<Map<String, Object>> left =
                Db.query("select ID from LLM_USAGE_EVENT where REALM_ID = ? order by CREATED_AT", realm.getId());
        assertEquals(
                List.of(rows.get(2).get("ID"), rows.get(3).get("ID")),
                left.stream().map(r -> r.get("ID")).toList(),
                "the events 100 and 91 days old are gone; 89 days old and today's are kept");

        assertEquals(usageBefore, get("/usage?period=30d", admin).get("totals"), "the rollups are kept");
        assertEquals(
                spentBefore,
                Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/me", plain)
                        .json()
                        .get("budget"),
                "budgets are unchanged");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
