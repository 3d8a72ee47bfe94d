package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.it.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Traces, as an operator with Keycloak's tracing on sees them in their collector (here {@link OtlpReceiver}, which the
 * suite's server exports to): a caller's trace continues through the gateway call's span, one client span per vendor
 * attempt with OpenTelemetry's GenAI attributes and the fallback reason, the vendor receives a {@code traceparent}
 * under the attempt's span, and no span holds the prompt, the completion, a key or the access token.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class TracingIT {

    /** Spans are exported in batches (every few seconds): how long to wait for a trace to be complete. */
    private static final Duration EXPORT_WAIT = Duration.ofSeconds(30);

    private static final String SCOPE = "dev.llmgateway.keycloak";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();
    private final OtlpReceiver receiver = OtlpReceiver.get();

    @BeforeEach
    void everyModelReachable() {
        Api.allowEveryModel(realm.getName());
    }

    @Test
    void aCallWithAFallbackIsOneSpanWithAChildPerAttemptInTheCallersTrace() throws Exception {
        String model = "trace-fallback-model";
        String failingKey = "sk-test-trace-fail503-primary-Qx71";
        String backupKey = "sk-test-trace-backup-Lm38";
        provider("openai", "Trace primary", failingKey, 90, model);
        provider("groq", "Trace backup", backupKey, 10, model);
        vendors.script("trace-backup", new VendorUsage(321, 54, 0, 0, 0, 0, null, null));
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        String prompt = "Tracing prompt " + hex(8) + ": what is the capital of Burkina Faso?";
        Caller caller = new Caller();
        receiver.watch(caller.traceId);

        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("messages", List.of(Map.of("role", "user", "content", prompt)));
        body.put("max_tokens", 77);
        body.put("temperature", 0.25);
        HttpResponse<String> r = post(token, caller, body);
        assertEquals(200, r.statusCode(), r.body());
        String completion =
                JSON.readTree(r.body()).at("/choices/0/message/content").asText();
        assertEquals("Hello from groq.", completion);

        List<ReceivedSpan> trace = awaitTrace(caller, 2);
        ReceivedSpan call = gatewaySpan(trace);
        assertEquals(caller.traceId, call.traceId(), "the gateway's span is in the caller's trace");
        assertReachesCaller(trace, call, caller.spanId);
        assertEquals("chat", call.attribute("gen_ai.operation.name"));
        assertEquals(model, call.attribute("gen_ai.request.model"));
        assertEquals(model, call.attribute("gen_ai.response.model"));
        assertEquals("groq", call.attribute("gen_ai.provider.name"));
        assertEquals("321", call.attribute("gen_ai.usage.input_tokens"));
        assertEquals("54", call.attribute("gen_ai.usage.output_tokens"));
        assertEquals("77", call.attribute("gen_ai.request.max_tokens"));
        assertEquals("0.25", call.attribute("gen_ai.request.temperature"));
        assertEquals(realm.getName(), call.attribute("kc.realmName"));
        assertEquals("2", call.attribute("llm_gateway.attempts"));
        assertEquals("200", call.attribute("llm_gateway.status"));
        assertEquals("false", call.attribute("llm_gateway.stream"));
        assertTrue(call.status().startsWith("STATUS_CODE_UNSET"), call.status());

        List<ReceivedSpan> attempts = children(trace, call);
        assertEquals(2, attempts.size(), "one span per attempt: " + attempts);
        ReceivedSpan first = attempts.stream()
                .filter(s -> "1".equals(s.attribute("llm_gateway.attempt.number")))
                .findFirst()
                .orElseThrow();
        ReceivedSpan second = attempts.stream()
                .filter(s -> "2".equals(s.attribute("llm_gateway.attempt.number")))
                .findFirst()
                .orElseThrow();

        assertEquals("chat " + model, first.name());
        assertEquals("SPAN_KIND_CLIENT", first.kind());
        assertEquals("chat", first.attribute("gen_ai.operation.name"));
        assertEquals("openai", first.attribute("gen_ai.provider.name"));
        assertEquals("openai", first.attribute("gen_ai.system"));
        assertEquals(model, first.attribute("gen_ai.request.model"));
        assertEquals("Trace primary", first.attribute("llm_gateway.provider"));
        assertEquals("HTTP 503", first.attribute("llm_gateway.attempt.outcome"), "the reason for falling back");
        assertEquals("503", first.attribute("error.type"));
        assertEquals("503", first.attribute("http.response.status_code"));
        assertEquals("false", first.attribute("llm_gateway.fallback"));
        assertEquals("false", first.attribute("llm_gateway.byok"));
        assertEquals("127.0.0.1", first.attribute("server.address"));
        assertTrue(first.status().startsWith("STATUS_CODE_ERROR"), first.status());
        assertEquals(null, first.attribute("gen_ai.usage.input_tokens"), "a refused attempt used no tokens");

        assertEquals("groq", second.attribute("gen_ai.provider.name"));
        assertEquals("groq", second.attribute("gen_ai.system"));
        assertEquals(model, second.attribute("gen_ai.request.model"));
        assertEquals(model, second.attribute("gen_ai.response.model"));
        assertEquals("321", second.attribute("gen_ai.usage.input_tokens"));
        assertEquals("54", second.attribute("gen_ai.usage.output_tokens"));
        assertEquals("stop", second.attribute("gen_ai.response.finish_reasons"));
        assertEquals("ok", second.attribute("llm_gateway.attempt.outcome"));
        assertEquals("true", second.attribute("llm_gateway.fallback"));
        assertEquals("Trace backup", second.attribute("llm_gateway.provider"));
        assertEquals(null, second.attribute("error.type"));

        // Each vendor was called under its own attempt's span, in the caller's trace.
        assertEquals(traceparent(caller.traceId, first.spanId()), vendorTraceparent(failingKey));
        assertEquals(traceparent(caller.traceId, second.spanId()), vendorTraceparent(backupKey));

        assertNoContent(trace, List.of(prompt, completion, failingKey, backupKey, token));
    }

    @Test
    void aStreamedCallsSpansEndWithTheStreamAndCarryItsUsage() throws Exception {
        String model = "trace-stream-model";
        String key = "sk-test-trace-stream-Vb94";
        provider("openai", "Trace stream", key, 50, model);
        vendors.script("trace-stream", new VendorUsage(411, 23, 0, 0, 0, 0, null, null));
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        String prompt = "Streamed tracing prompt " + hex(8) + ": name three rivers of Ghana.";
        Caller caller = new Caller();
        receiver.watch(caller.traceId);

        Map<String, Object> body = new HashMap<>();
        body.put("model", model);
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        body.put("messages", List.of(Map.of("role", "user", "content", prompt)));
        HttpResponse<String> r = post(token, caller, body);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().trim().endsWith("data: [DONE]"), r.body());
        StringBuilder text = new StringBuilder();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {")) {
                text.append(JSON.readTree(line.substring(6))
                        .at("/choices/0/delta/content")
                        .asText(""));
            }
        }
        String completion = text.toString();
        assertEquals("Hello from openai.", completion);

        List<ReceivedSpan> trace = awaitTrace(caller, 1);
        ReceivedSpan call = gatewaySpan(trace);
        assertReachesCaller(trace, call, caller.spanId);
        assertEquals("true", call.attribute("llm_gateway.stream"));
        assertEquals("ok", call.attribute("llm_gateway.stream.result"), "the span ended when the stream did");
        assertEquals("411", call.attribute("gen_ai.usage.input_tokens"));
        assertEquals("23", call.attribute("gen_ai.usage.output_tokens"));
        assertEquals("openai", call.attribute("gen_ai.provider.name"));
        assertEquals("1", call.attribute("llm_gateway.attempts"));

        List<ReceivedSpan> attempts = children(trace, call);
        assertEquals(1, attempts.size(), attempts.toString());
        ReceivedSpan attempt = attempts.get(0);
        assertEquals("chat " + model, attempt.name());
        assertEquals("openai", attempt.attribute("gen_ai.provider.name"));
        assertEquals("411", attempt.attribute("gen_ai.usage.input_tokens"));
        assertEquals("23", attempt.attribute("gen_ai.usage.output_tokens"));
        assertEquals("ok", attempt.attribute("llm_gateway.stream.result"));
        assertEquals("200", attempt.attribute("http.response.status_code"));
        assertEquals("false", attempt.attribute("llm_gateway.fallback"));
        assertEquals(traceparent(caller.traceId, attempt.spanId()), vendorTraceparent(key));

        assertNoContent(trace, List.of(prompt, completion, key, token));
    }

    @Test
    void anEmbeddingsCallIsTheGenAiOperationEmbeddings() throws Exception {
        String model = "trace-embed-model";
        String key = "sk-test-trace-embed-Rt52";
        provider("openai", "Trace embeddings", key, 50, model);
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        Caller caller = new Caller();
        receiver.watch(caller.traceId);

        HttpResponse<String> r = post(
                token,
                caller,
                "embeddings",
                Map.of("model", model, "input", "Tracing embeddings " + hex(8), "encoding_format", "float"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("list", JSON.readTree(r.body()).path("object").asText(), r.body());

        List<ReceivedSpan> trace = awaitTrace(caller, 1);
        ReceivedSpan call = gatewaySpan(trace);
        assertEquals("llm-gateway embeddings " + model, call.name());
        assertEquals("embeddings", call.attribute("gen_ai.operation.name"));
        assertEquals("openai", call.attribute("gen_ai.provider.name"));
        List<ReceivedSpan> attempts = children(trace, call);
        assertEquals(1, attempts.size(), attempts.toString());
        assertEquals("embeddings " + model, attempts.get(0).name());
        assertEquals("embeddings", attempts.get(0).attribute("gen_ai.operation.name"));
    }

    /** The caller's own trace context: a trace id and the id of the span that makes the call (sampled). */
    private static final class Caller {
        final String traceId = hex(16);
        final String spanId = hex(8);
    }

    private static String traceparent(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private HttpResponse<String> post(String token, Caller caller, Map<String, Object> body)
            throws IOException, InterruptedException {
        return post(token, caller, "chat/completions", body);
    }

    private HttpResponse<String> post(String token, Caller caller, String path, Map<String, Object> body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(Api.BASE + "/realms/" + realm.getName() + "/llm/v1/" + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("traceparent", traceparent(caller.traceId, caller.spanId))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void provider(String vendor, String name, String key, int priority, String model) {
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
    }

    /** The traceparent header of the chat request that reached the vendor with this key. */
    private String vendorTraceparent(String key) {
        List<FakeVendors.Recorded> chats = vendors.requests().stream()
                .filter(r -> r.path().endsWith("/chat/completions"))
                .filter(r -> r.authorization() != null && r.authorization().contains(key))
                .toList();
        assertEquals(1, chats.size(), "one chat request with " + key);
        assertNotNull(chats.get(0).traceparent(), "the vendor received a traceparent");
        return chats.get(0).traceparent();
    }

    /**
     * The caller's trace once it holds the gateway's span, its {@code attempts} children, and every span between it and
     * the caller's span (Keycloak's spans of the request end after ours and may come in a later export).
     */
    private List<ReceivedSpan> awaitTrace(Caller caller, int attempts) throws InterruptedException {
        long deadline = System.nanoTime() + EXPORT_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<ReceivedSpan> spans = receiver.spans(caller.traceId);
            ReceivedSpan call = gatewaySpanOrNull(spans);
            if (call != null
                    && children(spans, call).size() >= attempts
                    && chainToCaller(spans, call, caller.spanId).endsWith(CALLER)) {
                return spans;
            }
            Thread.sleep(200);
        }
        StringBuilder seen = new StringBuilder();
        for (ReceivedSpan s : receiver.spans(caller.traceId)) {
            seen.append("\n  ")
                    .append(s.name())
                    .append(" id=")
                    .append(s.spanId())
                    .append(" parent=")
                    .append(s.parentSpanId())
                    .append(' ')
                    .append(s.scope());
        }
        return fail("no complete trace " + caller.traceId + " within " + EXPORT_WAIT + " (" + receiver.exports()
                + " exports, " + receiver.spansReceived() + " spans received; caller span " + caller.spanId + "):"
                + seen);
    }

    private static ReceivedSpan gatewaySpanOrNull(List<ReceivedSpan> spans) {
        return spans.stream()
                .filter(s -> s.scope().equals(SCOPE) && s.name().startsWith("llm-gateway "))
                .findFirst()
                .orElse(null);
    }

    private static ReceivedSpan gatewaySpan(List<ReceivedSpan> spans) {
        ReceivedSpan s = gatewaySpanOrNull(spans);
        assertNotNull(s, "the gateway call's span: " + spans);
        return s;
    }

    private static List<ReceivedSpan> children(List<ReceivedSpan> spans, ReceivedSpan parent) {
        return spans.stream()
                .filter(s -> s.parentSpanId().equals(parent.spanId()))
                .toList();
    }

    private static final String CALLER = " <- the caller's span";

    /** Parent by parent, the span's ancestors in the exported trace lead to the caller's span. */
    private static void assertReachesCaller(List<ReceivedSpan> trace, ReceivedSpan span, String callerSpanId) {
        String chain = chainToCaller(trace, span, callerSpanId);
        assertTrue(chain.endsWith(CALLER), "the span's ancestors lead to the caller's span: " + chain);
    }

    /** The names of the span's ancestors, ending in {@link #CALLER} when they reach the caller's span. */
    private static String chainToCaller(List<ReceivedSpan> trace, ReceivedSpan span, String callerSpanId) {
        StringBuilder chain = new StringBuilder(span.name());
        ReceivedSpan current = span;
        for (int depth = 0; depth < 10; depth++) {
            String parent = current.parentSpanId();
            if (parent.equals(callerSpanId)) {
                return chain.append(CALLER).toString();
            }
            current = trace.stream()
                    .filter(s -> s.spanId().equals(parent))
                    .findFirst()
                    .orElse(null);
            if (current == null) {
                return chain.append(" <- (")
                        .append(parent)
                        .append(" not exported)")
                        .toString();
            }
            chain.append(" <- ").append(current.name());
        }
        return chain.toString();
    }

    /** No attribute, event, name or status of any span in the trace (Keycloak's included) holds any of these. */
    private static void assertNoContent(List<ReceivedSpan> trace, List<String> secrets) {
        for (ReceivedSpan s : trace) {
            String all = s.name() + "\n" + s.status() + "\n" + s.attributes() + "\n" + s.events();
            for (String secret : secrets) {
                assertFalse(all.contains(secret), "span " + s.name() + " holds '" + abbreviate(secret) + "'");
            }
        }
        assertTrue(trace.size() >= 3, "Keycloak's spans and ours were searched: " + trace.size());
    }

    private static String abbreviate(String s) {
        return s.length() <= 12 ? s : s.substring(0, 12) + "…";
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
