package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicMessagesAdapter;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The three client libraries people build on — the official OpenAI SDK, the Vercel AI SDK (both of its OpenAI
 * providers) and LangChain — installed from npm at pinned versions ({@code src/test/sdk-compat}) and driven against the
 * real server, through an OpenAI-format provider and an Anthropic provider (fake vendors in each wire format): plain
 * and streamed chat, usage, tool calls (with and without arguments, streamed), structured output, model retrieval and
 * error codes. Every case must pass; the matrix is written to {@code target/sdk-compat/matrix.md}.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class SdkCompatibilityIT {

    private static final Path MODULE = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final Path WORK =
            LlmServerConfig.workDir().resolve("sdk-compat").toAbsolutePath();

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private void provider(String type, String key, String model) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("name", "SDK " + type);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl(type));
        body.put("models", List.of(model));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
    }

    @Test
    void theThreeClientLibrariesWorkThroughBothWireFormats() throws IOException, InterruptedException {
        Api.allowEveryModel(realm.getName());
        provider("openai", "sk-test-sdk-openai-format", "compat-gpt");
        provider("anthropic", "sk-test-sdk-anthropic", "claude-sonnet-4-5");
        DocsSnippetsIT.installNodePackages(MODULE.resolve("src/test/sdk-compat"), WORK);
        Files.copy(
                MODULE.resolve("src/test/sdk-compat/compat.mjs"),
                WORK.resolve("compat.mjs"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, String> env = new HashMap<>();
        env.put("BASE_URL", Api.BASE + "/realms/" + realm.getName() + "/llm/v1");
        env.put("TOKEN", Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD));
        Map<String, String> models = new LinkedHashMap<>();
        models.put("openai-format", "compat-gpt");
        models.put("anthropic", "claude-sonnet-4-5");
        env.put("MODELS", new ObjectMapper().writeValueAsString(models));
        vendors.clear();
        DocsSnippetsIT.Run run = DocsSnippetsIT.run(new ProcessBuilder("node", "compat.mjs"), env, WORK, "compat", 240);
        assertEquals(0, run.exit(), run.stdout() + run.stderr());

        List<JsonNode> results = new ArrayList<>();
        StringBuilder matrix = new StringBuilder("| client | provider | case | result |\n|---|---|---|---|\n");
        List<String> failed = new ArrayList<>();
        for (String line : run.stdout().lines().toList()) {
            if (!line.startsWith("{")) {
                continue;
            }
            JsonNode r = Api.parse(line);
            results.add(r);
            boolean ok = r.path("ok").asBoolean();
            matrix.append("| ")
                    .append(r.path("client").asText())
                    .append(" | ")
                    .append(r.path("provider").asText())
                    .append(" | ")
                    .append(r.path("case").asText())
                    .append(" | ")
                    .append(
                            ok
                                    ? "passes"
                                    : "FAILS: " + r.path("detail").asText().replace("|", "/"))
                    .append(" |\n");
            if (!ok) {
                failed.add(r.toString());
            }
        }
        Files.writeString(WORK.resolve("matrix.md"), matrix, StandardCharsets.UTF_8);
        System.out.println(matrix);
        assertEquals(2 * (8 + 2 * 3 + 4), results.size(), "every case ran: " + run.stdout() + run.stderr());
        assertTrue(failed.isEmpty(), "cases that failed:\n" + String.join("\n", failed) + "\n" + run.stderr());

        // What the vendors received: the Anthropic provider got structured output as the forced tool, and the
        // OpenAI-format provider got the caller's response_format as it was.
        boolean anthropicTool = false;
        boolean openAiFormat = false;
        for (FakeVendors.Recorded r : vendors.requests()) {
            if (!r.method().equals("POST")) {
                continue;
            }
            JsonNode body = Api.parse(r.body());
            if (r.vendor().equals("anthropic")
                    && AnthropicMessagesAdapter.OUTPUT_TOOL.equals(
                            body.at("/tool_choice/name").asText())) {
                anthropicTool = true;
            }
            if (r.vendor().equals("openai")
                    && body.at("/response_format/type").asText().equals("json_schema")) {
                openAiFormat = true;
            }
        }
        assertTrue(anthropicTool, "structured output reached Anthropic as a forced tool");
        assertTrue(openAiFormat, "response_format reached the OpenAI-format vendor unchanged");
    }
}
