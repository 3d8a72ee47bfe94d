package dev.llmgateway.keycloak.gateway;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.observe.GatewayMetrics;
import dev.llmgateway.keycloak.observe.Outcome;

/** What a gateway call that ended adds to the metrics: its outcome, and the tokens and cost its ledger event holds. */
public final class CallMetrics {

    private CallMetrics() {}

    /** Counts the call of {@code event} (the ledger's event of outcome {@code o}) and returns the event. */
    public static UsageEvent ended(String realmName, GatewayCall.Outcome o, UsageEvent event) {
        GatewayMetrics metrics = GatewayMetrics.get();
        Candidate c = o.chosen();
        String provider = c == null ? null : c.providerName();
        String model = c == null ? null : c.modelId();
        metrics.request(realmName, provider, model, outcomeOf(o, event.outcome()));
        if (c != null) {
            metrics.usage(realmName, provider, model, event.usage(), event.cost(), event.byok());
        }
        return event;
    }

    /** The {@code outcome} label of a call that ended with {@code result} ({@link CallRecord}'s word). */
    static Outcome outcomeOf(GatewayCall.Outcome o, String result) {
        return switch (result) {
            case CallRecord.OK -> Outcome.OK;
            case CallRecord.CANCELLED -> Outcome.CANCELLED;
            case CallRecord.REFUSED -> o.byok() && o.status() == 403 ? Outcome.BYOK_REJECTED : Outcome.VENDOR_ERROR;
            default ->
                o.streamed() ? Outcome.STREAM_ERROR : o.status() == 400 ? Outcome.BAD_REQUEST : Outcome.ALL_FAILED;
        };
    }
}
