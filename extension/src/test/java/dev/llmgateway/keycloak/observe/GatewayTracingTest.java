package dev.llmgateway.keycloak.observe;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URI;
import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

/** With tracing off the gateway's tracing does nothing: no span, no header, no new objects per call. */
class GatewayTracingTest {

    @Test
    void withoutASpanAroundTheRequestNothingIsTraced() {
        // No Keycloak session is needed (nor touched): without a current span the call is not traced.
        CallTrace call = GatewayTracing.call(null, "realm", "gpt-4o-mini", false, null);
        assertSame(CallTrace.NONE, call);
        AttemptTrace attempt =
                call.attempt("openai", "OpenAI", "gpt-4o-mini", false, URI.create("https://api.openai.com/v1"));
        assertSame(AttemptTrace.NONE, attempt);
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://api.openai.com/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        assertSame(request, attempt.propagate(request), "the request goes out as it is, without a traceparent");
        attempt.failed("HTTP 503", "503", 503);
        attempt.answered(null, null);
        call.end(200, null, null, false, 1, null);
        call.failed(new IllegalStateException());
    }

    @Test
    void aModelIdThatLooksLikeAKeyIsNotShown() {
        assertSame("gpt-4o-mini", GatewayTracing.shown("gpt-4o-mini"));
        assertSame("(not shown)", GatewayTracing.shown("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"));
        assertSame("(not shown)", GatewayTracing.shown(null));
    }
}
