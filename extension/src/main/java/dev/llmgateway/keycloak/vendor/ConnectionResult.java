package dev.llmgateway.keycloak.vendor;

import java.util.List;

/**
 * What a list-models call to a vendor showed. On failure, {@code error} is a sentence for an admin or user and never
 * contains the key or the vendor's answer body (vendors echo parts of keys in their 401 messages).
 */
public record ConnectionResult(
        boolean success, long latencyMs, List<ListedModel> models, ErrorKind errorKind, String error) {

    public enum ErrorKind {
        INVALID_KEY,
        RATE_LIMITED,
        TIMEOUT,
        UNREACHABLE,
        NOT_FOUND,
        UPSTREAM_ERROR,
        BAD_RESPONSE
    }

    static ConnectionResult ok(long latencyMs, List<ListedModel> models) {
        return new ConnectionResult(true, latencyMs, List.copyOf(models), null, null);
    }

    static ConnectionResult failed(long latencyMs, ErrorKind kind, String error) {
        return new ConnectionResult(false, latencyMs, List.of(), kind, error);
    }

    public String errorCode() {
        return errorKind == null ? null : errorKind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
