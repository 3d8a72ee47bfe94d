package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** Every provider type's connection test against its fake vendor: success, invalid key, rate limit, timeout. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ProviderConnectionIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    static java.util.List<String> vendors() {
        return FakeVendors.vendors();
    }

    private Api.Reply testKey(String vendor, String key) {
        return Api.post(
                Api.admin(realm.getName(), "/test"),
                Api.masterAdminToken(),
                Map.of("provider", vendor, "api_key", key, "base_url", vendors.baseUrl(vendor)));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void success(String vendor) {
        vendors.clear();
        String key = "sk-test-" + vendor + "-ok-12345678";
        Api.Reply r = testKey(vendor, key);
        assertEquals(200, r.status(), r.text());
        JsonNode j = r.json();
        assertTrue(j.get("success").asBoolean(), r.text());
        assertTrue(j.get("latency").asLong() >= 0);
        assertEquals(
                FakeVendors.expectedModelCount(vendor),
                j.get("models_available").asInt());
        FakeVendors.Recorded seen = vendors.requests().get(vendors.requests().size() - 1);
        if (vendor.equals("anthropic")) {
            assertEquals(key, seen.apiKeyHeader(), "Anthropic takes the key in x-api-key");
            assertEquals("2023-06-01", seen.anthropicVersion());
        } else {
            assertEquals("Bearer " + key, seen.authorization());
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void invalidKey(String vendor) {
        String key = "sk-test-invalid-" + vendor + "-Secret99";
        Api.Reply r = testKey(vendor, key);
        assertEquals(200, r.status(), r.text());
        assertFalse(r.json().get("success").asBoolean());
        assertEquals("invalid_key", r.json().get("error_code").asText());
        assertTrue(r.json().get("error").asText().startsWith("Invalid API key"), r.text());
        ProviderCrudIT.assertNoKeyIn(r.text(), key);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void rateLimited(String vendor) {
        Api.Reply r = testKey(vendor, "sk-test-ratelimited-" + vendor);
        assertFalse(r.json().get("success").asBoolean());
        assertEquals("rate_limited", r.json().get("error_code").asText());
        String error = r.json().get("error").asText();
        assertTrue(error.startsWith("Rate limit exceeded"), error);
        assertTrue(error.contains("retry after " + FakeVendors.RETRY_AFTER + " s"), error);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void timeout(String vendor) {
        Api.Reply r = testKey(vendor, "sk-test-slow-" + vendor);
        assertFalse(r.json().get("success").asBoolean());
        assertEquals("timeout", r.json().get("error_code").asText());
        assertTrue(r.json().get("error").asText().startsWith("Connection timeout"), r.text());
        long latency = r.json().get("latency").asLong();
        assertTrue(
                latency >= LlmServerConfig.VENDOR_TIMEOUT_MS && latency < FakeVendors.SLOW_MILLIS,
                "gave up at the configured timeout, not when the vendor answered: " + latency);
    }

    @Test
    void unreachableHostAndServerErrors() {
        String token = Api.masterAdminToken();
        // A loopback port nobody listens on.
        Api.Reply refused = Api.post(
                Api.admin(realm.getName(), "/test"),
                token,
                Map.of("provider", "custom", "api_key", "sk-test-x", "base_url", "http://127.0.0.1:9/v1"));
        assertEquals("unreachable", refused.json().get("error_code").asText(), refused.text());
        assertTrue(refused.json().get("error").asText().contains("127.0.0.1:9"), refused.text());

        Api.Reply unknownHost = Api.post(
                Api.admin(realm.getName(), "/test"),
                token,
                Map.of("provider", "custom", "api_key", "sk-test-x", "base_url", "http://no-such-host.invalid/v1"));
        assertEquals("unreachable", unknownHost.json().get("error_code").asText(), unknownHost.text());
        assertTrue(unknownHost.json().get("error").asText().contains("no-such-host.invalid"), unknownHost.text());

        Api.Reply unavailable = testKey("openai", "sk-test-unavailable");
        assertEquals("upstream_error", unavailable.json().get("error_code").asText());
        assertTrue(unavailable.json().get("error").asText().contains("HTTP 503"));
    }

    @Test
    void storedProviderTestRecordsStatusLatencyAndError() {
        String token = Api.masterAdminToken();
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                token,
                Map.of("type", "groq", "apiKey", "sk-test-groq-good-0001", "baseUrl", vendors.baseUrl("groq")));
        String id = created.json().get("provider").get("id").asText();
        String url = Api.admin(realm.getName(), "/providers/" + id);

        Api.Reply ok = Api.post(url + "/test", token, Map.of());
        assertTrue(ok.json().get("success").asBoolean(), ok.text());
        assertEquals("active", ok.json().get("provider").get("status").asText());
        assertTrue(ok.json().get("provider").get("last_latency_ms").isNumber());
        assertTrue(ok.json().get("provider").path("last_error").isMissingNode(), "no error after a good test");

        // The key is revoked at the vendor: the next test marks the provider as failing, with the reason.
        Api.put(url, token, Map.of("apiKey", "sk-test-invalid-revoked-0002"));
        Api.Reply failed = Api.post(url + "/test", token, Map.of());
        assertFalse(failed.json().get("success").asBoolean());
        JsonNode p = Api.get(url, token).json();
        assertEquals("error", p.get("status").asText());
        assertTrue(p.get("last_error").asText().startsWith("Invalid API key"), p.toString());
        assertEquals(3, p.get("model_count").asInt(), "a failed test keeps the models the provider had");
        Api.delete(url, token);
    }
}
