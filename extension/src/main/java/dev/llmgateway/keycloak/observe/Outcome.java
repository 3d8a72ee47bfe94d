package dev.llmgateway.keycloak.observe;

/** How a gateway call ended: the {@code outcome} label of {@link Metric#REQUESTS}. */
public enum Outcome {
    /** The vendor answered (a stream: the caller read it to its end). */
    OK("ok"),
    /** A stream the caller left, or that the server ended at shutdown, before its end. */
    CANCELLED("cancelled"),
    /** A stream that broke off after it had started. */
    STREAM_ERROR("stream_error"),
    /** The vendor refused the caller's request (a 4xx the caller sees as the vendor sent it). */
    VENDOR_ERROR("vendor_error"),
    /** The vendor refused the caller's own key and the realm does not fall back to the organisation's. */
    BYOK_REJECTED("byok_rejected"),
    /** No provider could serve the call (every candidate failed, cooled down or was skipped). */
    ALL_FAILED("all_failed"),
    /** The request itself was unreadable or asked for what no candidate supports. */
    BAD_REQUEST("bad_request"),
    /** No provider of the realm offers the requested model. */
    UNKNOWN_MODEL("unknown_model"),
    REFUSED_LEVEL("refused_level"),
    REFUSED_BUDGET("refused_budget"),
    REFUSED_RATE_LIMIT("refused_rate_limit");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
