package dev.llmgateway.keycloak.byok;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.vendor.ConnectionResult;
import dev.llmgateway.keycloak.vendor.ListedModel;
import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;

/**
 * The answers of /realms/{realm}/llm/me/keys, written by the server's own mapper (nulls left out): checked against the
 * maps UserKeyService built before its records and against the literal JSON (schemas UserKey and UserKeyTestResult
 * of docs/openapi/realm-llm-api.yaml).
 */
class UserKeyJsonTest {

    private static final ObjectMapper SERVER = ObjectMapperResolver.createStreamSerializer();

    private static String json(Object value) throws Exception {
        return SERVER.writeValueAsString(value);
    }

    @Test
    void aTypeWithoutAKey() throws Exception {
        String now = json(UserKey.of("anthropic", null, true));
        assertEquals(json(before("anthropic", null, true)), now);
        assertEquals(
                "{\"provider_type\":\"anthropic\",\"display_name\":\"Anthropic\",\"offered\":true,\"set\":false}", now);
    }

    @Test
    void aKeyNeverUsedOrTested() throws Exception {
        LlmUserKeyEntity k = key();
        String now = json(UserKey.of("openai", k, true));
        assertEquals(json(before("openai", k, true)), now);
        assertEquals(
                "{\"provider_type\":\"openai\",\"display_name\":\"OpenAI\",\"offered\":true,\"set\":true,"
                        + "\"hint\":\"…abcd\",\"created_at\":1763886000000,\"updated_at\":1763886000500}",
                now);
    }

    @Test
    void aKeyUsedAndTested() throws Exception {
        LlmUserKeyEntity k = key();
        k.setLastUsedAt(1763887000000L);
        k.setLastTestAt(1763888000000L);
        k.setLastTestOk(true);
        k.setLastTestLatencyMs(212L);
        String now = json(UserKey.of("openai", k, false));
        assertEquals(json(before("openai", k, false)), now);
        assertEquals(
                "{\"provider_type\":\"openai\",\"display_name\":\"OpenAI\",\"offered\":false,\"set\":true,"
                        + "\"hint\":\"…abcd\",\"created_at\":1763886000000,\"updated_at\":1763886000500,\"last_used_at\":1763887000000,"
                        + "\"last_test\":{\"at\":1763888000000,\"success\":true,\"latency_ms\":212}}",
                now);
    }

    @Test
    void aKeyTheVendorRefusedInACall() throws Exception {
        LlmUserKeyEntity k = key();
        k.setLastTestAt(1763888000000L);
        k.setLastTestOk(false);
        k.setLastTestError("Invalid API key: OpenAI refused it (HTTP 401)");
        String now = json(UserKey.of("openai", k, true));
        assertEquals(json(before("openai", k, true)), now);
        assertEquals(
                "{\"provider_type\":\"openai\",\"display_name\":\"OpenAI\",\"offered\":true,\"set\":true,"
                        + "\"hint\":\"…abcd\",\"created_at\":1763886000000,\"updated_at\":1763886000500,"
                        + "\"last_test\":{\"at\":1763888000000,\"success\":false,\"error\":\"Invalid API key: OpenAI refused it (HTTP 401)\"}}",
                now);
    }

    @Test
    void testResults() throws Exception {
        ConnectionResult ok = new ConnectionResult(
                true, 212, List.of(ListedModel.named("gpt-4o-mini"), ListedModel.named("gpt-4o")), null, null);
        ConnectionResult refused = new ConnectionResult(
                false,
                87,
                List.of(),
                ConnectionResult.ErrorKind.INVALID_KEY,
                "Invalid API key: OpenAI refused it (HTTP 401)");
        assertEquals(json(testBefore(ok)), json(KeyTestResult.of(ok)));
        assertEquals(json(testBefore(refused)), json(KeyTestResult.of(refused)));
        assertEquals("{\"success\":true,\"latency_ms\":212,\"models_available\":2}", json(KeyTestResult.of(ok)));
        assertEquals(
                "{\"success\":false,\"latency_ms\":87,\"error\":\"Invalid API key: OpenAI refused it (HTTP 401)\","
                        + "\"error_code\":\"invalid_key\"}",
                json(KeyTestResult.of(refused)));
    }

    private static LlmUserKeyEntity key() {
        LlmUserKeyEntity k = new LlmUserKeyEntity();
        k.setProviderType("openai");
        k.setKeyHint("…abcd");
        k.setCreatedAt(1763886000000L);
        k.setUpdatedAt(1763886000500L);
        return k;
    }

    /** UserKeyService.represent, as it was. */
    private static Map<String, Object> before(String type, LlmUserKeyEntity k, boolean offered) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("provider_type", type);
        out.put("display_name", UserKeyService.displayName(type));
        out.put("offered", offered);
        out.put("set", k != null);
        out.put("hint", k == null ? null : k.getKeyHint());
        out.put("created_at", k == null ? null : k.getCreatedAt());
        out.put("updated_at", k == null ? null : k.getUpdatedAt());
        out.put("last_used_at", k == null ? null : k.getLastUsedAt());
        Map<String, Object> test = null;
        if (k != null && k.getLastTestAt() != null) {
            test = new LinkedHashMap<>();
            test.put("at", k.getLastTestAt());
            test.put("success", k.getLastTestOk());
            test.put("latency_ms", k.getLastTestLatencyMs());
            test.put("error", k.getLastTestError());
        }
        out.put("last_test", test);
        return out;
    }

    /** UserKeyService.test's map, as it was. */
    private static Map<String, Object> testBefore(ConnectionResult result) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("success", result.success());
        out.put("latency_ms", result.latencyMs());
        if (result.success()) {
            out.put("models_available", result.models().size());
        } else {
            out.put("error", result.error());
            out.put("error_code", result.errorCode());
        }
        return out;
    }
}
