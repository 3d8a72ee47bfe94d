package dev.llmgateway.keycloak.observe;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.SafeText;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.api.instrumenter.LocalRootSpan;
import org.keycloak.models.KeycloakSession;
import org.keycloak.tracing.TracingAttributes;
import org.keycloak.tracing.TracingProvider;

/**
 * Spans of gateway calls, when Keycloak's tracing is on ({@code tracing-enabled}): one span per call, child of the HTTP
 * server span of the request (which continues the caller's {@code traceparent}), and one client span per vendor attempt
 * under it, with OpenTelemetry's GenAI semantic-convention
 * attributes. The tracer is Keycloak's ({@link TracingProvider#getTracer}); spans are parented explicitly on the
 * captured context, never through the thread's current span, because attempts answer on the HTTP client's threads and
 * streams end on the relay's.
 *
 * <p>What a span holds: model ids, provider names and types, the vendor's host, token counts, finish reasons, the
 * vendor's completion id, statuses and the gateway's own outcome words. Never a prompt, a completion, a key, a token or
 * a user id (Keycloak's own request span carries what Keycloak decides about the user).
 *
 * <p>With tracing off (or no span around the request) {@link #call} returns {@link CallTrace#NONE}, whose methods do
 * nothing: the cost is one look-up of the current context per call.
 */
public final class GatewayTracing {

    /** The instrumentation scope our spans are reported under. */
    public static final String SCOPE = "dev.llmgateway.keycloak";

    // OpenTelemetry GenAI semantic conventions (incubating; names as of semconv 1.37, which Keycloak 26.7 ships).
    static final AttributeKey<String> OPERATION = stringKey("gen_ai.operation.name");
    /** The older name of {@link #PROVIDER}; both are set, as backends read one or the other. */
    static final AttributeKey<String> SYSTEM = stringKey("gen_ai.system");

    static final AttributeKey<String> PROVIDER = stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = stringKey("gen_ai.request.model");
    static final AttributeKey<Long> REQUEST_MAX_TOKENS = longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Double> REQUEST_TEMPERATURE = doubleKey("gen_ai.request.temperature");
    static final AttributeKey<Double> REQUEST_TOP_P = doubleKey("gen_ai.request.top_p");
    static final AttributeKey<String> RESPONSE_MODEL = stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = stringKey("gen_ai.response.id");
    static final AttributeKey<List<String>> FINISH_REASONS = stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> SERVER_ADDRESS = stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = longKey("server.port");
    static final AttributeKey<Long> HTTP_STATUS = longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");

    // Ours.
    static final AttributeKey<String> PROVIDER_NAME = stringKey("llm_gateway.provider");
    static final AttributeKey<Boolean> BYOK = booleanKey("llm_gateway.byok");
    static final AttributeKey<Boolean> FALLBACK = booleanKey("llm_gateway.fallback");
    static final AttributeKey<Long> ATTEMPT_NUMBER = longKey("llm_gateway.attempt.number");
    static final AttributeKey<String> ATTEMPT_OUTCOME = stringKey("llm_gateway.attempt.outcome");
    static final AttributeKey<Long> ATTEMPTS = longKey("llm_gateway.attempts");
    static final AttributeKey<Boolean> STREAM = booleanKey("llm_gateway.stream");
    static final AttributeKey<String> STREAM_RESULT = stringKey("llm_gateway.stream.result");
    static final AttributeKey<Boolean> USAGE_ESTIMATED = booleanKey("llm_gateway.usage.estimated");
    static final AttributeKey<Long> HTTP_STATUS_TO_CALLER = longKey("llm_gateway.status");
    /** Keycloak's own realm attribute, so one query finds Keycloak's spans and ours. */
    static final AttributeKey<String> REALM = TracingAttributes.REALM_NAME;

    public static final String CHAT = "chat";

    public static final String EMBEDDINGS = "embeddings";

    private GatewayTracing() {}

    /**
     * Opens the span of one gateway call, on the request's thread. Reads from the request body only
     * {@code max_tokens}/{@code max_completion_tokens}, {@code temperature} and {@code top_p}.
     */
    public static CallTrace call(
            KeycloakSession session, String realmName, String requestedModel, boolean stream, JsonNode body) {
        return call(session, realmName, CHAT, requestedModel, stream, body);
    }

    /** As {@link #call(KeycloakSession, String, String, boolean, JsonNode)}, for a GenAI {@code operation}. */
    public static CallTrace call(
            KeycloakSession session,
            String realmName,
            String operation,
            String requestedModel,
            boolean stream,
            JsonNode body) {
        Context current = Context.current();
        if (!Span.fromContext(current).getSpanContext().isValid()) {
            return CallTrace.NONE; // tracing is off: Keycloak opened no span for this request
        }
        // The parent is the HTTP server span (the request's local root), not the current span: Keycloak 26.7 opens a
        // span for the resource method and never ends it when the method returns a RestMulti, so a child of that span
        // would hang from a span no collector ever receives.
        Span root = LocalRootSpan.fromContextOrNull(current);
        Context parent = root != null ? current.with(root) : current;
        TracingProvider tracing = session.getProvider(TracingProvider.class);
        if (tracing == null) {
            return CallTrace.NONE;
        }
        Tracer tracer = tracing.getTracer(SCOPE);
        String model = shown(requestedModel);
        Span span = tracer.spanBuilder("llm-gateway " + operation + " " + model)
                .setParent(parent)
                .setSpanKind(SpanKind.INTERNAL)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(OPERATION, operation);
            span.setAttribute(REQUEST_MODEL, model);
            span.setAttribute(STREAM, stream);
            span.setAttribute(REALM, realmName);
            requestSettings(span, body);
        }
        return new CallTrace(tracer, parent.with(span), span, operation);
    }

    /** The sampling settings the caller gave, as GenAI request attributes (numbers only, never text). */
    static void requestSettings(Span span, JsonNode body) {
        if (body == null) {
            return;
        }
        JsonNode max =
                body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        if (max != null && max.isIntegralNumber()) {
            span.setAttribute(REQUEST_MAX_TOKENS, max.asLong());
        }
        JsonNode temperature = body.get("temperature");
        if (temperature != null && temperature.isNumber()) {
            span.setAttribute(REQUEST_TEMPERATURE, temperature.asDouble());
        }
        JsonNode topP = body.get("top_p");
        if (topP != null && topP.isNumber()) {
            span.setAttribute(REQUEST_TOP_P, topP.asDouble());
        }
    }

    /** A model id as the caller wrote it, unless it could be a pasted key (then a placeholder). */
    static String shown(String model) {
        return model != null && SafeText.quotable(model) ? model : "(not shown)";
    }
}
