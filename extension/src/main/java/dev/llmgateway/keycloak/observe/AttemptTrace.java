package dev.llmgateway.keycloak.observe;

import static dev.llmgateway.keycloak.observe.GatewayTracing.ATTEMPT_NUMBER;
import static dev.llmgateway.keycloak.observe.GatewayTracing.ATTEMPT_OUTCOME;
import static dev.llmgateway.keycloak.observe.GatewayTracing.BYOK;
import static dev.llmgateway.keycloak.observe.GatewayTracing.ERROR_TYPE;
import static dev.llmgateway.keycloak.observe.GatewayTracing.FALLBACK;
import static dev.llmgateway.keycloak.observe.GatewayTracing.FINISH_REASONS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.HTTP_STATUS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.INPUT_TOKENS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.OPERATION;
import static dev.llmgateway.keycloak.observe.GatewayTracing.OUTPUT_TOKENS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.PROVIDER;
import static dev.llmgateway.keycloak.observe.GatewayTracing.PROVIDER_NAME;
import static dev.llmgateway.keycloak.observe.GatewayTracing.REQUEST_MODEL;
import static dev.llmgateway.keycloak.observe.GatewayTracing.RESPONSE_ID;
import static dev.llmgateway.keycloak.observe.GatewayTracing.RESPONSE_MODEL;
import static dev.llmgateway.keycloak.observe.GatewayTracing.SERVER_ADDRESS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.SERVER_PORT;
import static dev.llmgateway.keycloak.observe.GatewayTracing.STREAM_RESULT;
import static dev.llmgateway.keycloak.observe.GatewayTracing.SYSTEM;
import static dev.llmgateway.keycloak.observe.GatewayTracing.USAGE_ESTIMATED;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.Usage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * The client span of one attempt at a vendor (GenAI semantic conventions: {@code chat {model}}, kind CLIENT). It ends
 * when the vendor's answer is in (non-streamed, or any failure) or, for an answer being streamed, with its call.
 */
public final class AttemptTrace {

    /** Tracing is off: nothing is recorded, the request goes out as it is. */
    public static final AttemptTrace NONE = new AttemptTrace(null, null, null);

    private static final TextMapSetter<HttpRequest.Builder> HEADERS = (builder, name, value) -> {
        if (builder != null) {
            builder.setHeader(name, value);
        }
    };

    private final CallTrace call;
    private final Span span;
    private final Context context;

    private AttemptTrace(CallTrace call, Span span, Context context) {
        this.call = call;
        this.span = span;
        this.context = context;
    }

    static AttemptTrace start(
            CallTrace call,
            Tracer tracer,
            Context parent,
            int number,
            String operation,
            String providerType,
            String providerName,
            String model,
            boolean byok,
            URI uri) {
        Span span = tracer.spanBuilder(operation + " " + model)
                .setParent(parent)
                .setSpanKind(SpanKind.CLIENT)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(OPERATION, operation);
            span.setAttribute(PROVIDER, providerType);
            span.setAttribute(SYSTEM, providerType);
            span.setAttribute(REQUEST_MODEL, model);
            span.setAttribute(PROVIDER_NAME, providerName);
            span.setAttribute(BYOK, byok);
            span.setAttribute(ATTEMPT_NUMBER, number);
            span.setAttribute(FALLBACK, number > 1);
            if (uri != null && uri.getHost() != null) {
                span.setAttribute(SERVER_ADDRESS, uri.getHost());
                int port = uri.getPort() >= 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
                span.setAttribute(SERVER_PORT, port);
            }
        }
        return new AttemptTrace(call, span, parent.with(span));
    }

    /**
     * The request with this attempt's W3C {@code traceparent} (and {@code tracestate}), so that a vendor that traces
     * continues the trace under this span; the request itself when tracing is off. Only the W3C trace context goes out
     * (not the configured propagators): the caller's baggage is not passed on to vendors.
     */
    public HttpRequest propagate(HttpRequest request) {
        if (span == null) {
            return request;
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true);
        W3CTraceContextPropagator.getInstance().inject(context, builder, HEADERS);
        return builder.build();
    }

    /**
     * The vendor did not serve the attempt: {@code outcome} is the gateway's word for it (as the caller's
     * {@code X-LLM-Attempts} details and the usage record say it, e.g. {@code HTTP 503}), {@code errorType} a status
     * code or an exception's class name; {@code status} the vendor's HTTP status, 0 when none came.
     */
    public void failed(String outcome, String errorType, int status) {
        if (span == null) {
            return;
        }
        if (span.isRecording()) {
            span.setAttribute(ATTEMPT_OUTCOME, outcome);
            span.setAttribute(ERROR_TYPE, errorType);
            if (status > 0) {
                span.setAttribute(HTTP_STATUS, status);
            }
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }

    /** A whole answer came, in OpenAI's shape: its model, id and finish reasons (never its text), and its usage. */
    public void answered(JsonNode response, Usage usage) {
        if (span == null) {
            return;
        }
        if (span.isRecording()) {
            span.setAttribute(ATTEMPT_OUTCOME, "ok");
            span.setAttribute(HTTP_STATUS, 200);
            call.responseModel(responseFacts(span, response));
            if (usage != null) {
                span.setAttribute(INPUT_TOKENS, usage.promptTokens());
                span.setAttribute(OUTPUT_TOKENS, usage.completionTokens());
            }
        }
        span.end();
    }

    /** The vendor answered 2xx and is streaming: the span stays open until the call ends. */
    public void streaming(int status) {
        if (span == null) {
            return;
        }
        span.setAttribute(HTTP_STATUS, status);
        call.streaming(this);
    }

    void streamEnded(Usage usage, boolean estimated, String result) {
        if (span.isRecording()) {
            span.setAttribute(ATTEMPT_OUTCOME, "ok");
            if (result != null) {
                span.setAttribute(STREAM_RESULT, result);
            }
            if (usage != null) {
                span.setAttribute(INPUT_TOKENS, usage.promptTokens());
                span.setAttribute(OUTPUT_TOKENS, usage.completionTokens());
                if (estimated) {
                    span.setAttribute(USAGE_ESTIMATED, true);
                }
            }
            if ("error".equals(result)) {
                span.setAttribute(ERROR_TYPE, "stream_error");
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }

    /**
     * The vendor's model, completion id and finish reasons from an answer in OpenAI's shape; returns the model (null
     * when it gave none fit to show).
     */
    static String responseFacts(Span span, JsonNode response) {
        if (response == null) {
            return null;
        }
        String model = response.path("model").asText(null);
        if (model != null && SafeText.quotable(model)) {
            span.setAttribute(RESPONSE_MODEL, model);
        } else {
            model = null;
        }
        // The vendor's own completion id (chatcmpl-…): not a secret, though long and mixed like one.
        String id = response.path("id").asText(null);
        if (id != null && id.length() <= 100 && SafeText.firstForbidden(id) < 0) {
            span.setAttribute(RESPONSE_ID, id);
        }
        List<String> reasons = new ArrayList<>();
        for (JsonNode choice : response.path("choices")) {
            String reason = choice.path("finish_reason").asText(null);
            if (reason != null && SafeText.quotable(reason)) {
                reasons.add(reason);
            }
        }
        if (!reasons.isEmpty()) {
            span.setAttribute(FINISH_REASONS, reasons);
        }
        return model;
    }
}
