package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.PermissionDeniedException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceAny;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The official Anthropic Java SDK against the gateway's Messages path ({@code /llm/anthropic}), the access token as its
 * API key ({@code x-api-key}) or auth token ({@code Authorization: Bearer}), as Claude Code sends it: an Anthropic
 * provider gets the caller's request unchanged (prompt caching included) and answers through; an OpenAI provider gets
 * it translated, and its answers come back as Anthropic's, streamed and not, tool calls included. Every call is one
 * ledger row of kind {@code messages}, priced exactly; token counting is passed through and not recorded.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class AnthropicSdkIT {

    private static final String CLAUDE = "claude-sonnet-4-5";
    private static final String GPT = "gpt-4.1-mini";
    /** Offered by the Anthropic provider, but not reached by the realm's one level. */
    private static final String OPUS = "claude-opus-4-1";

    private static final String ANTHROPIC_KEY = "sk-test-anthropic-sdk-messages";
    private static final String OPENAI_KEY = "sk-test-openai-sdk-messages";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();
    private String anthropicId;
    private String openAiId;

    /** One level that reaches Claude Sonnet and GPT-4.1 mini only; the two providers (once per realm). */
    @BeforeEach
    void providersAndLevel() {
        Api.Reply levels = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                Api.masterAdminToken(),
                Map.of(
                        "default",
                        "team",
                        "levels",
                        List.of(Map.of("id", "team", "name", "Team", "models", List.of(CLAUDE, GPT)))));
        assertEquals(200, levels.status(), levels.text());
        anthropicId = provider("anthropic", "Claude direct", ANTHROPIC_KEY, List.of(CLAUDE, OPUS));
        openAiId = provider("openai", "OpenAI", OPENAI_KEY, List.of(GPT));
    }

    private String provider(String type, String name, String key, List<String> models) {
        for (JsonNode p : Api.get(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken())
                .json()
                .path("providers")) {
            if (name.equals(p.path("name").asText())) {
                return p.path("id").asText();
            }
        }
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl(type));
        body.put("models", models);
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        return r.json().get("provider").get("id").asText();
    }

    private String baseUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/anthropic";
    }

    private String token() {
        return Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
    }

    /** The SDK with the access token as its API key: sent as {@code x-api-key}. */
    private AnthropicClient withApiKey(String token) {
        return AnthropicOkHttpClient.builder()
                .baseUrl(baseUrl())
                .apiKey(token)
                .maxRetries(0)
                .build();
    }

    /** The SDK with the access token as its auth token: sent as {@code Authorization: Bearer}. */
    private AnthropicClient withAuthToken(String token) {
        return AnthropicOkHttpClient.builder()
                .baseUrl(baseUrl())
                .authToken(token)
                .maxRetries(0)
                .build();
    }

    private static Tool weatherTool() {
        return Tool.builder()
                .name("get_weather")
                .description("The current weather in a city")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .addRequired("location")
                        .build())
                .build();
    }

    /** A question with a cached system prompt, as Claude Code asks. */
    private static MessageCreateParams.Builder cachedQuestion(String model) {
        return MessageCreateParams.builder()
                .model(model)
                .maxTokens(1024)
                .systemOfTextBlockParams(List.of(TextBlockParam.builder()
                        .text("You are a helpful assistant. Answer in French.")
                        .cacheControl(CacheControlEphemeral.builder().build())
                        .build()))
                .addUserMessage("What is the weather in Paris?");
    }

    private static String text(Message message) {
        StringBuilder text = new StringBuilder();
        message.content().forEach(b -> b.text().ifPresent(t -> text.append(t.text())));
        return text.toString();
    }

    private static Message streamed(AnthropicClient client, MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    /** The requests the fake vendor got with {@code key} since {@code before} of them were recorded. */
    private List<FakeVendors.Recorded> sentWith(String key, int before) {
        List<FakeVendors.Recorded> all = vendors.requests();
        return all.subList(before, all.size()).stream()
                .filter(r -> key.equals(r.apiKeyHeader()) || ("Bearer " + key).equals(r.authorization()))
                .toList();
    }

    private static Set<Object> rowIds(String providerId) {
        Set<Object> ids = new HashSet<>();
        Db.query("select ID from LLM_USAGE_EVENT where PROVIDER_ID = ?", providerId)
                .forEach(r -> ids.add(r.get("ID")));
        return ids;
    }

    /** The provider's one ledger row written since {@code before} (waits up to 15 s for the ledger's writer). */
    private static Map<String, Object> newRow(String providerId, Set<Object> before) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            List<Map<String, Object>> rows =
                    Db.query("select * from LLM_USAGE_EVENT where PROVIDER_ID = ?", providerId).stream()
                            .filter(r -> !before.contains(r.get("ID")))
                            .toList();
            if (!rows.isEmpty()) {
                assertEquals(1, rows.size(), "one row per call: " + rows);
                return rows.get(0);
            }
            assertTrue(System.currentTimeMillis() < deadline, "no ledger row within 15 s");
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static long number(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    private static void assertCost(String expected, Map<String, Object> row) {
        assertEquals(0, new BigDecimal(expected).compareTo((BigDecimal) row.get("COST")), "cost " + row.get("COST"));
    }

    @Test
    void anthropicProviderGetsTheCallersRequestUnchangedAndAnswersThrough() {
        int before = vendors.requests().size();
        Set<Object> rows = rowIds(anthropicId);
        Message message =
                withApiKey(token()).messages().create(cachedQuestion(CLAUDE).build());

        assertEquals(FakeVendors.ANTHROPIC_TEXT, text(message));
        assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
        assertEquals(21, message.usage().inputTokens());
        assertEquals(1800, message.usage().cacheReadInputTokens().orElseThrow());
        assertEquals(188, message.usage().cacheCreationInputTokens().orElseThrow());
        assertEquals(27, message.usage().outputTokens());

        List<FakeVendors.Recorded> sent = sentWith(ANTHROPIC_KEY, before);
        assertEquals(1, sent.size());
        FakeVendors.Recorded seen = sent.get(0);
        assertEquals("/anthropic/v1/messages", seen.path());
        assertNull(seen.authorization(), "the caller's token stays with the gateway");
        JsonNode body = Api.parse(seen.body());
        // The caller's body as sent, the cache breakpoint included.
        assertEquals(CLAUDE, body.get("model").asText());
        assertEquals(1024, body.get("max_tokens").asInt());
        assertEquals("ephemeral", body.at("/system/0/cache_control/type").asText());
        assertEquals(
                "You are a helpful assistant. Answer in French.",
                body.at("/system/0/text").asText());
        assertEquals(
                "What is the weather in Paris?", body.at("/messages/0/content").asText());

        Map<String, Object> row = newRow(anthropicId, rows);
        assertEquals("messages", row.get("CALL_KIND"));
        assertEquals("ok", row.get("OUTCOME"));
        assertEquals(21 + 1800 + 188, number(row, "PROMPT_TOKENS"));
        assertEquals(1800, number(row, "CACHED_TOKENS"));
        assertEquals(188, number(row, "CACHE_WRITE_TOKENS"));
        assertEquals(27, number(row, "COMPLETION_TOKENS"));
        // claude-sonnet-4-5: (21 × 3 + 1800 × 0.30 + 188 × 3.75 + 27 × 15) / 1M
        assertCost("0.001713", row);
    }

    @Test
    void anthropicStreamsThroughWithABearerToken() {
        int before = vendors.requests().size();
        Set<Object> rows = rowIds(anthropicId);
        Message message =
                streamed(withAuthToken(token()), cachedQuestion(CLAUDE).build());

        assertEquals(FakeVendors.ANTHROPIC_TEXT, text(message));
        assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
        assertEquals(27, message.usage().outputTokens());
        assertEquals(1800, message.usage().cacheReadInputTokens().orElseThrow());

        JsonNode body = Api.parse(sentWith(ANTHROPIC_KEY, before).get(0).body());
        assertTrue(body.get("stream").asBoolean());
        assertEquals("ephemeral", body.at("/system/0/cache_control/type").asText());

        Map<String, Object> row = newRow(anthropicId, rows);
        assertEquals("messages", row.get("CALL_KIND"));
        assertEquals(Boolean.TRUE, row.get("STREAMED"));
        assertEquals(Boolean.FALSE, row.get("USAGE_ESTIMATED"));
        assertEquals(21 + 1800 + 188, number(row, "PROMPT_TOKENS"));
        assertEquals(27, number(row, "COMPLETION_TOKENS"));
        assertCost("0.001713", row);
    }

    @Test
    void aToolRoundTripThroughAnthropicStreamedAndNot() {
        AnthropicClient client = withApiKey(token());
        MessageCreateParams ask = MessageCreateParams.builder()
                .model(CLAUDE)
                .maxTokens(512)
                .system("Use the tools you are given.")
                .addTool(weatherTool())
                .toolChoice(ToolChoiceAny.builder().build())
                .addUserMessage("What is the weather in Paris?")
                .build();
        for (boolean stream : List.of(false, true)) {
            Set<Object> rows = rowIds(anthropicId);
            Message call = stream ? streamed(client, ask) : client.messages().create(ask);
            assertEquals(StopReason.TOOL_USE, call.stopReason().orElseThrow());
            ToolUseBlock use = call.content().stream()
                    .flatMap(b -> b.toolUse().stream())
                    .findFirst()
                    .orElseThrow();
            assertEquals("get_weather", use.name());
            assertEquals(JsonValue.from(Map.of("location", "Paris")), use._input());
            Map<String, Object> row = newRow(anthropicId, rows);
            // The fake's tool call: 120 input and 18 output tokens, (120 × 3 + 18 × 15) / 1M.
            assertCost("0.00063", row);

            int before = vendors.requests().size();
            MessageCreateParams answer = ask.toBuilder()
                    .toolChoice(com.anthropic.models.messages.ToolChoiceAuto.builder()
                            .build())
                    .addMessage(call)
                    .addUserMessageOfContentBlockParams(
                            List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                                    .toolUseId(use.id())
                                    .content("21 °C, sunny")
                                    .build())))
                    .build();
            Set<Object> beforeAnswer = rowIds(anthropicId);
            Message done = stream ? streamed(client, answer) : client.messages().create(answer);
            assertEquals(FakeVendors.ANTHROPIC_TEXT, text(done));
            assertCost("0.001713", newRow(anthropicId, beforeAnswer));
            JsonNode sent = Api.parse(sentWith(ANTHROPIC_KEY, before).get(0).body());
            assertEquals("tool_use", sent.at("/messages/1/content/0/type").asText());
            assertEquals("tool_result", sent.at("/messages/2/content/0/type").asText());
            assertEquals(use.id(), sent.at("/messages/2/content/0/tool_use_id").asText());
        }
    }

    @Test
    void anOpenAiProviderAnswersInAnthropicsShape() {
        int before = vendors.requests().size();
        Set<Object> rows = rowIds(openAiId);
        Message message =
                withApiKey(token()).messages().create(cachedQuestion(GPT).build());

        assertEquals("Hello from openai.", text(message));
        assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
        // OpenAI's 1200 prompt tokens, 1000 of them cached.
        assertEquals(200, message.usage().inputTokens());
        assertEquals(1000, message.usage().cacheReadInputTokens().orElseThrow());
        assertEquals(80, message.usage().outputTokens());

        List<FakeVendors.Recorded> sent = sentWith(OPENAI_KEY, before);
        assertEquals(1, sent.size());
        assertEquals("/openai/v1/chat/completions", sent.get(0).path());
        JsonNode body = Api.parse(sent.get(0).body());
        assertEquals("system", body.at("/messages/0/role").asText());
        assertEquals(
                "You are a helpful assistant. Answer in French.",
                body.at("/messages/0/content").asText());
        assertEquals("user", body.at("/messages/1/role").asText());
        assertEquals(1024, body.get("max_completion_tokens").asInt());
        assertFalse(body.toString().contains("cache_control"), body.toString());

        Map<String, Object> row = newRow(openAiId, rows);
        assertEquals("messages", row.get("CALL_KIND"));
        assertEquals(1200, number(row, "PROMPT_TOKENS"));
        assertEquals(1000, number(row, "CACHED_TOKENS"));
        assertEquals(80, number(row, "COMPLETION_TOKENS"));
        // gpt-4.1-mini: (200 × 0.40 + 1000 × 0.10 + 80 × 1.60) / 1M
        assertCost("0.000308", row);
    }

    @Test
    void anOpenAiProvidersStreamedToolCallArrivesAsAnthropicsEvents() {
        Set<Object> rows = rowIds(openAiId);
        MessageCreateParams ask = MessageCreateParams.builder()
                .model(GPT)
                .maxTokens(512)
                .addTool(weatherTool())
                .toolChoice(ToolChoiceAny.builder().build())
                .addUserMessage("What is the weather in Paris?")
                .build();
        Message call = streamed(withAuthToken(token()), ask);
        assertEquals(StopReason.TOOL_USE, call.stopReason().orElseThrow());
        ContentBlock block = call.content().get(0);
        ToolUseBlock use = block.toolUse().orElseThrow();
        assertEquals("get_weather", use.name());
        assertEquals("call_fake_1", use.id());
        assertEquals(JsonValue.from(Map.of("location", "Paris")), use._input());
        assertEquals(80, call.usage().outputTokens());

        Map<String, Object> row = newRow(openAiId, rows);
        assertEquals(Boolean.TRUE, row.get("STREAMED"));
        assertEquals(Boolean.FALSE, row.get("USAGE_ESTIMATED"));
        assertEquals(1200, number(row, "PROMPT_TOKENS"));
        assertEquals(80, number(row, "COMPLETION_TOKENS"));
        assertCost("0.000308", row);
    }

    @Test
    void tokenCountingGoesToTheAnthropicProviderAndIsNotRecorded() {
        int before = vendors.requests().size();
        Set<Object> rows = rowIds(anthropicId);
        MessageCountTokensParams params = MessageCountTokensParams.builder()
                .model(CLAUDE)
                .system("You are a helpful assistant.")
                .addUserMessage("What is the weather in Paris?")
                .build();
        long counted = withApiKey(token()).messages().countTokens(params).inputTokens();

        List<FakeVendors.Recorded> sent = sentWith(ANTHROPIC_KEY, before);
        assertEquals(1, sent.size());
        assertEquals("/anthropic/v1/messages/count_tokens", sent.get(0).path());
        assertEquals(AnthropicTokenCount.count(Api.parse(sent.get(0).body())), counted);

        // Counting is only for models an Anthropic provider serves.
        BadRequestException gpt = assertThrows(
                BadRequestException.class,
                () -> withApiKey(token())
                        .messages()
                        .countTokens(MessageCountTokensParams.builder()
                                .model(GPT)
                                .addUserMessage("Hi")
                                .build()));
        assertEquals("invalid_request_error", type(gpt));
        assertTrue(gpt.getMessage().contains("Anthropic provider"), gpt.getMessage());

        // A completed call has its row by now; a count has none.
        withApiKey(token()).messages().create(cachedQuestion(CLAUDE).build());
        newRow(anthropicId, rows);
    }

    /** The error's type in Anthropic's shape, {@code {"type":"error","error":{"type":…}}}. */
    private static String type(AnthropicServiceException e) {
        JsonNode body = Api.parse(e.body().toString().isEmpty() ? "{}" : json(e.body()));
        assertEquals("error", body.path("type").asText(), body.toString());
        return body.at("/error/type").asText();
    }

    private static String json(JsonValue value) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void refusalsAreTheSdksOwnExceptionsInAnthropicsShape() throws Exception {
        UnauthorizedException unauthorized = assertThrows(
                UnauthorizedException.class,
                () -> withApiKey("not-a-token")
                        .messages()
                        .create(cachedQuestion(CLAUDE).build()));
        assertEquals("authentication_error", type(unauthorized));

        NotFoundException unknown = assertThrows(
                NotFoundException.class,
                () -> withApiKey(token())
                        .messages()
                        .create(cachedQuestion("no-such-model").build()));
        assertEquals("not_found_error", type(unknown));

        PermissionDeniedException level = assertThrows(
                PermissionDeniedException.class,
                () -> withAuthToken(token())
                        .messages()
                        .create(cachedQuestion(OPUS).build()));
        assertEquals("permission_error", type(level));

        BadRequestException tooFew = assertThrows(
                BadRequestException.class,
                () -> withApiKey(token())
                        .messages()
                        .create(cachedQuestion(CLAUDE).maxTokens(0).build()));
        assertEquals("invalid_request_error", type(tooFew));
        assertTrue(tooFew.getMessage().contains("max_tokens"), tooFew.getMessage());

        // Without any credentials (what curl sends when the variable is unset): 401 in Anthropic's shape.
        HttpResponse<String> bare = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/messages"))
                                .header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(401, bare.statusCode());
        JsonNode error = Api.parse(bare.body());
        assertEquals("error", error.get("type").asText());
        assertEquals("authentication_error", error.at("/error/type").asText());
        assertEquals(2, error.size(), bare.body());
    }

    /**
     * Claude Code itself ({@code claude -p}), when {@code CLAUDE_CODE_BIN} names its binary: not part of the regular
     * build, as the binary is a download of some 370 MB. It is pointed at the gateway as the docs say, once at the
     * Anthropic provider (passed through) and once at the OpenAI provider (translated), streamed as Claude Code always
     * asks, with its dozen tools, adaptive thinking and mid-conversation system turns.
     */
    @Test
    void claudeCodeAnswersThroughTheGateway() throws Exception {
        String bin = System.getenv("CLAUDE_CODE_BIN");
        Assumptions.assumeTrue(bin != null && !bin.isBlank(), "CLAUDE_CODE_BIN is not set");
        for (String model : List.of(GPT, CLAUDE)) {
            String providerId = model.equals(GPT) ? openAiId : anthropicId;
            Set<Object> rows = rowIds(providerId);
            Path home = Files.createTempDirectory("claude-home");
            ProcessBuilder pb = new ProcessBuilder(bin, "-p", "Say hello").directory(home.toFile());
            Map<String, String> env = pb.environment();
            env.remove("ANTHROPIC_API_KEY");
            env.put("HOME", home.toString());
            env.put("ANTHROPIC_BASE_URL", baseUrl());
            env.put("ANTHROPIC_AUTH_TOKEN", token());
            env.put("ANTHROPIC_MODEL", model);
            env.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", model);
            env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
            env.put("DISABLE_AUTOUPDATER", "1");
            pb.redirectErrorStream(true);
            Process p = pb.start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "claude -p ended");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains(model.equals(GPT) ? "Hello from openai." : FakeVendors.ANTHROPIC_TEXT), out);
            Map<String, Object> row = newRowAtLeast(providerId, rows);
            assertEquals("messages", row.get("CALL_KIND"));
            assertEquals("ok", row.get("OUTCOME"));
        }
        // Anthropic got Claude Code's beta header as it was sent.
        FakeVendors.Recorded sent = vendors.requests().stream()
                .filter(r -> ANTHROPIC_KEY.equals(r.apiKeyHeader()) && r.body().contains("\"stream\":true"))
                .reduce((first, second) -> second)
                .orElseThrow();
        assertTrue(
                sent.anthropicBeta() != null && sent.anthropicBeta().contains("claude-code-20250219"),
                "anthropic-beta: " + sent.anthropicBeta());
    }

    /** The first of the provider's new ledger rows (Claude Code may make more than one call). */
    private static Map<String, Object> newRowAtLeast(String providerId, Set<Object> before) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            List<Map<String, Object>> rows =
                    Db.query("select * from LLM_USAGE_EVENT where PROVIDER_ID = ?", providerId).stream()
                            .filter(r -> !before.contains(r.get("ID")))
                            .toList();
            if (!rows.isEmpty()) {
                return rows.get(0);
            }
            assertTrue(System.currentTimeMillis() < deadline, "no ledger row within 15 s");
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
