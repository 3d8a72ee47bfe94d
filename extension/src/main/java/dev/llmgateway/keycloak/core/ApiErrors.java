package dev.llmgateway.keycloak.core;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.services.ErrorResponseException;

/**
 * Errors of the admin and account APIs: {@code {"success":false,"error":"<sentence>","field":"<name>"}} with a 4xx
 * status. The error text never contains request bodies or secrets.
 */
public final class ApiErrors {

    private ApiErrors() {}

    public static ErrorResponseException badRequest(String field, String message) {
        return error(Response.Status.BAD_REQUEST, field, message);
    }

    public static ErrorResponseException notFound(String message) {
        return error(Response.Status.NOT_FOUND, null, message);
    }

    public static ErrorResponseException conflict(String field, String message) {
        return error(Response.Status.CONFLICT, field, message);
    }

    /**
     * A field the endpoint does not take: named (and in {@code field}) only when the name cannot be a pasted secret.
     * {@code prefix} is where it was ({@code "retry."}, or empty).
     */
    public static ErrorResponseException unknownField(String prefix, String name, String accepted) {
        String safe = SafeText.fieldName(name);
        String path =
                safe == null ? (prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 1)) : prefix + safe;
        String what = safe == null
                ? SafeText.describeField(name) + (prefix.isEmpty() ? "" : " in " + path)
                : SafeText.describeField(path);
        return badRequest(path, "unknown " + what + "; accepted fields: " + accepted);
    }

    public static ErrorResponseException error(Response.Status status, String field, String message) {
        return new ErrorResponseException(response(status.getStatusCode(), field, message));
    }

    public static Response response(int status, String field, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }
}
