package dev.llmgateway.keycloak.observe;

/** Why a call left a provider for the next one: the {@code reason} label of {@link Metric#FALLBACKS}. */
public enum FallbackReason {
    TIMEOUT("timeout"),
    CONNECTION("connection"),
    RATE_LIMITED("rate_limited"),
    SERVER_ERROR("server_error"),
    /** 401, 403, 404, 408: the provider's key, model or endpoint is wrong. */
    PROVIDER_REFUSED("provider_refused"),
    BAD_ANSWER("bad_answer"),
    UNUSABLE_KEY("unusable_key"),
    OUTBOUND_POLICY("outbound_policy"),
    /** The caller's own key hit its rate limit at the vendor. */
    OWN_KEY_RATE_LIMITED("own_key_rate_limited");

    private final String label;

    FallbackReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The reason for a vendor's HTTP status that counts as the provider's failure. */
    public static FallbackReason ofStatus(int status) {
        if (status == 429) {
            return RATE_LIMITED;
        }
        return status >= 500 ? SERVER_ERROR : PROVIDER_REFUSED;
    }
}
