package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The LLM Gateway page of the admin console in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core
 * from themes/admin-ui/e2e/admin-console.mjs), as a realm admin and as an admin who may only view the realm. What the
 * page did is then checked where it counts: the admin API and the gateway's own choice of provider. Screenshots (light,
 * dark, narrow) and the exported CSV land in target/screenshots/.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class AdminConsoleIT {

    private static final String KEY = "sk-test-admin-console-Adm1n";
    private static final String MODEL = "gpt-4o-mini";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private String provider(String admin, String name, String key, int priority) {
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
                        "priority",
                        priority,
                        "models",
                        List.of(MODEL)));
        assertEquals(201, r.status(), r.text());
        return r.json().get("provider").get("id").asText();
    }

    private Api.Reply chat() {
        Map<String, Object> body = new HashMap<>();
        body.put("model", MODEL);
        body.put("messages", List.of(Map.of("role", "user", "content", "hi")));
        return Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD),
                body);
    }

    @Test
    void aRealmAdminRunsTheGatewayFromTheAdminConsole() throws IOException, InterruptedException {
        assertEquals(
                "llm-gateway",
                realm.admin().toRepresentation().getAdminTheme(),
                "a new realm's console has the LLM Gateway page");
        assertEquals(
                "llm-gateway",
                Api.get(Api.BASE + "/admin/realms/master", Api.masterAdminToken())
                        .json()
                        .get("adminTheme")
                        .asText(),
                "the master realm's console, where admins of every realm sign in, has the page");
        Api.allowEveryModel(realm.getName());
        String admin = Api.token(realm.getName(), "realmadmin", LlmRealmConfig.PASSWORD);
        provider(admin, "Primary", "sk-test-console-primary", 80);
        String secondary = provider(admin, "Secondary", "sk-test-console-secondary", 20);

        // Calls before the browser opens the page: the cards and charts must show them.
        for (int i = 0; i < 3; i++) {
            Api.Reply r = chat();
            assertEquals(200, r.status(), r.text());
            assertEquals("Primary", r.header("X-LLM-Provider"), "before: the higher priority first");
        }
        Db.waitFor(3, "select * from LLM_USAGE_EVENT where REALM_ID = ?", realm.getId());

        Path screenshots = LlmServerConfig.workDir().resolve("screenshots").toAbsolutePath();
        String log = runBrowser(Map.ofEntries(
                Map.entry("KC_REALM", realm.getName()),
                Map.entry("KC_ADMIN", "realmadmin"),
                Map.entry("KC_ADMIN_PASSWORD", LlmRealmConfig.PASSWORD),
                Map.entry("KC_VIEWER", "viewer"),
                Map.entry("KC_VIEWER_PASSWORD", LlmRealmConfig.PASSWORD),
                Map.entry("KC_VENDOR_URL", vendors.baseUrl("openai")),
                Map.entry("KC_KEY", KEY),
                Map.entry("KC_MOVE_PROVIDER", "Secondary"),
                Map.entry("KC_LEVEL", "unlimited"),
                Map.entry("KC_OVERRIDE_CLIENT", "account"),
                Map.entry("KC_OVERRIDE_USER", "plainuser"),
                Map.entry("KC_EXPECT_CALLS", "3"),
                Map.entry("SCREENSHOT_DIR", screenshots.toString())));

        // The fallback chain as the page left it: what /providers returns and what the gateway tries.
        JsonNode providers =
                Api.get(Api.admin(realm.getName(), "/providers"), admin).json().get("providers");
        assertEquals(2, providers.size(), "the provider added on the page was deleted there too: " + providers);
        assertEquals(secondary, providers.get(0).get("id").asText(), "moved to the top of the chain: " + providers);
        Api.Reply after = chat();
        assertEquals(200, after.status(), after.text());
        assertEquals("Secondary", after.header("X-LLM-Provider"), "the gateway tries the chain's new first");

        JsonNode rules =
                Api.get(Api.admin(realm.getName(), "/routing/rules"), admin).json();
        assertEquals("cost", rules.get("strategy").asText());
        assertTrue(rules.get("aliases").has("e2e-fast"), "the alias added on the page: " + rules);
        JsonNode levels =
                Api.get(Api.admin(realm.getName(), "/power-levels"), admin).json();
        assertEquals(
                "42",
                levels.get("levels").get(0).get("monthly_budget").asText(),
                "the level edited on the page: " + levels);

        // The rate limits set on the page, as the API keeps them.
        assertEquals(
                60,
                levels.get("levels")
                        .get(0)
                        .path("limits")
                        .path("requests_per_minute")
                        .asInt(),
                "the level's requests per minute: " + levels);
        JsonNode limited = providers.get(0).path("limits");
        assertEquals(500, limited.path("requests_per_minute").asInt(), "Secondary's limits: " + providers);
        assertEquals(8, limited.path("concurrent_streams").asInt(), "Secondary's limits: " + providers);
        assertFalse(limited.has("tokens_per_minute"), "no token limit was set: " + limited);
        assertEquals(
                0,
                Api.get(Api.admin(realm.getName(), "/limits/clients/account"), admin)
                        .json()
                        .size(),
                "the client override set on the page was cleared there");
        JsonNode users =
                Api.get(Api.admin(realm.getName(), "/limits"), admin).json().get("users");
        assertEquals(1, users.size(), "one user override: " + users);
        assertEquals("plainuser", users.get(0).get("name").asText());
        assertEquals(
                "{\"concurrent_streams\":2}", users.get(0).get("limits").toString(), "plainuser's override: " + users);

        // The new provider was tested with the key against the vendor, and the key went nowhere else.
        assertTrue(
                vendors.requests().stream()
                        .anyMatch(r -> r.path().endsWith("/v1/models") && ("Bearer " + KEY).equals(r.authorization())),
                "the connection test reached the vendor with the key");
        String csv = Files.readString(screenshots.resolve("admin-export.csv"));
        assertFalse(csv.contains("sk-test"), "no key in the export");
        assertTrue(csv.lines().count() >= 4, "a header and the three calls:\n" + csv);
        for (String shot : List.of(
                "admin-01-providers.png",
                "admin-02-add-provider.png",
                "admin-03-routing.png",
                "admin-04-power-levels.png",
                "admin-05-byok.png",
                "admin-06-analytics.png",
                "admin-07-dark.png",
                "admin-08-narrow.png",
                "admin-09-view-only.png")) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 10_000, shot + " is missing or empty\n" + log);
        }
        ProviderCrudIT.assertNoKeyIn(Files.readString(LlmServerConfig.serverLog()), KEY);
    }

    /** Runs the browser script with the test server's URL and {@code env}; fails the test with its log. */
    private static String runBrowser(Map<String, String> env) throws IOException, InterruptedException {
        Path module = Path.of(System.getProperty("user.dir"));
        Path script = module.resolveSibling("themes").resolve("admin-ui/e2e/admin-console.mjs");
        assertTrue(Files.isRegularFile(script), "no browser script at " + script);
        Path screenshots = Path.of(env.get("SCREENSHOT_DIR"));
        Files.createDirectories(screenshots);
        Path output = screenshots.resolve("admin-e2e.log");
        ProcessBuilder pb = new ProcessBuilder("node", script.toString())
                .directory(script.getParent().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().putAll(env);
        pb.environment().put("KC_URL", Api.BASE);
        KeyLedger.track(env.get("KC_KEY"));
        Process browser = pb.start();
        boolean finished = browser.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            browser.destroyForcibly();
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertTrue(finished, "the browser run did not finish within 300 s:\n" + log);
        assertEquals(0, browser.exitValue(), "the browser run failed:\n" + log);
        return log;
    }
}
