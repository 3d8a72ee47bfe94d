package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.routing.CooldownTracker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The OpenAI-compatible endpoint, non-streamed: completions through the OpenAI-compatible adapter, fallback, no
 * fallback on the caller's own errors, cooldown, aliases, auto, errors in OpenAI's shape.
 * Each test uses model ids of its own, so the providers of one test never serve another's calls.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class GatewayIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    /** Routing, not power levels, is under test here: every model is reachable. */
    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    private final FakeVendors vendors = FakeVendors.get();

    private String chatUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions";
    }

    private String userToken() {
        return Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
    }

    private String provider(
            String vendor, String name, String key, int priority, boolean autoFallback, String... models) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", vendor);
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl(vendor));
        body.put("priority", priority);
        body.put("autoFallback", autoFallback);
        body.put("models", List.of(models));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        assertEquals("active", r.json().get("provider").get("status").asText(), "the key passes the connection test");
        return r.json().get("provider").get("id").asText();
    }

    private static Map<String, Object> chat(String model) {
        return Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "Say hello")));
    }

    private List<FakeVendors.Recorded> chatsTo(String keyPart) {
        List<FakeVendors.Recorded> out = new ArrayList<>();
        for (FakeVendors.Recorded r : vendors.requests()) {
            if (r.path().endsWith("/chat/completions")
                    && r.authorization() != null
                    && r.authorization().contains(keyPart)) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void completionThroughEachOpenAiCompatibleVendor() {
        String token = userToken();
        for (String vendor :
                List.of("openai", "openrouter", "together", "huggingface", "cohere", "groq", "mistral", "custom")) {
            String model = "each-" + vendor + "-model";
            String key = "sk-test-each-" + vendor;
            provider(vendor, "Each " + vendor, key, 50, true, model);
            Api.Reply r = Api.post(chatUrl(), token, chat(model));
            assertEquals(200, r.status(), vendor + ": " + r.text());
            JsonNode j = r.json();
            assertEquals("chat.completion", j.get("object").asText());
            assertEquals(model, j.get("model").asText(), "the vendor received our model id");
            assertEquals(
                    "Hello from " + vendor + ".",
                    j.get("choices").get(0).get("message").get("content").asText());
            assertEquals(
                    FakeVendors.PROMPT_TOKENS,
                    j.get("usage").get("prompt_tokens").asLong());
            assertEquals("Each " + vendor, r.header("X-LLM-Provider"));
            assertEquals(model, r.header("X-LLM-Model"));
            assertEquals("1", r.header("X-LLM-Attempts"));
            assertTrue(Long.parseLong(r.header("X-LLM-Overhead-Ms")) >= 0);
            FakeVendors.Recorded seen = chatsTo(key).get(0);
            assertEquals("Bearer " + key, seen.authorization(), "the provider's own key went to the vendor");
            assertFalse(seen.body().contains("\"stream\":true"));
        }
    }

    /** Only Anthropic's Messages path reads a token from x-api-key; the OpenAI paths want Authorization: Bearer. */
    @Test
    void theOpenAiPathsDoNotTakeTheTokenFromXApiKey() throws Exception {
        String model = "xapikey-model";
        provider("openai", "X-Api-Key check", "sk-test-xapikey", 50, true, model);
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(chatUrl()))
                                .header("Content-Type", "application/json")
                                .header("x-api-key", userToken())
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        new ObjectMapper().writeValueAsString(chat(model))))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(
                "invalid_api_key",
                Api.parse(r.body()).path("error").path("code").asText(),
                r.body());
        assertTrue(chatsTo("sk-test-xapikey").isEmpty(), "no vendor was called");
    }

    @Test
    void fallsBackOn503On429OnTimeoutAndOnADroppedConnection() {
        String token = userToken();
        for (String failure : List.of("fail503", "fail429", "failstall", "faildrop")) {
            String model = "fb-" + failure;
            String failingKey = "sk-test-fb-" + failure + "-primary";
            provider("openai", "Primary " + failure, failingKey, 90, true, model);
            provider("groq", "Backup " + failure, "sk-test-backup-for-" + failure.substring(4), 10, true, model);
            Api.Reply r = Api.post(chatUrl(), token, chat(model));
            assertEquals(200, r.status(), failure + ": " + r.text());
            assertEquals("Backup " + failure, r.header("X-LLM-Provider"), failure);
            assertEquals("2", r.header("X-LLM-Attempts"), failure);
            assertEquals(1, chatsTo(failingKey).size(), failure + ": the primary was tried first");
            if (failure.equals("failstall")) {
                long overhead = Long.parseLong(r.header("X-LLM-Overhead-Ms"));
                assertTrue(
                        overhead < LlmServerConfig.VENDOR_TIMEOUT_MS,
                        "time waiting on vendors is not overhead: " + overhead);
            }
        }
    }

    @Test
    void noFallbackOnTheCallersOwnBadRequest() {
        String model = "nofb-model";
        provider("openai", "Strict primary", "sk-test-nofb-primary", 90, true, model);
        provider("groq", "Strict backup", "sk-test-nofb-backup", 10, true, model);
        Map<String, Object> body = new HashMap<>(chat(model));
        body.put("max_tokens", -1);
        Api.Reply r = Api.post(chatUrl(), userToken(), body);
        assertEquals(400, r.status(), r.text());
        assertTrue(r.json().get("error").get("message").asText().contains("max_tokens"), r.text());
        assertEquals("invalid_request_error", r.json().get("error").get("type").asText());
        // The vendor's code and param reach the caller, as OpenAI sends them (clients branch on them).
        assertEquals(
                "integer_below_min_value", r.json().get("error").get("code").asText(), r.text());
        assertEquals("max_tokens", r.json().get("error").get("param").asText(), r.text());
        assertEquals("1", r.header("X-LLM-Attempts"));
        assertEquals(0, chatsTo("sk-test-nofb-backup").size(), "the backup was not called");
    }

    @Test
    void noFallbackToAProviderWithAutoFallbackOff() {
        String model = "nofallback-flag-model";
        provider("openai", "Flag primary", "sk-test-flag-fail503", 90, true, model);
        provider("groq", "Flag backup", "sk-test-flag-backup", 10, false, model);
        Api.Reply r = Api.post(chatUrl(), userToken(), chat(model));
        assertEquals(502, r.status(), r.text());
        String message = r.json().get("error").get("message").asText();
        assertTrue(message.contains("Flag primary/" + model + ": HTTP 503"), message);
        assertTrue(message.contains("Flag backup/" + model + ": skipped: auto-fallback is off"), message);
        assertEquals(0, chatsTo("sk-test-flag-backup").size());
    }

    @Test
    void whenEveryCandidateFailsTheErrorNamesEachAttemptWithoutSecrets() {
        String model = "allfail-model";
        String key1 = "sk-test-allfail-fail503-K1x9";
        String key2 = "sk-test-allfail-fail401-K2y8";
        provider("openai", "Down one", key1, 90, true, model);
        provider("mistral", "Down two", key2, 10, true, model);
        Api.Reply r = Api.post(chatUrl(), userToken(), chat(model));
        assertEquals(502, r.status(), r.text());
        JsonNode error = r.json().get("error");
        assertEquals("api_error", error.get("type").asText());
        assertEquals("all_providers_failed", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("Down one/" + model + ": HTTP 503"), r.text());
        assertTrue(error.get("message").asText().contains("Down two/" + model + ": HTTP 401"), r.text());
        ProviderCrudIT.assertNoKeyIn(r.text(), key1);
        ProviderCrudIT.assertNoKeyIn(r.text(), key2);
    }

    @Test
    void coolingDownProviderIsSkippedAndComesBackLater() throws InterruptedException {
        String token = Api.masterAdminToken();
        assertEquals(
                200,
                Api.put(
                                Api.admin(realm.getName(), "/routing/rules"),
                                token,
                                Map.of("retry", Map.of("cooldown_after_failures", 1, "cooldown_seconds", 2)))
                        .status());
        String model = "cool-model";
        String flakyKey = "sk-test-cool-fail503";
        provider("openai", "Flaky", flakyKey, 90, true, model);
        provider("groq", "Steady", "sk-test-cool-steady", 10, true, model);
        String user = userToken();

        Api.Reply first = Api.post(chatUrl(), user, chat(model));
        assertEquals("Steady", first.header("X-LLM-Provider"));
        assertEquals(1, chatsTo(flakyKey).size());

        Api.Reply second = Api.post(chatUrl(), user, chat(model));
        assertEquals("Steady", second.header("X-LLM-Provider"));
        assertEquals("1", second.header("X-LLM-Attempts"), "the cooling provider was skipped");
        assertEquals(1, chatsTo(flakyKey).size(), "no call reached the cooling provider");

        Thread.sleep(2_200);
        Api.post(chatUrl(), user, chat(model));
        assertEquals(2, chatsTo(flakyKey).size(), "after the cooldown the provider is tried again");
        Api.put(
                Api.admin(realm.getName(), "/routing/rules"),
                token,
                Map.of("retry", Map.of("cooldown_after_failures", 3, "cooldown_seconds", 30)));
    }

    /**
     * One client's SDK retrying the same failing request cannot open the breaker alone; once distinct requests have
     * opened it, callers get 503 with Retry-After, one probe every few seconds reaches the vendor, and the first probe
     * that succeeds reopens the provider at once.
     */
    @Test
    void retriesDoNotShutAProviderAndAProbeReopensIt() throws InterruptedException {
        String token = Api.masterAdminToken();
        assertEquals(
                200,
                Api.put(
                                Api.admin(realm.getName(), "/routing/rules"),
                                token,
                                Map.of("retry", Map.of("cooldown_after_failures", 3, "cooldown_seconds", 30)))
                        .status());
        String model = "probe-model";
        String key = "sk-test-probe-flaky";
        provider("openai", "Probe only", key, 50, true, model);
        String user = userToken();
        vendors.outage("probe-flaky", true);
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(502, Api.post(chatUrl(), user, chat(model)).status(), "an SDK's try " + (i + 1));
            }
            assertEquals(3, chatsTo(key).size());
            Map<String, Object> other =
                    Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "Something else")));
            assertEquals(502, Api.post(chatUrl(), user, other).status(), "three tries of one request were one failure");
            Map<String, Object> third =
                    Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "A third question")));
            assertEquals(502, Api.post(chatUrl(), user, third).status());
            assertEquals(5, chatsTo(key).size());

            Api.Reply cooling = Api.post(chatUrl(), user, chat(model));
            assertEquals(503, cooling.status(), cooling.text());
            long retryAfter = Long.parseLong(cooling.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 30, "Retry-After " + retryAfter);
            assertEquals(5, chatsTo(key).size(), "no call while cooling down");

            Thread.sleep(CooldownTracker.PROBE_GAP_MILLIS + 200);
            assertEquals(502, Api.post(chatUrl(), user, chat(model)).status(), "a probe, still failing");
            assertEquals(6, chatsTo(key).size(), "the probe reached the vendor");
            assertEquals(503, Api.post(chatUrl(), user, chat(model)).status(), "one probe per gap");
            assertEquals(6, chatsTo(key).size());

            vendors.outage("probe-flaky", false);
            Thread.sleep(CooldownTracker.PROBE_GAP_MILLIS + 200);
            Api.Reply probe = Api.post(chatUrl(), user, chat(model));
            assertEquals(200, probe.status(), probe.text());
            assertEquals(200, Api.post(chatUrl(), user, chat(model)).status(), "the provider is back at once");
        } finally {
            vendors.outage("probe-flaky", false);
        }
    }

    /** The caller's own stream options reach the vendor; a caller who did not ask for usage sees no usage member. */
    @Test
    void theCallersStreamOptionsAreKeptAndUnaskedUsageIsNotShown() {
        String model = "stream-options-model";
        String key = "sk-test-stream-options";
        provider("openai", "Stream options", key, 50, true, model);
        Map<String, Object> body = new HashMap<>(chat(model));
        body.put("stream", true);
        body.put("stream_options", Map.of("include_obfuscation", false));
        Api.Reply r = Api.post(chatUrl(), userToken(), body);
        assertEquals(200, r.status(), r.text());
        JsonNode sent = Api.parse(chatsTo(key).get(0).body());
        assertEquals(false, sent.at("/stream_options/include_obfuscation").asBoolean(true), sent.toString());
        assertTrue(sent.at("/stream_options/include_usage").asBoolean(), "the gateway asks for usage for its ledger");
        for (String event : events(r)) {
            assertFalse(event.contains("\"usage\""), "no usage member when the caller did not ask: " + event);
        }
    }

    @Test
    void aliasesAndAutoFollowTheStrategy() {
        String token = Api.masterAdminToken();
        provider("openai", "Alias cheap", "sk-test-alias-cheap", 50, true, "gpt-4o-mini");
        provider("openai", "Alias premium", "sk-test-alias-premium", 50, true, "gpt-4o");
        assertEquals(
                200,
                Api.put(
                                Api.admin(realm.getName(), "/routing/rules"),
                                token,
                                Map.of(
                                        "strategy",
                                        "quality",
                                        "aliases",
                                        Map.of("team-chat", List.of("gpt-4o-mini", "gpt-4o"))))
                        .status());
        String user = userToken();
        Api.Reply quality = Api.post(chatUrl(), user, chat("team-chat"));
        assertEquals(200, quality.status(), quality.text());
        assertEquals("gpt-4o", quality.header("X-LLM-Model"), "quality strategy picks the better model of the alias");

        assertEquals(
                200,
                Api.put(Api.admin(realm.getName(), "/routing/rules"), token, Map.of("strategy", "cost"))
                        .status());
        Api.Reply cost = Api.post(chatUrl(), user, chat("team-chat"));
        assertEquals("gpt-4o-mini", cost.header("X-LLM-Model"), "the new strategy applies on the next call");

        Api.Reply auto = Api.post(chatUrl(), user, chat("auto"));
        assertEquals(200, auto.status(), auto.text());
        assertNotNull(auto.header("X-LLM-Model"));

        JsonNode models = Api.get(Api.BASE + "/realms/" + realm.getName() + "/llm/v1/models", user)
                .json();
        assertEquals("list", models.get("object").asText());
        List<String> ids = new ArrayList<>();
        models.get("data").forEach(m -> ids.add(m.get("id").asText()));
        assertTrue(ids.containsAll(List.of("gpt-4o-mini", "gpt-4o", "team-chat", "auto")), ids.toString());
        Api.put(
                Api.admin(realm.getName(), "/routing/rules"),
                token,
                Map.of("strategy", "balanced", "aliases", Map.of()));
    }

    @Test
    void openAiStyleErrors() {
        String user = userToken();
        Api.Reply anonymous = Api.post(chatUrl(), null, chat("gpt-4o"));
        assertEquals(401, anonymous.status());
        assertEquals(
                "invalid_api_key", anonymous.json().get("error").get("code").asText());
        Api.Reply badToken = Api.post(chatUrl(), "not-a-token", chat("gpt-4o"));
        assertEquals(401, badToken.status());

        Api.Reply malformed = Api.postRaw(chatUrl(), user, "{\"model\":");
        assertEquals(400, malformed.status());
        assertEquals(
                "invalid_request_error",
                malformed.json().get("error").get("type").asText());

        Api.Reply noMessages = Api.post(chatUrl(), user, Map.of("model", "gpt-4o"));
        assertEquals(400, noMessages.status());
        assertEquals("messages", noMessages.json().get("error").get("param").asText());

        Api.Reply unknown = Api.post(chatUrl(), user, chat("no-such-model-anywhere"));
        assertEquals(404, unknown.status());
        assertEquals("model_not_found", unknown.json().get("error").get("code").asText());

        Map<String, Object> big = new HashMap<>(chat("gpt-4o"));
        big.put(
                "messages",
                List.of(Map.of("role", "user", "content", "x".repeat(LlmServerConfig.GATEWAY_MAX_BODY_BYTES))));
        Api.Reply oversized = Api.post(chatUrl(), user, big);
        assertEquals(413, oversized.status());
        assertEquals(
                "request_too_large", oversized.json().get("error").get("code").asText());
    }

    /** The data of each server-sent event of a streamed answer. */
    private static List<String> events(Api.Reply r) {
        List<String> out = new ArrayList<>();
        for (String block : r.text().split("\n\n")) {
            if (block.startsWith("data: ")) {
                out.add(block.substring(6));
            }
        }
        return out;
    }

    private static String content(List<String> events) {
        StringBuilder sb = new StringBuilder();
        for (String e : events) {
            if (!e.equals("[DONE]")) {
                JsonNode chunk = Api.parse(e);
                for (JsonNode choice : chunk.path("choices")) {
                    sb.append(choice.path("delta").path("content").asText(""));
                }
            }
        }
        return sb.toString();
    }

    @Test
    void streamedCompletionEndsWithDoneAndHidesUsageUnlessAsked() {
        String model = "stream-model";
        String key = "sk-test-stream-plain";
        provider("groq", "Streamer", key, 50, true, model);
        Map<String, Object> body = new HashMap<>(chat(model));
        body.put("stream", true);
        Api.Reply r = Api.post(chatUrl(), userToken(), body);
        assertEquals(200, r.status(), r.text());
        assertTrue(r.header("Content-Type").startsWith("text/event-stream"), r.header("Content-Type"));
        assertEquals("Streamer", r.header("X-LLM-Provider"));
        List<String> events = events(r);
        assertEquals("[DONE]", events.get(events.size() - 1));
        assertEquals("Hello from groq.", content(events));
        assertFalse(r.text().contains("\"usage\":{"), "the caller did not ask for usage: " + r.text());
        String sent = chatsTo(key).get(0).body();
        assertTrue(
                Api.parse(sent).path("stream_options").path("include_usage").asBoolean(),
                "the gateway asked the vendor for usage anyway: " + sent);
    }

    @Test
    void streamedCompletionWithUsageWhenAskedAndFallbackBeforeTheFirstByte() {
        String model = "stream-usage-model";
        provider("openai", "Stream primary", "sk-test-stream-fail503", 90, true, model);
        provider("mistral", "Stream backup", "sk-test-stream-backup", 10, true, model);
        Map<String, Object> body = new HashMap<>(chat(model));
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        Api.Reply r = Api.post(chatUrl(), userToken(), body);
        assertEquals(200, r.status(), r.text());
        assertEquals("Stream backup", r.header("X-LLM-Provider"));
        assertEquals("2", r.header("X-LLM-Attempts"));
        List<String> events = events(r);
        assertEquals("Hello from mistral.", content(events));
        // Mistral puts the usage on its last chunk, beside the finish reason, and the caller asked for it.
        JsonNode usageChunk = Api.parse(events.get(events.size() - 2));
        assertEquals("stop", usageChunk.at("/choices/0/finish_reason").asText(), usageChunk.toString());
        assertEquals(
                FakeVendors.PROMPT_TOKENS,
                usageChunk.get("usage").get("prompt_tokens").asLong());
        assertEquals(
                FakeVendors.CACHED_TOKENS,
                usageChunk
                        .get("usage")
                        .get("prompt_tokens_details")
                        .get("cached_tokens")
                        .asLong());
    }

    @Test
    void anthropicThroughTheMessagesApiStreamedAndNot() {
        String model = "claude-sonnet-4-5";
        String key = "sk-test-anthropic-gw";
        provider("anthropic", "Claude", key, 50, true, model);
        String token = userToken();

        Api.Reply plain = Api.post(chatUrl(), token, chat(model));
        assertEquals(200, plain.status(), plain.text());
        JsonNode j = plain.json();
        assertEquals("chat.completion", j.get("object").asText());
        assertEquals(
                FakeVendors.ANTHROPIC_TEXT,
                j.get("choices").get(0).get("message").get("content").asText());
        assertEquals("stop", j.get("choices").get(0).get("finish_reason").asText());
        assertEquals(21 + 188 + 1800, j.get("usage").get("prompt_tokens").asLong(), "input + cache write + cache read");
        assertEquals(
                1800,
                j.get("usage").get("prompt_tokens_details").get("cached_tokens").asLong());
        FakeVendors.Recorded seen = vendors.requests().stream()
                .filter(r -> key.equals(r.apiKeyHeader()) && r.path().endsWith("/messages"))
                .findFirst()
                .orElseThrow();
        assertEquals("/anthropic/v1/messages", seen.path());
        JsonNode sent = Api.parse(seen.body());
        assertTrue(sent.get("max_tokens").asInt() > 0, "a max_tokens default was sent: " + seen.body());
        assertEquals(model, sent.get("model").asText());

        Map<String, Object> body = new HashMap<>(chat(model));
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        Api.Reply streamed = Api.post(chatUrl(), token, body);
        assertEquals(200, streamed.status(), streamed.text());
        List<String> events = events(streamed);
        assertEquals("[DONE]", events.get(events.size() - 1));
        assertEquals(FakeVendors.ANTHROPIC_TEXT, content(events));
        JsonNode usageChunk = Api.parse(events.get(events.size() - 2));
        assertEquals(27, usageChunk.get("usage").get("completion_tokens").asLong());
    }
}
