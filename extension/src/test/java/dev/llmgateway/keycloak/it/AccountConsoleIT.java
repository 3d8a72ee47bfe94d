package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/**
 * The account console in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core from
 * themes/account-ui/e2e/account-console.mjs): a user logs in, opens "LLM API keys", adds a key, tests it, deletes it and
 * opens "My LLM usage". Screenshots of every step land in target/screenshots/.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class AccountConsoleIT {

    private static final String KEY = "sk-test-browser-Br0wser9Key";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @Test
    void aUserManagesTheirKeyAndSeesTheirUsageInTheAccountConsole() throws IOException, InterruptedException {
        assertEquals(
                "llm-gateway",
                realm.admin().toRepresentation().getAccountTheme(),
                "a new realm uses the account console with the LLM pages");
        String admin = Api.masterAdminToken();
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                admin,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        "OpenAI",
                        "apiKey",
                        "sk-test-org-browser",
                        "baseUrl",
                        vendors.baseUrl("openai"),
                        "models",
                        List.of("gpt-4o-mini")));
        assertEquals(201, created.status(), created.text());
        realm.addUser(UserBuilder.create("browser")
                .enabled(true)
                .email("browser@example.org")
                .name("Bea", "Browser")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD));
        // One call of hers, so "My LLM usage" has something to chart.
        String userId = realm.admin().users().search("browser", true).get(0).getId();
        Api.Reply call = Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), "browser", LlmRealmConfig.PASSWORD),
                Map.of("model", "gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi"))));
        assertEquals(200, call.status(), call.text());
        Db.waitFor(1, "select * from LLM_USAGE_EVENT where USER_ID = ?", userId);
        vendors.clear();

        Path screenshots = LlmServerConfig.workDir().resolve("screenshots").toAbsolutePath();
        runBrowser(realm.getName(), "browser", LlmRealmConfig.PASSWORD, KEY, screenshots);

        for (String shot :
                List.of("01-keys.png", "02-key-added.png", "03-key-tested.png", "04-key-deleted.png", "05-usage.png")) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 10_000, shot + " is missing or empty");
        }
        // What the page did, as the server and the vendor saw it: the key tested at the vendor, then deleted.
        assertTrue(
                vendors.requests().stream()
                        .anyMatch(r -> r.path().endsWith("/v1/models") && ("Bearer " + KEY).equals(r.authorization())),
                "the test button made a real list-models call with the key");
        assertEquals(
                0, Db.count("select count(*) from LLM_USER_KEY where USER_ID = ?", userId), "deleted from the page");
        ProviderCrudIT.assertNoKeyIn(Files.readString(LlmServerConfig.serverLog()), KEY);
    }

    /**
     * Runs the browser script as {@code user} of {@code realm}: log in, add {@code key} to the realm's OpenAI provider
     * type, test it, delete it, open "My LLM usage". Fails the test with the script's log when any step fails.
     */
    static void runBrowser(String realm, String user, String password, String key, Path screenshots)
            throws IOException, InterruptedException {
        Path module = Path.of(System.getProperty("user.dir"));
        Path script = module.resolveSibling("themes").resolve("account-ui/e2e/account-console.mjs");
        assertTrue(Files.isRegularFile(script), "no browser script at " + script);
        Files.createDirectories(screenshots);
        Path output = screenshots.resolve("e2e.log");

        ProcessBuilder pb = new ProcessBuilder("node", script.toString())
                .directory(script.getParent().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment()
                .putAll(Map.of(
                        "KC_URL",
                        Api.BASE,
                        "KC_REALM",
                        realm,
                        "KC_USER",
                        user,
                        "KC_PASSWORD",
                        password,
                        "KC_KEY",
                        key,
                        "KC_PROVIDER_TYPE",
                        "openai",
                        "SCREENSHOT_DIR",
                        screenshots.toString()));
        KeyLedger.track(key);
        Process browser = pb.start();
        boolean finished = browser.waitFor(150, TimeUnit.SECONDS);
        if (!finished) {
            browser.destroyForcibly();
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);
        assertTrue(finished, "the browser run did not finish within 150 s:\n" + log);
        assertEquals(0, browser.exitValue(), "the browser run failed:\n" + log);
    }
}
