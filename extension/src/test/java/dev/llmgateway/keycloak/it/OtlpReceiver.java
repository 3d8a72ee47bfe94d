package dev.llmgateway.keycloak.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

/**
 * An OTLP trace receiver on loopback (http/protobuf: {@code POST /v1/traces}), the collector the suite's server exports
 * its spans to ({@code tracing-endpoint} in {@link LlmServerConfig}). It lives as long as the test JVM, answers every
 * export at once with success, and keeps only the spans of the traces a test said it is watching, so the rest of the
 * suite's spans cost nothing but their decoding.
 */
public final class OtlpReceiver {

    /** One exported span, as the tests read it: ids in lower-case hex, attribute values as text. */
    public record ReceivedSpan(
            String scope,
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            String kind,
            String status,
            Map<String, String> attributes,
            List<String> events) {

        public String attribute(String key) {
            return attributes.get(key);
        }
    }

    private static OtlpReceiver instance;

    private final HttpServer server;
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final AtomicLong exports = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    private OtlpReceiver() throws IOException {
        // A fixed port (-Dllm.it.otlp-port) only for a server reused across runs (KC_TEST_SERVER_REUSE): it keeps
        // exporting to the port it was started with.
        int port = Integer.getInteger("llm.it.otlp-port", 0);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "otlp-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/traces", this::handle);
        server.start();
    }

    public static synchronized OtlpReceiver get() {
        if (instance == null) {
            try {
                instance = new OtlpReceiver();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** The value of Keycloak's {@code tracing-endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, spans of this trace (32 hex digits) are kept. */
    public void watch(String traceId) {
        watched.add(traceId);
    }

    /** The kept spans of one trace, in the order they arrived. */
    public List<ReceivedSpan> spans(String traceId) {
        List<ReceivedSpan> out = new ArrayList<>();
        for (ReceivedSpan s : spans) {
            if (s.traceId().equals(traceId)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Export requests and spans received so far (all traces). */
    public long exports() {
        return exports.get();
    }

    public long spansReceived() {
        return received.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(ex.getRequestBody())
                    : ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            exports.incrementAndGet();
            for (ResourceSpans rs : request.getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                        received.incrementAndGet();
                        String traceId = hex(s.getTraceId().toByteArray());
                        if (watched.contains(traceId)) {
                            spans.add(toSpan(ss.getScope().getName(), traceId, s));
                        }
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                ex.getResponseBody().write(answer);
            }
        }
    }

    private static ReceivedSpan toSpan(String scope, String traceId, io.opentelemetry.proto.trace.v1.Span s) {
        Map<String, String> attributes = new ConcurrentHashMap<>();
        for (KeyValue kv : s.getAttributesList()) {
            attributes.put(kv.getKey(), text(kv.getValue()));
        }
        List<String> events = new ArrayList<>();
        for (io.opentelemetry.proto.trace.v1.Span.Event e : s.getEventsList()) {
            StringBuilder b = new StringBuilder(e.getName());
            for (KeyValue kv : e.getAttributesList()) {
                b.append(' ').append(kv.getKey()).append('=').append(text(kv.getValue()));
            }
            events.add(b.toString());
        }
        return new ReceivedSpan(
                scope,
                traceId,
                hex(s.getSpanId().toByteArray()),
                hex(s.getParentSpanId().toByteArray()),
                s.getName(),
                s.getKind().name(),
                s.getStatus().getCode().name()
                        + (s.getStatus().getMessage().isEmpty()
                                ? ""
                                : ": " + s.getStatus().getMessage()),
                Map.copyOf(attributes),
                List.copyOf(events));
    }

    /** An attribute value as text; arrays as their items joined by commas. */
    static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case ARRAY_VALUE ->
                String.join(
                        ",",
                        v.getArrayValue().getValuesList().stream()
                                .map(OtlpReceiver::text)
                                .toList());
            case BYTES_VALUE -> HexFormat.of().formatHex(v.getBytesValue().toByteArray());
            case KVLIST_VALUE -> v.getKvlistValue().toString();
            default -> "";
        };
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
