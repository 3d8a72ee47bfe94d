package dev.llmgateway.keycloak.setup;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The documented JSON 413 for a body announced (by {@code Content-Length}) as larger than Keycloak's HTTP limit
 * ({@code quarkus.http.limits.max-body-size}, 10 MiB unless changed), on the extension's own paths. Without it Keycloak's
 * HTTP layer ends such a request with an empty 413 before any JAX-RS code runs. The route runs just before that limit
 * (Quarkus's order -2); bodies within the limit, and chunked bodies, go on to the endpoints, which read no further
 * than their own caps and answer the same JSON. The unread body is drained (discarded as it arrives) before the
 * connection closes, so the client reads the answer instead of a reset connection.
 */
@ApplicationScoped
public class OversizeBodyRoute {

    /** One before Quarkus's {@code RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT} (-2). */
    static final int ORDER = -3;

    /** How long an unread oversized body is drained before the connection is closed anyway. */
    static final long DRAIN_MILLIS = 10_000;

    private static final Pattern GATEWAY = Pattern.compile(".*/realms/[^/]+/llm/(v1|anthropic)/.*");
    private static final Pattern OURS = Pattern.compile(".*/realms/[^/]+/llm(/.*)?");

    /** Parsed Quarkus memory size ({@code 10240K}, {@code 10M}, a byte count). */
    static long memorySize(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        char last = v.charAt(v.length() - 1);
        if (Character.isLetter(last)) {
            unit = switch (last) {
                case 'K' -> 1024L;
                case 'M' -> 1024L * 1024;
                case 'G' -> 1024L * 1024 * 1024;
                case 'T' -> 1024L * 1024 * 1024 * 1024;
                default -> throw new IllegalArgumentException("not a memory size: " + value);
            };
            v = v.substring(0, v.length() - 1);
        }
        return Long.parseLong(v) * unit;
    }

    void register(@Observes Router router) {
        long limit = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.limits.max-body-size", String.class)
                .map(OversizeBodyRoute::memorySize)
                .orElse(10_240L * 1024);
        router.route().order(ORDER).handler(ctx -> refuseIfOversized(ctx, limit));
    }

    static void refuseIfOversized(RoutingContext ctx, long limit) {
        HttpServerRequest request = ctx.request();
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        String path = request.path();
        if (length == null || path == null) {
            ctx.next();
            return;
        }
        long announced;
        try {
            announced = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            ctx.next(); // Keycloak's HTTP layer answers a malformed header
            return;
        }
        // Every request of the server passes here: the path is matched only for the rare oversized one.
        if (announced <= limit || !OURS.matcher(path).matches()) {
            ctx.next();
            return;
        }
        String body = GATEWAY.matcher(path).matches()
                ? OpenAiErrors.body(
                        "invalid_request_error",
                        "request_too_large",
                        null,
                        "Request body is larger than " + limit + " bytes")
                : adminError("request body is larger than " + limit + " bytes");
        // Drain: read and drop what the client still sends, for at most DRAIN_MILLIS. HTTP/1.1 then closes the
        // connection (its rest of the body would be read as the next request); HTTP/2 ends just this stream, as the
        // connection carries other requests.
        boolean http2 = request.version() == HttpVersion.HTTP_2;
        request.handler(chunk -> {});
        if (!http2) {
            request.endHandler(end -> request.connection().close());
        }
        ctx.vertx().setTimer(DRAIN_MILLIS, t -> {
            if (!request.isEnded()) {
                ctx.response().reset();
            }
        });
        request.resume();
        var response = ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (!http2) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(body);
    }

    private static String adminError(String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("success", false);
        error.put("error", message);
        try {
            return Json.MAPPER.writeValueAsString(error);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
