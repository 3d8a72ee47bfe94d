package dev.llmgateway.keycloak.vendor;

/**
 * A request a vendor's wire format cannot express (Anthropic: {@code n} over 1, log probabilities, a temperature over
 * 1). The gateway skips that provider for the call and, when no other can serve it, answers 400 naming {@code param}:
 * clearly, before any vendor call, instead of silently dropping what was asked.
 */
public final class UnsupportedRequestException extends RuntimeException {

    private final String param;

    public UnsupportedRequestException(String param, String message) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
