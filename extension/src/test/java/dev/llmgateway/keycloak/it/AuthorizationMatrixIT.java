package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.it.LlmFixture.Identity;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Every endpoint of the extension × every kind of caller, with the status the docs promise, from one table
 * ({@code src/test/resources/authz-matrix.txt}, which explains its columns). Per row, the refused calls run first and
 * must leave the extension's tables of both realms as they were; then the allowed ones run.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class AuthorizationMatrixIT {

    static final String TABLE = "/authz-matrix.txt";

    /** Tables that background work or gateway calls write by themselves (usage, health and maintenance). */
    static final Set<String> VOLATILE = Set.of(
            "LLM_TASK_RUN",
            "LLM_USAGE_EVENT",
            "LLM_USAGE_DAILY",
            "LLM_USAGE_ROLLUP",
            "LLM_REALM_SNAPSHOT",
            "LLM_BUDGET_NOTICE",
            "LLM_PROVIDER");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OWN_KEY = "sk-test-authz-own-key-Hq27";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    @InjectRealm(ref = "other", config = LlmRealmConfig.class)
    ManagedRealm other;

    private LlmFixture fx;

    /** One line of the table. */
    record Row(int line, String method, String path, String body, String setup, Map<Identity, Integer> expected) {
        String label() {
            return method + " " + path + (body.equals("-") ? "" : " [" + body + "]")
                    + (setup.equals("-") ? "" : " (" + setup + ")");
        }
    }

    static List<Row> table() {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = AuthorizationMatrixIT.class.getResourceAsStream(TABLE);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            Identity[] columns = Identity.values();
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length != 4 + columns.length) {
                    throw new IllegalStateException(TABLE + " line " + n + ": expected " + (4 + columns.length)
                            + " columns, found " + f.length);
                }
                Map<Identity, Integer> expected = new EnumMap<>(Identity.class);
                for (int i = 0; i < columns.length; i++) {
                    expected.put(columns[i], Integer.parseInt(f[4 + i]));
                }
                rows.add(new Row(n, f[0], f[1], f[2], f[3], expected));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    @TestFactory
    Stream<DynamicNode> matrix() {
        fx = new LlmFixture(realm, other).setUp();
        List<Row> rows = table();
        int cells = rows.size() * Identity.values().length;
        System.out.println("authorisation matrix: " + rows.size() + " operations x " + Identity.values().length
                + " callers = " + cells + " cells");
        return rows.stream().map(this::row);
    }

    private DynamicContainer row(Row row) {
        List<DynamicNode> nodes = new ArrayList<>();
        Map<String, Map<String, String>> before = new LinkedHashMap<>();
        List<Identity> refused = new ArrayList<>();
        List<Identity> allowed = new ArrayList<>();
        row.expected().forEach((who, status) -> (status >= 400 ? refused : allowed).add(who));
        boolean writes = !row.method().equals("GET");
        if (row.setup().equals("userkey")) {
            nodes.add(DynamicTest.dynamicTest("(setup: only user holds a key)", this::onlyUserHoldsAKey));
        }
        if (writes) {
            nodes.add(DynamicTest.dynamicTest("(fingerprint the tables)", () -> before.putAll(fingerprints())));
        }
        refused.forEach(who -> nodes.add(cell(row, who)));
        if (writes) {
            nodes.add(DynamicTest.dynamicTest(
                    "refused calls wrote nothing",
                    () -> assertEquals(before, fingerprints(), "tables changed by refused calls of " + row.label())));
        }
        allowed.forEach(who -> nodes.add(cell(row, who)));
        return DynamicContainer.dynamicContainer("line " + row.line() + ": " + row.label(), nodes.stream());
    }

    private Map<String, Map<String, String>> fingerprints() {
        return Map.of(
                "realm", Db.llmFingerprint(fx.realmId(), VOLATILE),
                "other realm", Db.llmFingerprint(other.getId(), VOLATILE));
    }

    private DynamicTest cell(Row row, Identity who) {
        int expected = row.expected().get(who);
        return DynamicTest.dynamicTest(who.column + " → " + expected, () -> {
            String throwaway = row.setup().equals("throwaway") ? createProvider("Throwaway " + who.column) : null;
            if (row.setup().equals("ownkey") && who.ofRealm()) {
                putOwnKey(who);
            }
            String url = url(row.path(), throwaway);
            byte[] body = body(row.body(), who);
            Api.Reply r =
                    Api.exchange(row.method(), url, fx.token(who), body == null ? null : "application/json", body);
            try {
                assertEquals(
                        expected,
                        r.status(),
                        who.column + " on " + row.label() + " (line " + row.line() + "): " + abbreviate(r.text()));
                if (r.status() == 401
                        && (row.path().startsWith("realm:{realm}/v1")
                                || row.path().contains("/me"))) {
                    assertEquals("Bearer", r.header("WWW-Authenticate"), "the 401 carries the Bearer challenge");
                }
                if (r.status() >= 200 && r.status() < 300 && r.status() != 204) {
                    String type = r.header("Content-Type");
                    assertTrue(
                            type != null && (type.startsWith("application/json") || type.startsWith("text/csv")),
                            "content type of a 2xx: " + type);
                }
            } finally {
                if (row.method().equals("POST") && row.path().endsWith("/providers") && r.status() == 201) {
                    Api.delete(
                            Api.admin(
                                    fx.realmName(),
                                    "/providers/"
                                            + r.json().get("provider").get("id").asText()),
                            Api.masterAdminToken());
                }
                if (throwaway != null && r.status() != 200) {
                    Api.delete(Api.admin(fx.realmName(), "/providers/" + throwaway), Api.masterAdminToken());
                }
            }
        });
    }

    private void onlyUserHoldsAKey() {
        for (Identity i : Identity.values()) {
            if (i.ofRealm() && i != Identity.USER) {
                Api.exchange("DELETE", fx.realmApi("/me/keys/openai"), fx.token(i), null, null);
            }
        }
        putOwnKey(Identity.USER);
    }

    private void putOwnKey(Identity who) {
        Api.Reply r = Api.exchange(
                "PUT",
                fx.realmApi("/me/keys/openai"),
                fx.token(who),
                "application/json",
                ("{\"apiKey\":\"" + OWN_KEY + "\"}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.status(), "setup: own key of " + who.column + ": " + r.text());
    }

    private String createProvider(String name) {
        Api.Reply r = Api.post(Api.admin(fx.realmName(), "/providers"), Api.masterAdminToken(), provider(name));
        assertEquals(201, r.status(), "setup: " + r.text());
        return r.json().get("provider").get("id").asText();
    }

    private static Map<String, Object> provider(String name) {
        return Map.of(
                "type",
                "openai",
                "name",
                name,
                "apiKey",
                "sk-test-authz-create-Ve39",
                "baseUrl",
                FakeVendors.get().baseUrl("openai"),
                "models",
                List.of(LlmFixture.MODEL));
    }

    private String url(String path, String throwaway) {
        String p = path.replace("{realm}", fx.realmName())
                .replace("{other}", fx.otherRealmName())
                .replace("{provider}", fx.providerId())
                .replace("{foreign}", fx.foreignProviderId());
        if (p.contains("{userid}")) {
            p = p.replace("{userid}", fx.userId("plainuser"));
        }
        if (throwaway != null) {
            p = p.replace("{throwaway}", throwaway);
        }
        if (p.startsWith("admin:")) {
            String rest = p.substring("admin:".length());
            int slash = rest.indexOf('/');
            return Api.admin(rest.substring(0, slash), rest.substring(slash));
        }
        if (p.startsWith("realm:")) {
            return Api.BASE + "/realms/" + p.substring("realm:".length()).replaceFirst("/", "/llm/");
        }
        throw new IllegalArgumentException("path must start with admin: or realm: " + path);
    }

    /** The named bodies of the table: valid requests, so that allowed calls succeed. */
    private byte[] body(String name, Identity who) {
        Map<String, Function<Identity, Object>> bodies = Map.ofEntries(
                Map.entry("provider", i -> provider("Authz " + i.column)),
                Map.entry("priority", i -> Map.of("priority", 50)),
                Map.entry("quality", i -> Map.of("quality", 50)),
                Map.entry(
                        "testkey",
                        i -> Map.of(
                                "provider",
                                "openai",
                                "api_key",
                                "sk-test-authz-probe-Lm50",
                                "base_url",
                                FakeVendors.get().baseUrl("openai"))),
                Map.entry("rules", i -> Map.of("strategy", "balanced")),
                Map.entry(
                        "levels",
                        i -> Map.of(
                                "default",
                                "unlimited",
                                "levels",
                                List.of(Map.of("id", "unlimited", "name", "Unlimited", "models", List.of("*"))))),
                Map.entry(
                        "table",
                        i -> Map.of(
                                "models",
                                List.of(Map.of(
                                        "vendor", "openai", "id", "authz-priced-model", "input", 1, "output", 2)))),
                Map.entry("notices", i -> Map.of("notify_users", false)),
                Map.entry("byok", i -> Map.of("fallback_to_organization_key", false)),
                Map.entry("access", i -> Collections.singletonMap("require_role", null)),
                Map.entry("limits", i -> Map.of("requests_per_minute", 1_000_000)),
                Map.entry(
                        "chat",
                        i -> Map.of(
                                "model",
                                LlmFixture.MODEL,
                                "messages",
                                List.of(Map.of("role", "user", "content", "Say hello")))),
                Map.entry("key", i -> Map.of("apiKey", OWN_KEY)),
                Map.entry("route", i -> Map.of("model", LlmFixture.MODEL)),
                Map.entry(
                        "events",
                        i -> Map.of(
                                "events",
                                List.of(Map.of(
                                        "model", LlmFixture.MODEL, "prompt_tokens", 10, "completion_tokens", 5)))));
        if (name.equals("-")) {
            return null;
        }
        if (name.equals("empty")) {
            return new byte[0];
        }
        Function<Identity, Object> body = bodies.get(name);
        if (body == null) {
            throw new IllegalArgumentException("no body named '" + name + "' (" + TABLE + ")");
        }
        try {
            return JSON.writeValueAsBytes(body.apply(who));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
