package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Providers whose connection test failed (a vendor outage at the wrong moment) are not silenced for good: they stay
 * candidates after the healthy ones, a call they answer makes them active again, and the health check (every
 * {@link LlmServerConfig#PROVIDER_HEALTH_INTERVAL_MS} ms here) brings them back without any call. The fake vendor's
 * outage is steered per key.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ProviderRecoveryIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    @AfterEach
    void outagesEnd() {
        vendors.outage("sk-test-recover-", false);
    }

    private String provider(String name, String key, int priority, String model, String expectedStatus) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "openai");
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl("openai"));
        body.put("priority", priority);
        body.put("autoFallback", true);
        body.put("models", List.of(model));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        assertEquals(expectedStatus, r.json().get("provider").get("status").asText(), r.text());
        return r.json().get("provider").get("id").asText();
    }

    private String status(String id) {
        JsonNode j = Api.get(Api.admin(realm.getName(), "/providers/" + id), Api.masterAdminToken())
                .json();
        return (j.has("provider") ? j.get("provider") : j).get("status").asText();
    }

    private void awaitStatus(String id, String expected, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (!status(id).equals(expected)) {
            assertTrue(
                    System.currentTimeMillis() < deadline,
                    "provider still " + status(id) + " after " + millis + " ms, expected " + expected);
            sleep(100);
        }
    }

    private Api.Reply chat(String model) {
        return Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD),
                Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "Say hello"))));
    }

    private long chatsWith(String key) {
        return vendors.requests().stream()
                .filter(r -> r.path().endsWith("/chat/completions")
                        && r.authorization() != null
                        && r.authorization().contains(key))
                .count();
    }

    @Test
    void aProviderWhoseTestFailedServesCallsAndItsFirstAnsweredCallMakesItActive() {
        String key = "sk-test-recover-call";
        vendors.outage(key, true);
        String id = provider("Recovering", key, 50, "recover-call-model", "error");
        vendors.outage(key, false);

        Api.Reply r = chat("recover-call-model");
        assertEquals(200, r.status(), "the only provider of the model is in error, yet it is tried: " + r.text());
        assertEquals("Recovering", r.header("X-LLM-Provider"));
        awaitStatus(id, "active", 5_000);

        // Disabling still removes a provider from routing at once.
        Api.Reply off = Api.put(
                Api.admin(realm.getName(), "/providers/" + id), Api.masterAdminToken(), Map.of("enabled", false));
        assertEquals(200, off.status(), off.text());
        long before = chatsWith(key);
        assertNotEquals(200, chat("recover-call-model").status());
        assertEquals(before, chatsWith(key), "a disabled provider gets no call");
    }

    @Test
    void healthyProvidersComeFirstAndTheHealthCheckBringsAFailedOneBack() {
        String failing = "sk-test-recover-check-primary";
        String backup = "sk-test-recover-check-backup";
        vendors.outage(failing, true);
        String primary = provider("Primary in error", failing, 90, "recover-check-model", "error");
        provider("Healthy backup", backup, 10, "recover-check-model", "active");

        Api.Reply first = chat("recover-check-model");
        assertEquals(200, first.status(), first.text());
        assertEquals("Healthy backup", first.header("X-LLM-Provider"), "healthy providers before those in error");
        assertEquals("1", first.header("X-LLM-Attempts"));
        assertEquals(0, chatsWith(failing));

        // The vendor answers again: the health check (no call needed) makes the provider active.
        vendors.outage(failing, false);
        awaitStatus(primary, "active", LlmServerConfig.PROVIDER_HEALTH_INTERVAL_MS * 3 + 5_000);
        Api.Reply after = chat("recover-check-model");
        assertEquals(200, after.status(), after.text());
        assertEquals("Primary in error", after.header("X-LLM-Provider"), "back to the priority order");
    }

    @Test
    void aProviderThatStaysDownIsTriedLastAndStaysInError() {
        String down = "sk-test-recover-down";
        vendors.outage(down, true);
        String id = provider("Down", down, 90, "recover-down-model", "error");
        provider("Up", "sk-test-recover-up", 10, "recover-down-model", "active");
        sleep(LlmServerConfig.PROVIDER_HEALTH_INTERVAL_MS * 2);
        assertEquals("error", status(id), "the health check does not bring back a vendor that still fails");
        Api.Reply r = chat("recover-down-model");
        assertEquals(200, r.status(), r.text());
        assertEquals("Up", r.header("X-LLM-Provider"));
        assertEquals(0, chatsWith(down), "a healthy candidate answered first");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
