package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.representations.userprofile.config.UPAttribute;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/**
 * Rate limits: requests and tokens per minute and concurrent streams, per power level, overridden per client and per
 * user, and per provider (a provider at its limit is skipped and the call falls back); OpenAI's 429 and
 * {@code x-ratelimit-*} headers, as SDKs read them.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class RateLimitIT {

    private static final String MODEL = "gpt-4o-mini";

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();
    private final HttpClient http = HttpClient.newHttpClient();

    private String admin() {
        return Api.masterAdminToken();
    }

    private String chatUrl() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions";
    }

    /** One level for everyone, reaching every model, with these limits (null: none). */
    private void levelLimits(Map<String, Object> limits) {
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("id", "team");
        level.put("name", "Team");
        level.put("models", List.of("*"));
        if (limits != null) {
            level.put("limits", limits);
        }
        Api.Reply r = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                admin(),
                Map.of("default", "team", "levels", List.of(level)));
        assertEquals(200, r.status(), r.text());
    }

    private String provider(String name, String key, int priority, Map<String, Object> limits, String... models) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "openai");
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl("openai"));
        body.put("priority", priority);
        body.put("models", List.of(models));
        if (limits != null) {
            body.put("limits", limits);
        }
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), admin(), body);
        assertEquals(201, r.status(), r.text());
        return r.json().get("provider").get("id").asText();
    }

    private String newUser(String name) {
        realm.addUser(UserBuilder.create(name)
                .enabled(true)
                .email(name + "@example.org")
                .name(name, "Limited")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD));
        return Api.token(realm.getName(), name, LlmRealmConfig.PASSWORD);
    }

    private String userId(String name) {
        return realm.admin().users().searchByUsername(name, true).get(0).getId();
    }

    private Api.Reply chat(String token, String model) {
        return Api.post(
                chatUrl(), token, Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "hi"))));
    }

    private static void assertRateLimited(Api.Reply r, String... words) {
        assertEquals(429, r.status(), r.text());
        JsonNode error = r.json().get("error");
        assertEquals("rate_limit_error", error.get("type").asText(), r.text());
        for (String w : words) {
            assertTrue(error.get("message").asText().contains(w), "'" + w + "' in " + r.text());
        }
        long retry = Long.parseLong(r.header("Retry-After"));
        assertTrue(retry >= 1 && retry <= 61, "Retry-After " + retry);
        assertNotNull(r.header("retry-after-ms"));
    }

    @Test
    void aLevelsRequestLimitRefusesTheNextCallWithOpenAisHeadersAndCallsNoVendor() throws Exception {
        provider("Limits OpenAI", "sk-test-limits-level", 50, null, MODEL);
        levelLimits(Map.of("requests_per_minute", 3));
        String token = newUser("rl-level");
        for (int i = 0; i < 3; i++) {
            Api.Reply r = chat(token, MODEL);
            assertEquals(200, r.status(), r.text());
            assertEquals("3", r.header("x-ratelimit-limit-requests"));
            assertEquals(Integer.toString(2 - i), r.header("x-ratelimit-remaining-requests"));
            assertTrue(
                    r.header("x-ratelimit-reset-requests").matches("\\d+(ms|s)|\\d+m\\d+s"),
                    r.headers().toString());
            assertNull(r.header("x-ratelimit-limit-tokens"), "no token limit: no token headers");
        }
        int before = chatsTo("sk-test-limits-level");
        double refusalsBefore = metric("llm_gateway_refusals_total", "rate_limit_requests");
        Api.Reply refused = chat(token, MODEL);
        assertEquals(refusalsBefore + 1, metric("llm_gateway_refusals_total", "rate_limit_requests"), "on /metrics");
        assertRateLimited(refused, "3 requests per minute", "power level 'Team'");
        assertEquals("rate_limit_exceeded", refused.json().at("/error/code").asText());
        assertEquals("3", refused.header("x-ratelimit-limit-requests"));
        assertEquals("0", refused.header("x-ratelimit-remaining-requests"));
        assertEquals(before, chatsTo("sk-test-limits-level"), "a refused call reaches no vendor");
        // Another user of the same level has their own count.
        assertEquals(200, chat(newUser("rl-level-other"), MODEL).status());
    }

    @Test
    void tokensPerMinuteCountTheVendorsFiguresAfterEachCall() {
        provider("Tokens OpenAI", "sk-test-limits-tokens", 50, null, MODEL);
        long perCall = FakeVendors.PROMPT_TOKENS + FakeVendors.COMPLETION_TOKENS;
        // Room for two calls as the vendor counts them (the estimate of "hi" is one token).
        levelLimits(Map.of("tokens_per_minute", 2 * perCall));
        String token = newUser("rl-tokens");
        Api.Reply first = chat(token, MODEL);
        assertEquals(200, first.status(), first.text());
        assertEquals(Long.toString(2 * perCall), first.header("x-ratelimit-limit-tokens"));
        Api.Reply second = chat(token, MODEL);
        assertEquals(200, second.status(), second.text());
        // After the first call the count is the vendor's figure, not the one-token estimate.
        assertEquals(Long.toString(perCall - 1), second.header("x-ratelimit-remaining-tokens"));
        Api.Reply third = chat(token, MODEL);
        assertRateLimited(third, (2 * perCall) + " tokens per minute", "power level 'Team'");
        assertEquals("0", third.header("x-ratelimit-remaining-tokens"));
    }

    @Test
    void aClientsLimitOverridesTheLevelsAndAUsersOwnOverridesBoth() {
        provider("Overrides OpenAI", "sk-test-limits-override", 50, null, MODEL);
        levelLimits(Map.of("requests_per_minute", 100));
        String token = newUser("rl-override");
        String clients = Api.admin(realm.getName(), "/limits/clients/admin-cli");
        Api.Reply set = Api.put(clients, admin(), Map.of("requests_per_minute", 2));
        assertEquals(200, set.status(), set.text());
        assertEquals(2, set.json().get("requests_per_minute").asInt());
        try {
            assertEquals("2", chat(token, MODEL).header("x-ratelimit-limit-requests"));
            assertEquals(200, chat(token, MODEL).status());
            assertRateLimited(chat(token, MODEL), "2 requests per minute", "client 'admin-cli'");

            String users = Api.admin(realm.getName(), "/limits/users/" + userId("rl-override"));
            Api.Reply own = Api.put(users, admin(), Map.of("requests_per_minute", 4));
            assertEquals(200, own.status(), own.text());
            // The user's own limit counts the same calls: 2 made, 2 more.
            Api.Reply third = chat(token, MODEL);
            assertEquals(200, third.status(), third.text());
            assertEquals("4", third.header("x-ratelimit-limit-requests"));
            assertEquals(200, chat(token, MODEL).status());
            assertRateLimited(chat(token, MODEL), "4 requests per minute", "set for your account");

            // The overview lists both; view-realm may read, only manage-realm may change.
            Api.Reply overview = Api.get(Api.admin(realm.getName(), "/limits"), admin());
            assertEquals(200, overview.status(), overview.text());
            assertTrue(overview.text().contains("\"admin-cli\""), overview.text());
            assertTrue(overview.text().contains("\"rl-override\""), overview.text());
            // view-realm reads a client's override, not a user's (naming users needs view-users); only admins change.
            String viewer = Api.token(realm.getName(), "viewer", LlmRealmConfig.PASSWORD);
            assertEquals(200, Api.get(clients, viewer).status());
            assertEquals(
                    403,
                    Api.put(clients, viewer, Map.of("requests_per_minute", 1000))
                            .status());
            assertEquals(403, Api.get(users, viewer).status());
            Api.Reply viewed = Api.get(Api.admin(realm.getName(), "/limits"), viewer);
            assertFalse(viewed.text().contains("rl-override"), viewed.text());
            assertTrue(viewed.json().get("users_hidden").asInt() >= 1, "counted, not named: " + viewed.text());
            assertEquals(403, Api.get(users, token).status());

            // The user's attribute is admin-only in the User Profile: a user cannot raise their own limit.
            UPConfig profile = realm.admin().users().userProfile().getConfiguration();
            UPAttribute attribute = profile.getAttribute("llm_requests_per_minute");
            assertNotNull(attribute, "declared in the realm's User Profile");
            assertEquals(java.util.Set.of("admin"), attribute.getPermissions().getEdit());
            UserRepresentation asAdmin =
                    realm.admin().users().get(userId("rl-override")).toRepresentation(true);
            assertEquals(List.of("4"), asAdmin.getAttributes().get("llm_requests_per_minute"));

            // Bad values: 400 naming the field, nothing written.
            Api.Reply bad = Api.put(users, admin(), Map.of("requests_per_minute", -1));
            assertEquals(400, bad.status(), bad.text());
            assertEquals("limits.requests_per_minute", bad.json().get("field").asText());
            Api.Reply unknown = Api.put(users, admin(), Map.of("requests_per_hour", 5));
            assertEquals(400, unknown.status(), unknown.text());
            assertEquals(
                    4, Api.get(users, admin()).json().get("requests_per_minute").asInt());
            assertEquals(
                    404,
                    Api.get(Api.admin(realm.getName(), "/limits/users/no-such-user"), admin())
                            .status());
            assertEquals(
                    404,
                    Api.get(Api.admin(realm.getName(), "/limits/clients/no-such-client"), admin())
                            .status());

            // {} clears an override.
            assertEquals("{}", Api.put(users, admin(), Map.of()).json().toString());
        } finally {
            Api.put(clients, admin(), Map.of());
        }
        assertEquals("{}", Api.get(clients, admin()).json().toString());
    }

    @Test
    void concurrentStreamsAreCountedWhileOpen() throws Exception {
        provider("Slow streams", "sk-test-streamslow-limits", 50, null, "gpt-5-nano");
        levelLimits(Map.of("concurrent_streams", 1));
        String token = newUser("rl-streams");
        HttpResponse<InputStream> open =
                http.send(stream(token, "gpt-5-nano"), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, open.statusCode());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(open.body(), StandardCharsets.UTF_8))) {
            String line = in.readLine();
            assertNotNull(line);
            // While the first stream runs (a piece every 2 s), a second is refused; a call without a stream is not.
            HttpResponse<String> second = http.send(stream(token, "gpt-5-nano"), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, second.statusCode(), second.body());
            assertTrue(second.body().contains("1 concurrent streams"), second.body());
            assertEquals(200, chat(token, "gpt-5-nano").status());
            while (in.readLine() != null) {
                // to the stream's end
            }
        }
        // The stream has ended: the next one is admitted (its end is counted as soon as the relay sees it).
        HttpResponse<String> after = null;
        for (int i = 0; i < 50; i++) {
            after = http.send(stream(token, "gpt-5-nano"), HttpResponse.BodyHandlers.ofString());
            if (after.statusCode() != 429) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(200, after.statusCode(), after.body());
    }

    @Test
    void aProviderAtItsLimitIsSkippedAndTheCallFallsBack() throws Exception {
        String model = "rl-fallback-model";
        provider("Quota primary", "sk-test-quota-primary", 90, Map.of("requests_per_minute", 1), model);
        String backup = provider("Quota backup", "sk-test-quota-backup", 10, null, model);
        levelLimits(null);
        String token = newUser("rl-provider");
        Api.Reply first = chat(token, model);
        assertEquals(200, first.status(), first.text());
        assertEquals("Quota primary", first.header("X-LLM-Provider"));
        assertNull(first.header("x-ratelimit-limit-requests"), "the caller has no limit of their own");
        Api.Reply second = chat(token, model);
        assertEquals(200, second.status(), second.text());
        assertEquals("Quota backup", second.header("X-LLM-Provider"), "the primary's quota is used up");
        assertEquals("1", second.header("X-LLM-Attempts"), "a skipped provider is not an attempt");

        // Both at their limit: OpenAI's 429 saying when the first frees up.
        Api.Reply limited = Api.put(
                Api.admin(realm.getName(), "/providers/" + backup),
                admin(),
                Map.of("limits", Map.of("requests_per_minute", 1)));
        assertEquals(200, limited.status(), limited.text());
        assertEquals(
                1, limited.json().at("/provider/limits/requests_per_minute").asInt(), limited.text());
        // The backup's calls count from now on: one more is served, then neither provider has room.
        assertEquals("Quota backup", chat(token, model).header("X-LLM-Provider"));
        double skippedBefore = metric("llm_gateway_refusals_total", "provider_rate_limit");
        Api.Reply refused = chat(token, model);
        assertEquals(skippedBefore + 2, metric("llm_gateway_refusals_total", "provider_rate_limit"), "both skipped");
        assertRateLimited(refused, "rate limit", "Quota primary", "Quota backup");
        Api.Reply bad = Api.put(
                Api.admin(realm.getName(), "/providers/" + backup),
                admin(),
                Map.of("limits", Map.of("tokens_per_minute", "many")));
        assertEquals(400, bad.status(), bad.text());
        assertEquals("limits.tokens_per_minute", bad.json().get("field").asText());
    }

    /**
     * The kinds the other tests do not reach at each scope: tokens and streams set for a user and for a client, and
     * for a provider (whose limit makes the call fall back).
     */
    @Test
    void tokensAndStreamsAtEveryScope() throws Exception {
        long perCall = FakeVendors.PROMPT_TOKENS + FakeVendors.COMPLETION_TOKENS;
        String model = "rl-scopes-model";
        String limited = provider(
                "Scoped primary",
                "sk-test-scoped-primary",
                90,
                Map.of("tokens_per_minute", perCall, "concurrent_streams", 0),
                model);
        provider("Scoped backup", "sk-test-scoped-backup", 10, null, model);
        levelLimits(Map.of("requests_per_minute", 1000));

        // A user's own tokens and streams.
        String token = newUser("rl-user-kinds");
        String users = Api.admin(realm.getName(), "/limits/users/" + userId("rl-user-kinds"));
        assertEquals(
                200,
                Api.put(users, admin(), Map.of("tokens_per_minute", perCall, "concurrent_streams", 0))
                        .status());
        Api.Reply first = chat(token, model);
        assertEquals(200, first.status(), first.text());
        assertEquals(Long.toString(perCall), first.header("x-ratelimit-limit-tokens"));
        assertEquals("1000", first.header("x-ratelimit-limit-requests"), "the level's, not overridden");
        assertEquals("Scoped primary", first.header("X-LLM-Provider"));
        assertRateLimited(chat(token, model), perCall + " tokens per minute", "set for your account");
        HttpResponse<String> stream = http.send(stream(token, model), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, stream.statusCode(), stream.body());
        assertTrue(stream.body().contains("0 concurrent streams (set for your account)"), stream.body());

        // A client's tokens and streams, for a user without overrides.
        String clients = Api.admin(realm.getName(), "/limits/clients/admin-cli");
        assertEquals(
                200,
                Api.put(clients, admin(), Map.of("tokens_per_minute", perCall, "concurrent_streams", 0))
                        .status());
        try {
            String other = newUser("rl-client-kinds");
            // The primary's token quota was spent by the first call: the backup answers.
            Api.Reply viaClient = chat(other, model);
            assertEquals(200, viaClient.status(), viaClient.text());
            assertEquals("Scoped backup", viaClient.header("X-LLM-Provider"), "the primary's tokens are used up");
            assertTrue(viaClient.text().length() > 0);
            assertRateLimited(chat(other, model), perCall + " tokens per minute", "client 'admin-cli'");
            HttpResponse<String> clientStream = http.send(stream(other, model), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, clientStream.statusCode(), clientStream.body());
            assertTrue(clientStream.body().contains("client 'admin-cli'"), clientStream.body());
        } finally {
            Api.put(clients, admin(), Map.of());
        }

        // A provider's streams: 0 lets no stream through it, so a stream falls back while a plain call does not.
        String streamModel = "rl-scopes-stream-model";
        provider("Streams primary", "sk-test-scoped-streams-primary", 90, Map.of("concurrent_streams", 0), streamModel);
        provider("Streams backup", "sk-test-scoped-streams-backup", 10, null, streamModel);
        String third = newUser("rl-provider-kinds");
        assertEquals("Streams primary", chat(third, streamModel).header("X-LLM-Provider"));
        HttpResponse<String> providerStream =
                http.send(stream(third, streamModel), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, providerStream.statusCode(), providerStream.body());
        assertEquals(
                "Streams backup",
                providerStream.headers().firstValue("X-LLM-Provider").orElse(null));
        Api.Reply overview = Api.get(Api.admin(realm.getName(), "/limits"), admin());
        assertTrue(
                overview.text().contains("\"id\":\"" + limited + "\""),
                "the provider is in the overview: " + overview.text());
    }

    private HttpRequest stream(String token, String model) {
        String body =
                "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return HttpRequest.newBuilder(URI.create(chatUrl()))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** A counter of this realm on Keycloak's management port ({@code metrics-enabled}), by its {@code reason}. */
    private double metric(String name, String reason) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:9000/metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + "{")
                    && line.contains("realm=\"" + realm.getName() + "\"")
                    && line.contains("reason=\"" + reason + "\"")) {
                // "name{labels} value", and with tracing on an exemplar after it: " # {trace_id=…} value time".
                String value = line.substring(line.indexOf("} ") + 2);
                return Double.parseDouble(value.split(" ")[0]);
            }
        }
        return 0;
    }

    private int chatsTo(String keyPart) {
        List<FakeVendors.Recorded> out = new ArrayList<>();
        for (FakeVendors.Recorded r : vendors.requests()) {
            if (r.path().endsWith("/chat/completions")
                    && r.authorization() != null
                    && r.authorization().contains(keyPart)) {
                out.add(r);
            }
        }
        return out.size();
    }
}
