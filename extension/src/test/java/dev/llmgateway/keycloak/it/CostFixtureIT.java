package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Every bill exact: the cases of {@code src/test/resources/cost-cases.tsv} (vendor × usage → the cost the vendor bills,
 * worked out by hand from its published rules, not from our output) each run through the real server against a fake
 * vendor that reports the case's usage in that vendor's own shape, non-streamed and streamed as the case says. The
 * ledger's cost must equal the table's to the last digit; where the vendor states its own cost (OpenRouter), the
 * ledger keeps that too, and the server logs a warning when the two disagree.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class CostFixtureIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    /** One row of the table. */
    record Case(
            String id,
            String vendor,
            String model,
            VendorUsage usage,
            Map<String, Object> override,
            String modes,
            String marker,
            BigDecimal expected,
            String derivation) {

        String key() {
            return "sk-test-cost-" + id + (marker == null ? "" : "-" + marker);
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = CostFixtureIT.class.getResourceAsStream("/cost-cases.tsv")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> header = null;
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<String> cells = List.of(line.split("\t", -1));
                if (header == null) {
                    header = cells;
                    continue;
                }
                Map<String, String> row = new HashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), i < cells.size() ? cells.get(i).trim() : "");
                }
                cases.add(new Case(
                        row.get("id"),
                        row.get("vendor"),
                        row.get("model"),
                        new VendorUsage(
                                number(row, "prompt"),
                                number(row, "completion"),
                                number(row, "cached"),
                                number(row, "write"),
                                number(row, "write1h"),
                                number(row, "reasoning"),
                                dash(row.get("tier")),
                                dash(row.get("vendor_cost"))),
                        override(dash(row.get("override"))),
                        row.get("modes"),
                        dash(row.get("marker")),
                        new BigDecimal(row.get("expected_usd")),
                        row.get("derivation")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static long number(Map<String, String> row, String column) {
        String v = row.get(column);
        return v == null || v.isEmpty() || v.equals("-") ? 0 : Long.parseLong(v);
    }

    private static String dash(String v) {
        return v == null || v.isEmpty() || v.equals("-") ? null : v;
    }

    /** {@code in=2.7;out=13.5;cached=0.5} → the body of the admin's model override. */
    private static Map<String, Object> override(String spec) {
        if (spec == null) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        for (String part : spec.split(";")) {
            String[] kv = part.split("=");
            String field = switch (kv[0]) {
                case "in" -> "inputPrice";
                case "out" -> "outputPrice";
                case "cached" -> "cachedInputPrice";
                default -> throw new IllegalArgumentException("override field " + kv[0]);
            };
            body.put(field, new BigDecimal(kv[1]));
        }
        return body;
    }

    @Test
    void theTableCoversEveryProviderTypeAndEnoughCases() {
        List<Case> cases = cases();
        Set<String> types = new TreeSet<>();
        cases.forEach(c -> types.add(c.vendor()));
        assertEquals(new TreeSet<>(FakeVendors.vendors()), types, "every provider type has cases");
        assertTrue(cases.size() >= 40, "at least 40 cases, got " + cases.size());
        Set<String> ids = new TreeSet<>();
        cases.forEach(c -> assertTrue(ids.add(c.id()), "case ids are unique: " + c.id()));
    }

    @TestFactory
    Stream<DynamicTest> everyCaseCostsWhatTheVendorBills() {
        Api.allowEveryModel(realm.getName());
        return cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.id() + " " + c.vendor() + " " + c.model(), () -> run(c)));
    }

    private void run(Case c) {
        String token = Api.masterAdminToken();
        Map<String, Object> body = new HashMap<>();
        body.put("type", c.vendor());
        body.put("name", "Cost " + c.id());
        body.put("apiKey", c.key());
        body.put("baseUrl", vendors.baseUrl(c.vendor()));
        body.put("models", List.of(c.model()));
        Api.Reply created = Api.post(Api.admin(realm.getName(), "/providers"), token, body);
        assertEquals(201, created.status(), created.text());
        String providerId = created.json().get("provider").get("id").asText();
        vendors.script(c.key(), c.usage());
        try {
            if (c.override() != null) {
                Api.Reply o = Api.put(
                        Api.admin(
                                realm.getName(),
                                "/providers/" + providerId + "/models/"
                                        + URLEncoder.encode(c.model(), StandardCharsets.UTF_8)
                                                .replace("%2F", "/")),
                        token,
                        c.override());
                assertEquals(200, o.status(), o.text());
            }
            List<Boolean> streamed = switch (c.modes()) {
                case "both" -> List.of(false, true);
                case "stream" -> List.of(true);
                case "plain" -> List.of(false);
                default -> throw new IllegalArgumentException("modes " + c.modes());
            };
            String user = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
            for (boolean stream : streamed) {
                Map<String, Object> chat = new HashMap<>();
                chat.put("model", c.model());
                chat.put("messages", List.of(Map.of("role", "user", "content", "What does this cost?")));
                chat.put("stream", stream);
                Api.Reply r =
                        Api.post(Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions", user, chat);
                assertEquals(200, r.status(), c.id() + ": " + r.text());
            }
            List<Map<String, Object>> rows = rows(providerId, streamed.size());
            for (Map<String, Object> row : rows) {
                String what = c.id() + (Boolean.TRUE.equals(row.get("STREAMED")) ? " streamed" : " non-streamed") + " ("
                        + c.derivation() + ")";
                BigDecimal cost = (BigDecimal) row.get("COST");
                assertTrue(cost != null, what + ": unpriced");
                assertEquals(0, c.expected().compareTo(cost), what + ": recorded " + cost.toPlainString());
                if (c.usage().vendorCost() == null) {
                    assertNull(row.get("VENDOR_COST"), what);
                } else {
                    assertEquals(
                            0,
                            new BigDecimal(c.usage().vendorCost()).compareTo((BigDecimal) row.get("VENDOR_COST")),
                            what + ": vendor's cost " + row.get("VENDOR_COST"));
                }
            }
            if (c.usage().vendorCost() != null) {
                // A vendor's own figure that disagrees with ours is logged, naming the provider; one that agrees is
                // not.
                boolean differs = new BigDecimal(c.usage().vendorCost()).compareTo(c.expected()) != 0;
                String line = "provider " + providerId + " reports a cost of $"
                        + c.usage().vendorCost();
                assertEquals(differs, serverLogContains(line, differs ? 10_000 : 1_000), c.id() + ": " + line);
            }
        } finally {
            vendors.script(c.key(), null);
            Api.delete(Api.admin(realm.getName(), "/providers/" + providerId), token);
        }
    }

    /** Whether the server log holds {@code text} within {@code millis}. */
    private static boolean serverLogContains(String text, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            try {
                if (Files.readString(LlmServerConfig.serverLog(), StandardCharsets.UTF_8)
                        .contains(text)) {
                    return true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The provider's ledger rows once there are {@code n}. */
    private static List<Map<String, Object>> rows(String providerId, int n) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            List<Map<String, Object>> rows =
                    Db.query("select * from LLM_USAGE_EVENT where PROVIDER_ID = ? order by CREATED_AT", providerId);
            if (rows.size() >= n) {
                assertEquals(n, rows.size(), "one ledger row per call");
                return rows;
            }
            assertTrue(System.currentTimeMillis() < deadline, "no ledger rows for " + providerId + " within 15 s");
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
