package dev.llmgateway.keycloak.vendor;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.core.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.services.ErrorResponseException;

/** Errors in OpenAI's shape, {@code {"error":{"message","type","param","code"}}}, so OpenAI SDKs surface them. */
public final class OpenAiErrors {

    private static final ObjectMapper JSON = Json.MAPPER;

    private OpenAiErrors() {}

    public static ErrorResponseException error(int status, String type, String code, String param, String message) {
        return new ErrorResponseException(response(status, type, code, param, message));
    }

    public static Response response(int status, String type, String code, String param, String message) {
        // Written here, not by the server's JSON provider, which leaves out null fields: OpenAI always sends param and
        // code.
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body(type, code, param, message))
                .build();
    }

    private static Map<String, Object> shape(String type, String code, String param, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }

    /** The error as JSON text, for bodies written outside JAX-RS serialisation. */
    public static String body(String type, String code, String param, String message) {
        try {
            return JSON.writeValueAsString(shape(type, code, param, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ErrorResponseException invalidRequest(String param, String message) {
        return error(400, "invalid_request_error", null, param, message);
    }

    /** A 401 with the Bearer challenge RFC 6750 asks for, so clients know which credentials to send. */
    public static ErrorResponseException unauthenticated() {
        Response r = response(
                401,
                "invalid_request_error",
                "invalid_api_key",
                null,
                "Missing, invalid or expired access token: send 'Authorization: Bearer <Keycloak access token>'");
        return new ErrorResponseException(
                Response.fromResponse(r).header("WWW-Authenticate", "Bearer").build());
    }
}
