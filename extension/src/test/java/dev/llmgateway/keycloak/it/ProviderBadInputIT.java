package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** Bad input gets a 4xx with a JSON error naming the problem, and writes nothing. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ProviderBadInputIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private Map<String, Object> valid() {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "openai");
        body.put("apiKey", "sk-test-openai-bad-input-1");
        body.put("baseUrl", vendors.baseUrl("openai"));
        return body;
    }

    private void assertRefused(int status, String field, String messagePart, Api.Reply r) {
        assertEquals(status, r.status(), r.text());
        assertEquals("application/json", r.header("Content-Type").split(";")[0]);
        assertFalse(r.json().get("success").asBoolean(), r.text());
        if (field != null) {
            assertEquals(field, r.json().get("field").asText(), r.text());
        }
        assertTrue(r.json().get("error").asText().contains(messagePart), r.text());
    }

    private Api.Reply create(Object body) {
        return Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
    }

    @AfterEach
    void nothingWasWritten() {
        assertEquals(0, Db.count("select count(*) from LLM_PROVIDER where REALM_ID = ?", realm.getId()));
        assertEquals(0, Db.count("select count(*) from LLM_MODEL where REALM_ID = ?", realm.getId()));
    }

    @Test
    void unknownType() {
        Map<String, Object> body = valid();
        body.put("type", "skynet");
        assertRefused(400, "type", "unknown provider type 'skynet'", create(body));
    }

    @Test
    void priorityOutOfRange() {
        Map<String, Object> body = valid();
        body.put("priority", 101);
        assertRefused(400, "priority", "between 1 and 100", create(body));
        body.put("priority", 0);
        assertRefused(400, "priority", "between 1 and 100", create(body));
        body.put("priority", "high");
        assertRefused(400, "priority", "whole number", create(body));
    }

    @Test
    void missingKey() {
        Map<String, Object> body = valid();
        body.remove("apiKey");
        assertRefused(400, "apiKey", "apiKey is required", create(body));
        body.put("apiKey", "   ");
        assertRefused(400, "apiKey", "must not be empty", create(body));
    }

    @Test
    void malformedJson() {
        Api.Reply r = Api.postRaw(
                Api.admin(realm.getName(), "/providers"),
                Api.masterAdminToken(),
                "{\"type\":\"openai\",\"apiKey\":\"sk-test-do-not-echo-me-42\"");
        assertRefused(400, null, "malformed JSON", r);
        assertFalse(r.text().contains("do-not-echo"), "the body is never quoted back: " + r.text());
        assertRefused(
                400,
                null,
                "JSON object",
                Api.postRaw(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), "[1,2]"));
        assertRefused(
                400, null, "empty", Api.postRaw(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), ""));
        // A field given twice is not silently the last value; nothing may follow the object.
        Api.Reply twice = Api.postRaw(
                Api.admin(realm.getName(), "/providers"),
                Api.masterAdminToken(),
                "{\"type\":\"openai\",\"apiKey\":\"sk-test-twice-1\",\"apiKey\":\"sk-test-twice-2\"}");
        assertRefused(400, null, "a field appears twice", twice);
        assertFalse(twice.text().contains("sk-test-twice"), twice.text());
        assertRefused(
                400,
                null,
                "more content after the JSON object",
                Api.postRaw(
                        Api.admin(realm.getName(), "/providers"),
                        Api.masterAdminToken(),
                        "{\"type\":\"openai\",\"apiKey\":\"sk-test-trailing\"} {\"x\":1}"));
    }

    @Test
    void oversizedBody() {
        Map<String, Object> body = valid();
        body.put("name", "x".repeat(70_000));
        assertRefused(413, null, "larger than 65536 bytes", create(body));
    }

    @Test
    void customTypeWithoutBaseUrl() {
        Map<String, Object> body = valid();
        body.put("type", "custom");
        body.remove("baseUrl");
        assertRefused(400, "baseUrl", "baseUrl is required for provider type 'custom'", create(body));
        body.put("baseUrl", "ftp://files.example.com");
        assertRefused(400, "baseUrl", "http or https", create(body));
        body.put("baseUrl", "https://user:pw@llm.example.com/v1");
        assertRefused(400, "baseUrl", "credentials", create(body));
    }

    @Test
    void unknownFieldAndWrongTypes() {
        Map<String, Object> body = valid();
        body.put("apikey", "typo");
        assertRefused(400, "apikey", "unknown field 'apikey'", create(body));
        body.remove("apikey");
        body.put("autoFallback", "yes");
        assertRefused(400, "autoFallback", "true or false", create(body));
        body.put("autoFallback", true);
        body.put("models", "gpt-4o");
        assertRefused(400, "models", "array", create(body));
    }

    @Test
    void badUpdatesLeaveTheProviderUnchanged() {
        String token = Api.masterAdminToken();
        Api.Reply created = create(valid());
        String url = Api.admin(
                realm.getName(),
                "/providers/" + created.json().get("provider").get("id").asText());
        String before = Api.get(url, token).text();

        assertRefused(
                400, "priority", "between 1 and 100", Api.put(url, token, Map.of("priority", 500, "name", "Renamed")));
        assertRefused(400, "type", "cannot be changed", Api.put(url, token, Map.of("type", "anthropic")));
        assertRefused(
                400, "quality", "between 0 and 100", Api.put(url + "/models/gpt-4o", token, Map.of("quality", 900)));
        assertRefused(400, "outputPrice", "together", Api.put(url + "/models/gpt-4o", token, Map.of("inputPrice", 1)));
        assertRefused(
                400,
                "inputPrice",
                "between 0 and 100000",
                Api.put(url + "/models/gpt-4o", token, "{\"inputPrice\":1e99999,\"outputPrice\":1}"));
        assertRefused(404, null, "not offered", Api.put(url + "/models/no-such-model", token, Map.of("quality", 1)));
        assertRefused(404, null, "not found", Api.get(Api.admin(realm.getName(), "/providers/nope"), token));
        assertEquals(before, Api.get(url, token).text(), "a refused update changes nothing");

        Api.delete(url, token);
    }

    @Test
    void duplicateNameIsAConflict() {
        String token = Api.masterAdminToken();
        Map<String, Object> body = valid();
        body.put("name", "Primary");
        Api.Reply first = create(body);
        assertEquals(201, first.status());
        assertRefused(409, "name", "already exists", create(body));
        // Without a name, a second provider of a type gets a numbered default name.
        Api.Reply unnamed1 = create(valid());
        Api.Reply unnamed2 = create(valid());
        assertEquals("OpenAI", unnamed1.json().get("provider").get("name").asText());
        assertEquals("OpenAI 2", unnamed2.json().get("provider").get("name").asText());
        for (Api.Reply r : new Api.Reply[] {first, unnamed1, unnamed2}) {
            Api.delete(
                    Api.admin(
                            realm.getName(),
                            "/providers/" + r.json().get("provider").get("id").asText()),
                    token);
        }
    }
}
