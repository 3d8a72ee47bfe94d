package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Rows 1, 4, 7 and 8 of the hardening issue, tried as the probe tried them: control characters in names and model ids,
 * bodies of any size, caller text in error messages, and vendors' partial key echoes.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class HardeningIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private Map<String, Object> provider(String key) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", "openai");
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl("openai"));
        return body;
    }

    private Api.Reply create(Object body) {
        return Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
    }

    private static void assertAdminError(int status, String field, String messagePart, Api.Reply r) {
        assertEquals(status, r.status(), r.text());
        assertEquals("application/json", r.header("Content-Type").split(";")[0], r.text());
        assertFalse(r.json().get("success").asBoolean(), r.text());
        if (field != null) {
            assertEquals(field, r.json().path("field").asText(null), r.text());
        }
        assertTrue(r.json().get("error").asText().contains(messagePart), r.text());
    }

    private long providers() {
        return Db.count("select count(*) from LLM_PROVIDER where REALM_ID = ?", realm.getId());
    }

    /** Row 1: CR, LF, NUL (and their kin) in a provider's name or a pinned model id are refused, naming the field. */
    @Test
    void controlCharactersInNamesAndModelIdsAreRefused() {
        for (String bad : List.of("Evil\r\nX-Injected: 1", "nul\u0000name", "tab\tname", "bidi\u202Eevil")) {
            Map<String, Object> named = provider("sk-test-hardening-ctl");
            named.put("name", bad);
            assertAdminError(400, "name", "not allowed", create(named));

            Map<String, Object> pinned = provider("sk-test-hardening-ctl");
            pinned.put("models", List.of("gpt-4o", "gpt\r\n4o" + bad));
            assertAdminError(400, "models[1]", "not allowed", create(pinned));
        }
        // A lone surrogate can only be sent as a JSON escape (an encoder turns it into '?').
        Api.Reply lone = Api.postRaw(
                Api.admin(realm.getName(), "/providers"),
                Api.masterAdminToken(),
                "{\"type\":\"openai\",\"apiKey\":\"sk-test-hardening-ctl\",\"baseUrl\":\"" + vendors.baseUrl("openai")
                        + "\",\"name\":\"lone\\ud800\"}");
        assertAdminError(400, "name", "U+D800", lone);
        // A key pasted as a field name that holds a line break: refused, and named by neither the name nor the key.
        Map<String, Object> field = provider("sk-test-hardening-ctl");
        field.put("sk-test-hardening-fieldkey\nQ9", true);
        Api.Reply r = create(field);
        assertAdminError(400, null, "a field name contains a character that is not allowed", r);
        assertFalse(r.text().contains("hardening-fieldkey"), r.text());
        assertEquals(0L, providers());

        // The gateway refuses such a model id before it reaches a vendor.
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        Api.Reply chat =
                Api.post(gateway(), token, Map.of("model", "gpt-4o\r\nX-Injected: 1", "messages", List.of(user("hi"))));
        assertEquals(400, chat.status(), chat.text());
        assertEquals("model", chat.json().at("/error/param").asText());
        assertTrue(chat.json().at("/error/message").asText().contains("U+000D"), chat.text());

        // Prose keeps its line breaks: a power level's description.
        Api.Reply levels = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                Api.masterAdminToken(),
                Map.of(
                        "default",
                        "basic",
                        "levels",
                        List.of(Map.of(
                                "id", "basic",
                                "name", "Basic",
                                "description", "Two lines:\nsecond line",
                                "price_ceiling", 5))));
        assertEquals(200, levels.status(), levels.text());
    }

    /** Row 7: unknown fields and types are named only when the name cannot be a pasted key. */
    @Test
    void errorsDoNotQuoteWhatCouldBeAKey() {
        String pasted = "sk-test-hardening-pasted-Zq7Xw9Vb2Nm4Kp8";
        KeyLedger.track(pasted);

        Map<String, Object> asField = provider("sk-test-hardening-echo");
        asField.put(pasted, "x");
        Api.Reply field = create(asField);
        assertAdminError(400, null, "unknown field (a name of " + pasted.length() + " characters, not shown)", field);
        assertFalse(field.text().contains(pasted.substring(8)), field.text());

        Map<String, Object> asType = provider("sk-test-hardening-echo");
        asType.put("type", pasted);
        Api.Reply type = create(asType);
        assertAdminError(
                400, "type", "unknown provider type (a value of " + pasted.length() + " characters, not shown)", type);
        assertFalse(type.text().contains(pasted.substring(8)), type.text());

        // A typo is still named: that is what makes the error useful.
        Map<String, Object> typo = provider("sk-test-hardening-echo");
        typo.put("prority", 5);
        assertAdminError(400, "prority", "unknown field 'prority'", create(typo));

        Api.Reply strategy = Api.put(
                Api.admin(realm.getName(), "/routing/rules"), Api.masterAdminToken(), Map.of("strategy", pasted));
        assertAdminError(400, "strategy", "unknown strategy (a value of", strategy);
        assertFalse(strategy.text().contains(pasted.substring(8)), strategy.text());

        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        Api.Reply model = Api.post(gateway(), token, Map.of("model", pasted, "messages", List.of(user("hi"))));
        assertEquals(404, model.status(), model.text());
        assertFalse(model.text().contains(pasted.substring(8)), model.text());

        Api.Reply usage = Api.get(Api.admin(realm.getName(), "/usage?" + pasted + "=1"), Api.masterAdminToken());
        assertEquals(400, usage.status(), usage.text());
        assertFalse(usage.text().contains(pasted.substring(8)), usage.text());
        assertEquals(0L, providers());
    }

    /** Row 8: a vendor's refusal that quotes the key masked (prefix and suffix forms) reaches the caller redacted. */
    @Test
    void partialKeyEchoesOfVendorsAreRedacted() {
        Api.allowEveryModel(realm.getName());
        String key = "sk-test-echo400-Hv7Lq2Zr9Xw3";
        Map<String, Object> body = provider(key);
        body.put("name", "Echoing vendor");
        body.put("models", List.of("gpt-4o-mini"));
        Api.Reply created = create(body);
        assertEquals(201, created.status(), created.text());
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        Api.Reply chat = Api.post(gateway(), token, Map.of("model", "gpt-4o-mini", "messages", List.of(user("hi"))));
        assertEquals(400, chat.status(), chat.text());
        String message = chat.json().at("/error/message").asText();
        assertTrue(message.startsWith("This request was refused for key [redacted]."), message);
        assertTrue(message.contains("Keys ending in [redacted] may not use this model."), message);
        for (String part : List.of(key.substring(0, 8) + "****", key.substring(key.length() - 4))) {
            assertFalse(chat.text().contains(part), chat.text());
        }
        assertEquals("model_not_allowed", chat.json().at("/error/code").asText(), chat.text());
        Api.delete(
                Api.admin(
                        realm.getName(),
                        "/providers/" + created.json().at("/provider/id").asText()),
                Api.masterAdminToken());
    }

    /**
     * Row 4: a body over the limit gets the documented JSON error, whether its length is announced or it is streamed
     * in chunks, up to and beyond Keycloak's own 10 MiB HTTP limit (where Keycloak's HTTP layer would answer an empty
     * 413 or drop the connection).
     */
    @Test
    void oversizedBodiesGetTheDocumentedJsonError() throws Exception {
        String token = Api.masterAdminToken();
        String userToken = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        List<String> failures = new ArrayList<>();
        for (int mib : new int[] {2, 9, 11, 40}) {
            for (boolean chunked : new boolean[] {false, true}) {
                String what = mib + " MiB " + (chunked ? "chunked" : "with Content-Length");
                HttpResponse<String> admin = sendLarge(Api.admin(realm.getName(), "/providers"), token, mib, chunked);
                check(failures, "admin " + what, admin, "error");
                HttpResponse<String> gateway = sendLarge(gateway(), userToken, mib, chunked);
                check(failures, "gateway " + what, gateway, "request_too_large");
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(0L, providers());
        assertEquals(
                200, Api.get(Api.admin(realm.getName(), "/providers"), token).status(), "server healthy");
    }

    private static void check(List<String> failures, String what, HttpResponse<String> r, String expected) {
        if (r == null) {
            failures.add(what + ": connection closed without an answer");
            return;
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() != 413
                || !type.startsWith("application/json")
                || !r.body().contains(expected)) {
            failures.add(what + ": HTTP " + r.statusCode() + " " + type + " " + abbreviate(r.body()));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static HttpResponse<String> sendLarge(String url, String token, int mib, boolean chunked)
            throws InterruptedException {
        long total = (long) mib * 1024 * 1024;
        byte[] head = "{\"type\":\"openai\",\"model\":\"gpt-4o\",\"messages\":[],\"name\":\""
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
        long filler = total - head.length - tail.length;
        Supplier<InputStream> stream = () -> new SequenceInputStream(Collections.enumeration(
                List.of(new ByteArrayInputStream(head), new Filler(filler), new ByteArrayInputStream(tail))));
        HttpRequest.BodyPublisher body = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(stream)
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(stream), total);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(body)
                .build();
        try {
            return HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    private String gateway() {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions";
    }

    private static Map<String, Object> user(String text) {
        return Map.of("role", "user", "content", text);
    }

    /** {@code n} bytes of 'a', never held in memory at once. */
    private static final class Filler extends InputStream {
        private long left;

        Filler(long n) {
            left = n;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 'a';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 'a');
            left -= n;
            return n;
        }
    }
}
