package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/**
 * Docs as tests: the fenced blocks of README.md and docs/*.md marked runnable (an HTML comment
 * {@code <!-- runnable: <id> -->} on the line right before the opening fence) run against the test server as a reader
 * would run them, and {@link #CHECKS} asserts, per block id, what the reader would look at.
 * <ul>
 *   <li>Every page with runnable blocks starts from a freshly imported demo realm ({@link DemoRealm#importFresh()}:
 *   {@code demo/llm-demo-realm.json} as it stands, imported as {@code ./run} imports it at startup).</li>
 *   <li>{@code bash} blocks of one page run in order in one {@code bash -euo pipefail} process (later blocks use the
 *   variables and functions of earlier ones), in a scratch folder under {@code target/docs-snippets/run/}.</li>
 *   <li>{@code js} blocks run as ES modules with node, each in its own process, after the page's shell blocks;
 *   {@code openai} comes from {@code src/test/docs-snippets} (pinned, installed with npm ci into
 *   {@code target/docs-snippets}).</li>
 *   <li>{@code java} blocks (import lines, then the statements of a method) are compiled into a {@code main} method
 *   against the test classpath (openai-java) and run in their own JVM.</li>
 *   <li>{@link #prerequisites} prepares, per page, only what the page says its reader already has.</li>
 * </ul>
 * A runnable block without a check, or a check without its block, fails {@link #everyRunnableBlockHasACheck()}.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class DocsSnippetsIT {

    /** Not used directly: asking for it makes the framework start the shared server before the snippets run. */
    @InjectAdminClient
    Keycloak adminClient;

    static final String DEMO_REALM = DemoRealm.NAME;
    /** A fake OpenRouter key, in the shape of a real one: what api.md's reader has in OPENROUTER_API_KEY. */
    static final String OPENROUTER_TEST_KEY = "sk-or-v1-docs0snippets0test0key0000000000000000000000000000000000";
    /** The key of the provider the gateway guide's reader already has; the fake vendors accept keys starting sk-test. */
    static final String ORG_TEST_KEY = "sk-test-docs-snippets-org-key";

    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*runnable:\\s*([a-z0-9][a-z0-9-]*)\\s*-->\\s*$");
    private static final Pattern MARKER_LIKE = Pattern.compile("<!--\\s*runnable", Pattern.CASE_INSENSITIVE);
    /** An opening fence: its indentation, its backticks or tildes (three or more) and its info string. */
    private static final Pattern FENCE = Pattern.compile("^(\\s*)(`{3,}|~{3,})(.*)$");

    private static final String SEPARATOR = "@@docs-snippet@@";
    private static final long SHELL_TIMEOUT_SECONDS = 180;
    private static final long PROCESS_TIMEOUT_SECONDS = 120;

    private static final Path MODULE = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final Path ROOT = MODULE.getParent();
    private static final Path WORK =
            LlmServerConfig.workDir().resolve("docs-snippets").toAbsolutePath();

    enum Lang {
        BASH,
        NODE,
        JAVA
    }

    /** One runnable block: its page (relative to the repository root), the marker's line, id, language and code. */
    record Block(String page, int line, String id, Lang lang, String code) {}

    /** What running a block gave. */
    record Run(int exit, String stdout, String stderr) {
        JsonNode json() {
            return Api.parse(stdout);
        }
    }

    @FunctionalInterface
    interface Check {
        void verify(Run run);
    }

    /** Per block id: what a reader of the page would check in the block's output. Exit code 0 is checked for all. */
    static final Map<String, Check> CHECKS = new LinkedHashMap<>();

    static {
        // docs/install.md
        CHECKS.put(
                "install-kek",
                r -> assertEquals(
                        32, Base64.getDecoder().decode(r.stdout().strip()).length, "a KEK is base64 of 32 bytes"));
        CHECKS.put("install-check", r -> {
            JsonNode j = r.json();
            assertTrue(j.path("providers").isArray(), "a provider list");
            assertEquals(j.path("providers").size(), j.path("total").asInt(-1), "total counts the providers");
        });
        // docs/api.md
        CHECKS.put("api-setup", DocsSnippetsIT::silent);
        CHECKS.put("api-create-provider", r -> {
            assertFalse(r.stdout().contains(OPENROUTER_TEST_KEY), "the answer never carries the key");
            JsonNode j = r.json();
            assertTrue(j.path("success").asBoolean(), "success");
            JsonNode p = j.path("provider");
            assertEquals("openrouter", p.path("type").asText());
            assertEquals("OpenRouter", p.path("name").asText());
            assertEquals("https://openrouter.ai/api/v1", p.path("base_url").asText());
            assertEquals(
                    "…" + OPENROUTER_TEST_KEY.substring(OPENROUTER_TEST_KEY.length() - 4),
                    p.path("api_key_hint").asText());
            assertEquals(50, p.path("priority").asInt());
            assertTrue(p.path("auto_fallback").asBoolean()
                    && p.path("models_pinned").asBoolean());
            assertEquals(1, p.path("model_count").asInt());
            // Saved whatever the connection test said: with a fake key (or no way out), "error" with the reason.
            String status = p.path("status").asText();
            assertTrue(Set.of("active", "error").contains(status), "status " + status);
            if (status.equals("error")) {
                assertFalse(p.path("last_error").asText().isEmpty(), "an error status says why");
            }
        });
        CHECKS.put("api-routing-defaults", r -> {
            JsonNode j = r.json();
            assertEquals("balanced", j.path("strategy").asText());
            assertTrue(
                    j.path("aliases").isObject() && j.path("aliases").isEmpty(),
                    "no aliases until an admin defines them");
            assertEquals(3, j.path("retry").path("max_attempts").asInt());
            assertEquals(3, j.path("retry").path("cooldown_after_failures").asInt());
            assertEquals(30, j.path("retry").path("cooldown_seconds").asInt());
        });
        CHECKS.put("api-alias", r -> {
            JsonNode j = r.json();
            assertTrue(j.path("success").asBoolean(), "success");
            assertEquals("balanced", j.path("strategy").asText(), "the strategy is kept");
            assertEquals(
                    Api.parse("[\"gpt-4o-mini\",\"llama-3.1-8b-instant\"]"),
                    j.path("rules").path("aliases").path("fast-chat"));
        });
        CHECKS.put("api-stats", r -> {
            JsonNode j = r.json();
            assertTrue(j.path("total_providers").asInt() >= 1, "the provider created above is counted");
            assertTrue(j.path("active_models").asInt() >= 1, "active models");
            assertEquals("USD", j.path("currency").asText());
            for (String t : List.of("active_models", "total_calls", "total_cost")) {
                assertTrue(j.path("trends").has(t), "trend " + t + " present (null when nothing to compare)");
            }
        });
        CHECKS.put("api-usage", r -> {
            JsonNode j = r.json();
            assertEquals("hour", j.path("bucket").asText());
            int buckets = j.path("buckets").asInt();
            assertTrue(buckets > 144 && buckets <= 168, "hours of the last 7 UTC days so far: " + buckets);
            assertTrue(j.path("calls").isNumber() && j.path("cost").isNumber(), "totals");
        });
        CHECKS.put(
                "api-export",
                r -> assertTrue(
                        r.stdout().startsWith("time,user_id,client_id,source,provider_id,"), "the CSV's header row"));
        // docs/admin-guide.md
        CHECKS.put("prices-setup", DocsSnippetsIT::silent);
        CHECKS.put("prices-preview", r -> {
            JsonNode j = r.json();
            assertFalse(j.path("applied").asBoolean(), "a preview applies nothing");
            assertEquals("litellm", j.path("format").asText());
            assertEquals(2, j.path("models").asInt());
            assertEquals(1, j.path("added").asInt(), "magistral-small-latest is not built in");
            assertEquals(1, j.path("unchanged").asInt(), "Sonnet 4.5 at the built-in prices");
            assertEquals("magistral-small-latest", j.path("first").asText());
        });
        CHECKS.put("prices-import", r -> {
            List<String> lines = r.stdout().strip().lines().toList();
            assertEquals(2, lines.size(), r.stdout());
            JsonNode imported = Api.parse(lines.get(0));
            assertTrue(imported.path("applied").asBoolean());
            assertEquals(2, imported.path("models").asInt());
            JsonNode table = Api.parse(lines.get(1));
            assertEquals("2026-12-01", table.path("catalog_date").asText());
            assertEquals(2, table.path("imported_models").asInt());
            assertEquals("litellm", table.path("imported_format").asText());
        });
        CHECKS.put("prices-reset", r -> {
            JsonNode j = r.json();
            assertTrue(j.path("applied").asBoolean());
            assertEquals(1, j.path("removed").asInt());
        });
        CHECKS.put("access-gate", r -> {
            String out = r.stdout().strip();
            assertTrue(out.contains("\"require_role\": \"llm-user\""), "the realm now requires the role: " + out);
            assertTrue(out.contains("\"open\": false"), "no longer open to everyone: " + out);
            assertTrue(out.endsWith("true"), "open again once the requirement is removed: " + out);
        });
        // docs/admin-console.md
        CHECKS.put(
                "console-admin-theme",
                r -> assertEquals("llm-gateway", r.stdout().strip(), "the realm's console has the page"));
        // docs/gateway.md
        CHECKS.put("gateway-token-models", r -> {
            List<String> ids = r.stdout().lines().toList();
            assertTrue(
                    ids.contains("auto") && ids.contains("gpt-4o-mini"), "the models the demo user may call: " + ids);
        });
        CHECKS.put("gateway-chat", r -> {
            String out = r.stdout();
            assertTrue(out.startsWith("HTTP/1.1 200"), "status 200");
            for (String header : List.of("x-llm-provider", "x-llm-model", "x-llm-attempts", "x-llm-overhead-ms")) {
                assertTrue(out.toLowerCase(java.util.Locale.ROOT).contains("\n" + header + ":"), "header " + header);
            }
            JsonNode j = Api.parse(out.substring(out.indexOf("\r\n\r\n") + 4));
            assertEquals("chat.completion", j.path("object").asText());
            assertFalse(
                    j.path("choices")
                            .path(0)
                            .path("message")
                            .path("content")
                            .asText()
                            .isEmpty(),
                    "an answer");
            assertTrue(j.path("usage").path("total_tokens").asInt() > 0, "token counts");
        });
        CHECKS.put("gateway-stream", r -> {
            List<String> events =
                    r.stdout().lines().filter(l -> l.startsWith("data: ")).toList();
            assertFalse(events.isEmpty(), "server-sent events");
            assertEquals("data: [DONE]", events.get(events.size() - 1), "ends with data: [DONE]");
            JsonNode first = Api.parse(events.get(0).substring(6));
            assertEquals("chat.completion.chunk", first.path("object").asText());
            JsonNode usage =
                    Api.parse(events.get(events.size() - 2).substring(6)).path("usage");
            assertTrue(usage.path("total_tokens").asInt() > 0, "the usage chunk, as include_usage asked");
        });
        CHECKS.put("gateway-device-sign-in", r -> {
            assertTrue(
                    r.stderr().contains("Open " + Api.BASE + "/realms/" + DEMO_REALM + "/device?user_code="),
                    "the script shows the user where to approve: " + r.stderr());
            assertTrue(r.stdout().contains("Hello"), "the signed-in call's answer");
        });
        CHECKS.put("gateway-refresh", r -> {
            assertTrue(r.stdout().contains("Hello"), "the answer with the renewed token");
            assertEquals("", r.stderr(), "the renewal worked");
        });
        CHECKS.put(
                "gateway-token-exchange",
                r -> assertTrue(r.stdout().contains("Hello"), "the answer with the exchanged token"));
        CHECKS.put("gateway-js", r -> assertTrue(r.stdout().contains("Hello"), "the streamed answer is printed"));
        CHECKS.put("gateway-java", r -> assertTrue(r.stdout().contains("Hello"), "the answer is printed"));
        CHECKS.put("gateway-embeddings-java", r -> {
            String out = r.stdout().strip();
            assertTrue(out.startsWith("3 documents of "), "one embedding per document: " + out);
            assertTrue(out.contains("; closest: "), "the closest document is printed: " + out);
        });
        CHECKS.put(
                "gateway-claude-code",
                r -> assertTrue(r.stdout().contains("Hello from openai."), "Claude Code prints the answer"));
        CHECKS.put("gateway-anthropic-curl", r -> {
            List<String> names = r.stdout()
                    .lines()
                    .filter(l -> l.startsWith("event: "))
                    .map(l -> l.substring(7))
                    .toList();
            assertFalse(names.isEmpty(), "Anthropic's stream events: " + r.stdout());
            assertEquals("message_start", names.get(0));
            assertEquals("message_stop", names.get(names.size() - 1));
            List<JsonNode> data = r.stdout()
                    .lines()
                    .filter(l -> l.startsWith("data: "))
                    .map(l -> Api.parse(l.substring(6)))
                    .toList();
            String text = data.stream()
                    .filter(d -> d.path("type").asText().equals("content_block_delta"))
                    .map(d -> d.path("delta").path("text").asText(""))
                    .collect(Collectors.joining());
            assertTrue(text.contains("Hello"), "the answer's text deltas: " + text);
            JsonNode end = data.stream()
                    .filter(d -> d.path("type").asText().equals("message_delta"))
                    .findFirst()
                    .orElseThrow();
            assertEquals("end_turn", end.path("delta").path("stop_reason").asText());
            assertTrue(end.path("usage").path("output_tokens").asInt() > 0, "the usage: " + end);
        });
        CHECKS.put("gateway-anthropic-java", r -> assertTrue(r.stdout().contains("Hello"), "the answer is printed"));
        CHECKS.put("gateway-responses-stream", r -> {
            String out = r.stdout();
            assertTrue(out.startsWith("event: response.created\ndata: {"), "Responses events, first response.created");
            assertTrue(out.contains("event: response.output_text.delta\n"), "the text comes in deltas");
            assertTrue(out.contains("event: response.completed\n"), "the last event completes the response");
            assertTrue(out.contains("\"input_tokens\":"), "with its usage");
            assertFalse(out.contains("[DONE]"), "no [DONE] in the Responses API");
        });
        CHECKS.put("gateway-responses-java", r -> assertTrue(r.stdout().contains("Hello"), "the answer is printed"));
    }

    private static void silent(Run r) {
        assertEquals("", r.stdout(), "prints nothing");
        assertEquals("", r.stderr(), "prints nothing");
    }

    /**
     * What a page says its reader already has, prepared before its blocks run (after the demo realm was imported):
     * environment variables for the blocks, and state in the server.
     */
    static Map<String, String> prerequisites(String page) {
        switch (page) {
            case "docs/api.md":
                // "With your OpenRouter key in OPENROUTER_API_KEY".
                KeyLedger.track(OPENROUTER_TEST_KEY);
                return Map.of("OPENROUTER_API_KEY", OPENROUTER_TEST_KEY);
            case "docs/gateway.md":
                // "assume at least one provider is configured", and the SDK examples read the access token from TOKEN.
                Api.Reply r = Api.post(
                        Api.admin(DEMO_REALM, "/providers"),
                        Api.masterAdminToken(),
                        Map.of(
                                "type",
                                "openai",
                                "name",
                                "OpenAI",
                                "apiKey",
                                ORG_TEST_KEY,
                                "baseUrl",
                                FakeVendors.get().baseUrl("openai"),
                                "models",
                                // The embeddings pipeline's model too ("assuming a provider offers it").
                                List.of("gpt-4o-mini", "text-embedding-3-small")));
                assertEquals(201, r.status(), r.text());
                assertEquals("active", r.json().path("provider").path("status").asText(), r.text());
                Api.Reply t = Api.form(
                        Api.BASE + "/realms/" + DEMO_REALM + "/protocol/openid-connect/token",
                        Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "llm-playground",
                                "username",
                                "demo",
                                "password",
                                "demo"));
                assertEquals(200, t.status(), t.text());
                // Claude Code installed (on the PATH), its settings in a folder of the run rather than in the home.
                try {
                    installNodePackages();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                // The reader approves the device sign-in in a browser while the script polls.
                DeviceApproval.approveLinksShownIn(
                        runDir(page).resolve("blocks.stderr"), "demo", "demo", SHELL_TIMEOUT_SECONDS);
                return Map.of(
                        "TOKEN",
                        t.json().path("access_token").asText(),
                        "PATH",
                        WORK.resolve("node_modules/.bin") + File.pathSeparator + System.getenv("PATH"),
                        "CLAUDE_CONFIG_DIR",
                        WORK.resolve("claude-config").toString());
            default:
                return Map.of();
        }
    }

    @Test
    void everyRunnableBlockHasACheck() throws IOException {
        List<Block> blocks = blocks();
        List<String> ids = blocks.stream().map(Block::id).toList();
        assertEquals(ids.size(), new TreeSet<>(ids).size(), "block ids are unique: " + ids);
        assertEquals(
                new TreeSet<>(CHECKS.keySet()),
                new TreeSet<>(ids),
                "every runnable block has a check in DocsSnippetsIT.CHECKS and every check a runnable block");
    }

    @TestFactory
    Stream<DynamicTest> runnableBlocksOfEachPage() throws IOException {
        Map<String, List<Block>> byPage =
                blocks().stream().collect(Collectors.groupingBy(Block::page, LinkedHashMap::new, Collectors.toList()));
        assertFalse(byPage.isEmpty(), "no runnable blocks found under " + ROOT);
        return byPage.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> runPage(e.getKey(), e.getValue())));
    }

    // --- the pages and their blocks

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .sorted()
                    .forEach(pages::add);
        }
        return pages;
    }

    static List<Block> blocks() throws IOException {
        List<Block> out = new ArrayList<>();
        for (Path page : pages()) {
            out.addAll(parse(
                    ROOT.relativize(page).toString().replace(File.separatorChar, '/'),
                    Files.readAllLines(page, StandardCharsets.UTF_8)));
        }
        return out;
    }

    /**
     * The runnable blocks of one page. Fenced blocks are skipped whole (a marker shown inside an example block is not
     * a marker); a marker that is malformed or not followed by a fence with a language fails.
     */
    static List<Block> parse(String page, List<String> lines) {
        List<Block> out = new ArrayList<>();
        String pendingId = null;
        int pendingLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                String indent = fence.group(1);
                String ticks = fence.group(2);
                String info = fence.group(3).strip();
                StringBuilder code = new StringBuilder();
                int j = i + 1;
                for (; j < lines.size() && !closes(lines.get(j), ticks); j++) {
                    String l = lines.get(j);
                    code.append(l.startsWith(indent) ? l.substring(indent.length()) : l.stripLeading())
                            .append('\n');
                }
                if (pendingId != null) {
                    if (j >= lines.size()) {
                        fail(page + ":" + (i + 1) + ": the fence of runnable block '" + pendingId
                                + "' is never closed");
                    }
                    Lang lang = switch (info) {
                        case "bash", "sh", "shell" -> Lang.BASH;
                        case "js", "javascript", "mjs" -> Lang.NODE;
                        case "java" -> Lang.JAVA;
                        default ->
                            throw new AssertionError(
                                    page + ":" + (i + 1) + ": no runner for a block marked runnable with the language '"
                                            + info + "' (bash, js or java)");
                    };
                    out.add(new Block(page, pendingLine, pendingId, lang, code.toString()));
                    pendingId = null;
                }
                i = j;
                continue;
            }
            if (pendingId != null) {
                fail(page + ":" + pendingLine + ": the runnable marker '" + pendingId
                        + "' must be on the line right before a fence");
            }
            Matcher marker = MARKER.matcher(line);
            if (marker.matches()) {
                pendingId = marker.group(1);
                pendingLine = i + 1;
            } else if (MARKER_LIKE.matcher(line).find()) {
                fail(page + ":" + (i + 1) + ": malformed marker, expected <!-- runnable: <id> --> alone on its line: "
                        + line);
            }
        }
        if (pendingId != null) {
            fail(page + ":" + pendingLine + ": the runnable marker '" + pendingId + "' is not followed by a fence");
        }
        return out;
    }

    private static boolean closes(String line, String ticks) {
        String t = line.strip();
        return t.length() >= ticks.length() && t.chars().allMatch(c -> c == ticks.charAt(0));
    }

    // --- running one page

    private void runPage(String page, List<Block> blocks) throws IOException, InterruptedException {
        DemoRealm.importFresh();
        Map<String, String> env = prerequisites(page);
        Path dir = runDir(page);
        deleteRecursively(dir);
        Files.createDirectories(dir);

        List<String> failures = new ArrayList<>();
        List<Block> shell = blocks.stream().filter(b -> b.lang() == Lang.BASH).toList();
        if (!shell.isEmpty()) {
            runShell(shell, env, dir, failures);
        }
        for (Block b : blocks) {
            if (b.lang() == Lang.NODE) {
                check(b, runNode(b, env, dir), failures);
            } else if (b.lang() == Lang.JAVA) {
                check(b, runJava(b, env, dir), failures);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + blocks.size() + " runnable blocks of " + page + " failed:\n\n"
                    + String.join("\n\n", failures));
        }
    }

    /** The scratch folder of a page's run, where its shell blocks write blocks.stdout and blocks.stderr. */
    private static Path runDir(String page) {
        return WORK.resolve("run").resolve(page.replaceAll("[^A-Za-z0-9.-]", "_"));
    }

    private static void check(Block b, Run r, List<String> failures) {
        if (r.exit() != 0) {
            failures.add(report(b, r, "exit code " + r.exit()));
            return;
        }
        Check c = CHECKS.get(b.id());
        try {
            assertNotNull(c, "no check for '" + b.id() + "' in DocsSnippetsIT.CHECKS");
            c.verify(r);
        } catch (AssertionError e) {
            failures.add(report(b, r, e.getMessage()));
        }
    }

    private static String report(Block b, Run r, String problem) {
        StringBuilder s = new StringBuilder();
        s.append("=== ")
                .append(b.page())
                .append(':')
                .append(b.line())
                .append(" [")
                .append(b.id())
                .append("] (")
                .append(b.lang().name().toLowerCase(java.util.Locale.ROOT))
                .append("): ")
                .append(problem)
                .append('\n');
        s.append("--- block:\n").append(b.code());
        if (r != null) {
            s.append("--- stdout:\n").append(r.stdout()).append(r.stdout().endsWith("\n") ? "" : "\n");
            s.append("--- stderr:\n").append(r.stderr()).append(r.stderr().endsWith("\n") ? "" : "\n");
        }
        return s.toString();
    }

    /** The page's shell blocks, in order, in one bash process; a separator line before each tells their output apart. */
    private static void runShell(List<Block> shell, Map<String, String> env, Path dir, List<String> failures)
            throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder();
        for (Block b : shell) {
            String sep = "printf '\\n%s %s\\n' '" + SEPARATOR + "' '" + b.id() + "'";
            script.append(sep).append("; ").append(sep).append(" >&2\n");
            script.append(b.code()).append('\n');
        }
        Path file = dir.resolve("blocks.sh");
        Files.writeString(file, script.toString(), StandardCharsets.UTF_8);
        Run whole = run(
                new ProcessBuilder("bash", "-euo", "pipefail", file.toString()),
                env,
                dir,
                "blocks",
                SHELL_TIMEOUT_SECONDS);
        Map<String, String> out = split(whole.stdout());
        Map<String, String> err = split(whole.stderr());
        String lastStarted = out.isEmpty() ? null : new ArrayList<>(out.keySet()).get(out.size() - 1);
        for (Block b : shell) {
            if (!out.containsKey(b.id())) {
                failures.add(report(
                        b,
                        new Run(whole.exit(), "", whole.stderr()),
                        "not run: an earlier block of the page failed (bash exit code " + whole.exit() + ")"));
                continue;
            }
            int exit = b.id().equals(lastStarted) ? whole.exit() : 0;
            check(b, new Run(exit, out.get(b.id()), err.getOrDefault(b.id(), "")), failures);
        }
    }

    /** Block id to its output: what follows the block's separator line, up to the next separator. */
    static Map<String, String> split(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String token = "\n" + SEPARATOR + " ";
        int at = text.indexOf(token);
        while (at >= 0) {
            int idEnd = text.indexOf('\n', at + token.length());
            if (idEnd < 0) {
                break;
            }
            String id = text.substring(at + token.length(), idEnd);
            int next = text.indexOf(token, idEnd + 1);
            out.put(id, text.substring(idEnd + 1, next < 0 ? text.length() : next));
            at = next;
        }
        return out;
    }

    private static Run runNode(Block b, Map<String, String> env, Path dir) throws IOException, InterruptedException {
        installNodePackages();
        Path file = dir.resolve(b.id() + ".mjs");
        Files.writeString(file, b.code(), StandardCharsets.UTF_8);
        return run(new ProcessBuilder("node", file.toString()), env, dir, b.id(), PROCESS_TIMEOUT_SECONDS);
    }

    /** Import lines go to the top of the file, everything else into main(); compiled and run against the test classpath. */
    private static Run runJava(Block b, Map<String, String> env, Path dir) throws IOException, InterruptedException {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : b.code().split("\n", -1)) {
            (line.strip().startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String source = imports
                + "\npublic class DocSnippet {\n    public static void main(String[] args) throws Exception {\n" + body
                + "\n        System.exit(0); // OkHttp's idle threads would keep the JVM up for a minute\n    }\n}\n";
        Path base = dir.resolve(b.id());
        Path classes = base.resolve("classes");
        Files.createDirectories(classes);
        Path src = base.resolve("DocSnippet.java");
        Files.writeString(src, source, StandardCharsets.UTF_8);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "running Java blocks needs a JDK, not a JRE");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled;
        try (PrintStream p = new PrintStream(diagnostics, true, StandardCharsets.UTF_8)) {
            compiled = javac.run(
                    null,
                    p,
                    p,
                    "-d",
                    classes.toString(),
                    "-classpath",
                    classpath,
                    "-proc:none",
                    "-encoding",
                    "UTF-8",
                    "-Xlint:none",
                    src.toString());
        }
        if (compiled != 0) {
            return new Run(
                    compiled,
                    "",
                    "does not compile as the body of main():\n" + diagnostics.toString(StandardCharsets.UTF_8)
                            + "--- the source compiled:\n" + source);
        }
        Path argfile = base.resolve("java.args");
        // The test classpath carries JBoss LogManager, which complains on stderr unless it is the JUL manager (as in
        // surefire).
        Files.writeString(
                argfile,
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager\n-cp\n\"" + classpath + File.pathSeparator
                        + classes + "\"\nDocSnippet\n",
                StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return run(new ProcessBuilder(java, "@" + argfile), env, base, b.id(), PROCESS_TIMEOUT_SECONDS);
    }

    /** npm ci of src/test/docs-snippets into target/docs-snippets, unless the same lock file is installed there. */
    private static void installNodePackages() throws IOException, InterruptedException {
        installNodePackages(MODULE.resolve("src/test/docs-snippets"), WORK);
    }

    /** npm ci of the package in {@code source} into {@code work}, unless the same lock file is installed there. */
    static synchronized void installNodePackages(Path source, Path work) throws IOException, InterruptedException {
        Path lock = source.resolve("package-lock.json");
        Path installedLock = work.resolve("node_modules/.package-lock.json");
        Path copiedLock = work.resolve("package-lock.json");
        if (Files.isRegularFile(installedLock)
                && Files.isRegularFile(copiedLock)
                && Files.mismatch(lock, copiedLock) == -1) {
            return;
        }
        Files.createDirectories(work);
        for (String f : List.of("package.json", "package-lock.json", ".npmrc")) {
            Files.copy(source.resolve(f), work.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Run npm = run(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund"), Map.of(), work, "npm-ci", 300);
        assertEquals(0, npm.exit(), "npm ci in " + work + " failed:\n" + npm.stdout() + npm.stderr());
    }

    /** Runs a process with the given extra environment, its output in files (no pipe to fill), killed after the timeout. */
    static Run run(ProcessBuilder pb, Map<String, String> env, Path dir, String name, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = dir.resolve(name + ".stdout");
        Path err = dir.resolve(name + ".stderr");
        pb.directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (!finished) {
            stderr += "\n[killed after " + timeoutSeconds + " s]";
        }
        return new Run(finished ? p.exitValue() : -1, stdout, stderr);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
