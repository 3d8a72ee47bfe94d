package dev.llmgateway.keycloak.observe;

import static dev.llmgateway.keycloak.observe.GatewayTracing.ATTEMPTS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.ERROR_TYPE;
import static dev.llmgateway.keycloak.observe.GatewayTracing.HTTP_STATUS_TO_CALLER;
import static dev.llmgateway.keycloak.observe.GatewayTracing.INPUT_TOKENS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.OUTPUT_TOKENS;
import static dev.llmgateway.keycloak.observe.GatewayTracing.PROVIDER;
import static dev.llmgateway.keycloak.observe.GatewayTracing.PROVIDER_NAME;
import static dev.llmgateway.keycloak.observe.GatewayTracing.RESPONSE_MODEL;
import static dev.llmgateway.keycloak.observe.GatewayTracing.STREAM_RESULT;
import static dev.llmgateway.keycloak.observe.GatewayTracing.SYSTEM;
import static dev.llmgateway.keycloak.observe.GatewayTracing.USAGE_ESTIMATED;

import java.net.URI;
import java.util.function.Consumer;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Usage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * The span of one gateway call and the attempts under it. Its attempts come one after another (on whichever thread the
 * vendor's answer arrives); it ends once, when the caller's answer is decided (non-streamed) or the stream really ended
 * — the attempt that is streaming ends with it.
 */
public final class CallTrace {

    /** Tracing is off: nothing is recorded, nothing is allocated. */
    public static final CallTrace NONE = new CallTrace(null, null, null, GatewayTracing.CHAT);

    private final Tracer tracer;
    /** The GenAI operation: {@code chat} or {@code embeddings}. */
    private final String operation;

    private final Context context;
    private final Span span;
    private int attempts;
    /** The attempt whose answer is being streamed, ended with the call. */
    private AttemptTrace streaming;

    private boolean ended;
    /** The model the vendor said answered (non-streamed answers). */
    private volatile String responseModel;

    CallTrace(Tracer tracer, Context context, Span span, String operation) {
        this.tracer = tracer;
        this.operation = operation;
        this.context = context;
        this.span = span;
    }

    /**
     * Opens the span of an attempt at a vendor, about to be sent to {@code uri}; {@link AttemptTrace#propagate} then
     * puts its {@code traceparent} on the request.
     */
    public AttemptTrace attempt(String providerType, String providerName, String model, boolean byok, URI uri) {
        if (span == null) {
            return AttemptTrace.NONE;
        }
        int number;
        synchronized (this) {
            number = ++attempts;
        }
        return AttemptTrace.start(
                this, tracer, context, number, operation, providerType, providerName, model, byok, uri);
    }

    synchronized void streaming(AttemptTrace attempt) {
        streaming = attempt;
    }

    void responseModel(String model) {
        responseModel = model;
    }

    /**
     * The call is over: {@code status} is what the caller got, {@code chosen} the candidate that answered (null if
     * none), {@code usage} its tokens, {@code streamResult} how a stream ended (null when not streamed).
     */
    public void end(
            int status, Candidate chosen, Usage usage, boolean estimated, long attemptCount, String streamResult) {
        if (span == null || !endOnce(open -> open.streamEnded(usage, estimated, streamResult))) {
            return;
        }
        if (span.isRecording()) {
            span.setAttribute(HTTP_STATUS_TO_CALLER, status);
            span.setAttribute(ATTEMPTS, attemptCount);
            if (chosen != null) {
                span.setAttribute(PROVIDER, chosen.providerType());
                span.setAttribute(SYSTEM, chosen.providerType());
                span.setAttribute(PROVIDER_NAME, chosen.providerName());
                String model = responseModel;
                span.setAttribute(RESPONSE_MODEL, model != null ? model : chosen.modelId());
            }
            if (usage != null) {
                span.setAttribute(INPUT_TOKENS, usage.promptTokens());
                span.setAttribute(OUTPUT_TOKENS, usage.completionTokens());
                if (estimated) {
                    span.setAttribute(USAGE_ESTIMATED, true);
                }
            }
            if (streamResult != null) {
                span.setAttribute(STREAM_RESULT, streamResult);
            }
            if (status / 100 != 2) {
                span.setAttribute(ERROR_TYPE, Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            } else if ("error".equals(streamResult)) {
                span.setAttribute(ERROR_TYPE, "stream_error");
                span.setStatus(StatusCode.ERROR);
            }
        }
        span.end();
    }

    /** The call failed inside the gateway (a bug, not a vendor's answer): the span ends with the exception's type. */
    public void failed(Throwable error) {
        if (span == null
                || !endOnce(
                        open -> open.failed("gateway error", error.getClass().getName(), 0))) {
            return;
        }
        span.setAttribute(ERROR_TYPE, error.getClass().getName());
        span.setStatus(StatusCode.ERROR);
        span.end();
    }

    /** Ends the call once: false when it had ended already; the stream attempt still open is handed to {@code close}. */
    private boolean endOnce(Consumer<AttemptTrace> close) {
        AttemptTrace open;
        synchronized (this) {
            if (ended) {
                return false;
            }
            ended = true;
            open = streaming;
            streaming = null;
        }
        if (open != null) {
            close.accept(open);
        }
        return true;
    }
}
