package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The outbound policy (issue 15, row 9): a realm admin cannot make the server connect to link-local, metadata,
 * unspecified, loopback or private addresses that the server's {@code outbound-allow} does not name (the suite's
 * server allows 127.0.0.1 alone, where the fake vendors listen), whatever form the address is written in; refusals
 * happen before anything is written; connection tests say no more about what answered than "unreachable / refused /
 * HTTP n"; a provider refused at connect time is skipped by the gateway like an unreachable one.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class OutboundPolicyIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    /** A loopback server that is not an LLM vendor: an HTML page, a JSON document that is no model list, a 404. */
    private static HttpServer other;

    private static final String SECRET_CONTENT = "Jenkins-internal-dashboard";

    @BeforeAll
    static void otherService() throws IOException {
        other = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        other.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                int status = 200;
                String type = "text/html";
                String body = "<html><title>" + SECRET_CONTENT + "</title></html>";
                if (path.startsWith("/json/")) {
                    type = "application/json";
                    body = "{\"service\":\"" + SECRET_CONTENT + "\",\"status\":\"ok\"}";
                } else if (path.startsWith("/missing/")) {
                    status = 404;
                    type = "text/plain";
                    body = "404 page not found (" + SECRET_CONTENT + ")";
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", type);
                ex.getResponseHeaders().add("Server", SECRET_CONTENT);
                ex.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        other.start();
    }

    @AfterAll
    static void stopOtherService() {
        other.stop(0);
    }

    private static String otherBase() {
        return "http://127.0.0.1:" + other.getAddress().getPort();
    }

    private int fakePort() {
        return Integer.parseInt(vendors.baseUrl("openai").replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/.*$", "$1"));
    }

    private long providerRows() {
        return Db.count("select count(*) from LLM_PROVIDER where REALM_ID = ?", realm.getId());
    }

    private void assertRefusedNamingBaseUrl(Api.Reply r, String url) {
        assertEquals(400, r.status(), url + ": " + r.text());
        assertEquals("application/json", r.header("Content-Type").split(";")[0], url);
        JsonNode j = r.json();
        assertFalse(j.path("success").asBoolean(true), r.text());
        assertEquals("baseUrl", j.path("field").asText(), url + ": " + r.text());
        assertFalse(j.path("error").asText().isBlank(), r.text());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://169.254.169.254/v1",
                "http://[::ffff:169.254.169.254]/v1",
                "http://[::ffff:a9fe:a9fe]/v1",
                "http://[fd00:ec2::254]/v1",
                "http://100.100.100.200/v1",
                "http://0.0.0.0:1/v1",
                "http://[::]:1/v1",
                "http://2130706434:1/v1",
                "http://127.0.0.2:1/v1",
                "http://[::1]:1/v1",
                "http://10.1.2.3/v1",
                "http://192.168.1.1/v1",
                "http://[fe80::1]/v1",
                "http://metadata.google.internal/v1",
                "http://metadata/computeMetadata/v1",
                "ftp://x",
                "http://user:pw@127.0.0.1:1/"
            })
    void refusedOnCreateAndTestNothingWritten(String url) {
        String token = Api.masterAdminToken();
        long before = providerRows();
        Map<String, Object> body = new HashMap<>();
        body.put("type", "custom");
        body.put("name", "Outbound " + Math.abs(url.hashCode()));
        body.put("apiKey", "sk-test-outbound-create");
        body.put("baseUrl", url);
        Api.Reply created = Api.post(Api.admin(realm.getName(), "/providers"), token, body);
        assertRefusedNamingBaseUrl(created, url);
        assertEquals(before, providerRows(), "nothing written for " + url);

        Api.Reply tested = Api.post(
                Api.admin(realm.getName(), "/test"),
                token,
                Map.of("provider", "custom", "api_key", "sk-test-outbound-test", "base_url", url));
        assertRefusedNamingBaseUrl(tested, url);
    }

    @Test
    void policyRefusalsSayWhichOptionAllows() {
        String token = Api.masterAdminToken();
        Api.Reply loopback = Api.post(
                Api.admin(realm.getName(), "/test"),
                token,
                Map.of("provider", "custom", "api_key", "sk-test-x", "base_url", "http://2130706434:1/v1"));
        String error = loopback.json().path("error").asText();
        assertTrue(error.contains("outbound policy"), error);
        assertTrue(error.contains("--spi-llm-gateway--default--outbound-allow"), error);
        assertTrue(error.contains("loopback"), error);

        Api.Reply metadata = Api.post(
                Api.admin(realm.getName(), "/test"),
                token,
                Map.of("provider", "custom", "api_key", "sk-test-x", "base_url", "http://169.254.169.254/v1"));
        assertTrue(metadata.json().path("error").asText().contains("never"), metadata.text());
    }

    @Test
    void updateToARefusedBaseUrlIsRefusedAndChangesNothing() {
        String token = Api.masterAdminToken();
        String good = vendors.baseUrl("groq");
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                token,
                Map.of("type", "groq", "name", "Outbound update", "apiKey", "sk-test-outbound-upd", "baseUrl", good));
        assertEquals(201, created.status(), created.text());
        String url = Api.admin(
                realm.getName(),
                "/providers/" + created.json().path("provider").path("id").asText());
        try {
            for (String refused : List.of("http://169.254.169.254/openai/v1", "http://10.0.0.1/openai/v1")) {
                Api.Reply r = Api.put(url, token, Map.of("baseUrl", refused, "name", "Renamed"));
                assertRefusedNamingBaseUrl(r, refused);
            }
            JsonNode p = Api.get(url, token).json();
            assertEquals(good, p.path("base_url").asText());
            assertEquals("Outbound update", p.path("name").asText());
        } finally {
            Api.delete(url, token);
        }
    }

    @Test
    void aNumericFormOfAnAllowedAddressWorks() {
        // 2130706433 is 127.0.0.1, the address the suite's server allows.
        String url = "http://2130706433:" + fakePort() + "/openai/v1";
        Api.Reply r = Api.post(
                Api.admin(realm.getName(), "/test"),
                Api.masterAdminToken(),
                Map.of("provider", "openai", "api_key", "sk-test-outbound-numeric", "base_url", url));
        assertEquals(200, r.status(), r.text());
        assertTrue(r.json().path("success").asBoolean(), r.text());
        assertEquals(
                FakeVendors.expectedModelCount("openai"),
                r.json().path("models_available").asInt());
    }

    private static final Pattern EXCEPTION_NAME = Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b");

    private JsonNode test(String baseUrl) {
        Api.Reply r = Api.post(
                Api.admin(realm.getName(), "/test"),
                Api.masterAdminToken(),
                Map.of("provider", "custom", "api_key", "sk-test-outbound-probe", "base_url", baseUrl));
        assertEquals(200, r.status(), r.text());
        JsonNode j = r.json();
        assertFalse(j.path("success").asBoolean(true), r.text());
        String error = j.path("error").asText();
        assertFalse(error.contains(SECRET_CONTENT), "nothing of the answer is shown: " + error);
        assertFalse(error.toLowerCase().contains("html"), error);
        assertFalse(error.contains("/json/") || error.contains("/missing/") || error.contains("/html/"), error);
        assertFalse(EXCEPTION_NAME.matcher(error).find(), "no exception class names: " + error);
        return j;
    }

    @Test
    void connectionTestsSayOnlyUnreachableRefusedOrHttpStatus() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        JsonNode refused = test("http://127.0.0.1:" + closed + "/v1");
        assertEquals("unreachable", refused.path("error_code").asText());
        assertEquals(
                "Cannot connect to 127.0.0.1:" + closed + " (connection refused)",
                refused.path("error").asText());

        JsonNode notFound = test(otherBase() + "/missing/v1");
        assertEquals("not_found", notFound.path("error_code").asText());
        assertEquals(
                "Custom answered HTTP 404 to the list-models call: check the base URL",
                notFound.path("error").asText());

        // An HTML page and a JSON document that is not a model list: the same sentence, only the status.
        JsonNode html = test(otherBase() + "/html/v1");
        JsonNode json = test(otherBase() + "/json/v1");
        assertEquals("bad_response", html.path("error_code").asText());
        assertEquals(html.path("error").asText(), json.path("error").asText());
        assertEquals(
                "Custom answered HTTP 200 to the list-models call, but not with a readable model list: check the"
                        + " base URL",
                html.path("error").asText());
    }

    private String provider(String vendor, String name, String key, int priority, String model) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", vendor);
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl(vendor));
        body.put("priority", priority);
        body.put("autoFallback", true);
        body.put("models", List.of(model));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        return r.json().path("provider").path("id").asText();
    }

    /**
     * The base URL an operator (or DNS) changed after it was saved: written straight into the database, then a change
     * through the API that does not touch the URL makes every node's routing read the provider again.
     */
    private void moveBehindThePolicy(String id, String newBaseUrl) {
        assertEquals(1, Db.update("update LLM_PROVIDER set BASE_URL = ? where ID = ?", newBaseUrl, id));
        Api.Reply r =
                Api.put(Api.admin(realm.getName(), "/providers/" + id), Api.masterAdminToken(), Map.of("priority", 91));
        assertEquals(200, r.status(), r.text());
    }

    @Test
    void aProviderRefusedAtConnectTimeIsSkippedLikeAnUnreachableOne() {
        Api.allowEveryModel(realm.getName());
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        String chat = Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions";
        String admin = Api.masterAdminToken();

        // 127.0.0.2, written as one number: refused by the suite's allow-list (127.0.0.1 alone).
        String refusedUrl = "http://2130706434:" + fakePort() + "/openai/v1";

        String model = "outbound-fallback-model";
        String primaryKey = "sk-test-outbound-primary";
        String primary = provider("openai", "Outbound primary", primaryKey, 90, model);
        String backup = provider("groq", "Outbound backup", "sk-test-outbound-backup", 10, model);
        moveBehindThePolicy(primary, refusedUrl);
        vendors.clear();

        Api.Reply r = Api.post(
                chat, token, Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "Hi"))));
        assertEquals(200, r.status(), r.text());
        assertEquals("Outbound backup", r.header("X-LLM-Provider"));
        assertEquals("2", r.header("X-LLM-Attempts"), "the refused provider counts as a failed attempt");
        assertTrue(
                vendors.requests().stream()
                        .noneMatch(q ->
                                q.authorization() != null && q.authorization().contains(primaryKey)),
                "nothing was sent with the refused provider's key");

        // Alone, it fails with a clear message (and no address or option for the end user).
        String aloneModel = "outbound-alone-model";
        String alone = provider("openai", "Outbound alone", "sk-test-outbound-alone", 50, aloneModel);
        moveBehindThePolicy(alone, refusedUrl);
        Api.Reply failed = Api.post(
                chat, token, Map.of("model", aloneModel, "messages", List.of(Map.of("role", "user", "content", "Hi"))));
        assertEquals(502, failed.status(), failed.text());
        String message = failed.json().path("error").path("message").asText();
        assertTrue(message.contains("Outbound alone/" + aloneModel + ": not allowed by the outbound policy"), message);
        assertFalse(message.contains("2130706434") || message.contains("127.0.0.2"), message);

        // The stored provider's own test says why, as "unreachable".
        Api.Reply tested = Api.post(Api.admin(realm.getName(), "/providers/" + alone + "/test"), admin, Map.of());
        assertFalse(tested.json().path("success").asBoolean(true), tested.text());
        assertEquals("unreachable", tested.json().path("error_code").asText());
        assertTrue(tested.json().path("error").asText().startsWith("Not connected: "), tested.text());
        assertTrue(tested.json().path("error").asText().contains("outbound policy"), tested.text());

        for (String id : List.of(primary, backup, alone)) {
            Api.delete(Api.admin(realm.getName(), "/providers/" + id), admin);
        }
    }
}
