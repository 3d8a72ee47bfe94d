package dev.llmgateway.keycloak.observe;

/**
 * Why the gateway refused a call (or skipped a provider): the {@code reason} label of {@link Metric#REFUSALS}. Every
 * reason but {@link #PROVIDER_RATE_LIMIT} ends the call, so it also counts a request with its {@link #outcome()}.
 */
public enum Refusal {
    /** The user's monthly budget is spent (and no own key could serve the call). */
    BUDGET("budget", Outcome.REFUSED_BUDGET),
    /** The model is above the user's power level (or unpriced while the level has a budget). */
    LEVEL("level", Outcome.REFUSED_LEVEL),
    RATE_LIMIT_REQUESTS("rate_limit_requests", Outcome.REFUSED_RATE_LIMIT),
    RATE_LIMIT_TOKENS("rate_limit_tokens", Outcome.REFUSED_RATE_LIMIT),
    RATE_LIMIT_STREAMS("rate_limit_streams", Outcome.REFUSED_RATE_LIMIT),
    /** A provider at its own rate limit was skipped; the call went on to the next candidate (not a refused call). */
    PROVIDER_RATE_LIMIT("provider_rate_limit", null);

    private final String label;
    private final Outcome outcome;

    Refusal(String label, Outcome outcome) {
        this.label = label;
        this.outcome = outcome;
    }

    public String label() {
        return label;
    }

    /** The request's outcome when this refusal ends the call; null when the call goes on. */
    public Outcome outcome() {
        return outcome;
    }
}
