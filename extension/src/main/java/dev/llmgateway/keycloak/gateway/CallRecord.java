package dev.llmgateway.keycloak.gateway;

import java.math.BigDecimal;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.usage.Pricing;
import dev.llmgateway.keycloak.usage.VendorCostCheck;
import org.keycloak.models.utils.KeycloakModelUtils;

/** Who made a gateway call and when, captured before the call leaves the request thread. */
public record CallRecord(
        String realmId,
        String userId,
        String clientId,
        String requestedModel,
        String level,
        boolean streamed,
        long startMillis,
        long startNanos,
        String kind) {

    public static final String OK = "ok";
    public static final String ERROR = "error";
    static final String REFUSED = "refused";
    public static final String CANCELLED = "cancelled";

    public UsageEvent event(GatewayCall.Outcome outcome, Usage usage, String result) {
        return event(outcome, usage, result, false);
    }

    /** The ledger's event of the call; {@code estimated}: the usage is the gateway's estimate, not the vendor's. */
    public UsageEvent event(GatewayCall.Outcome outcome, Usage usage, String result, boolean estimated) {
        Candidate c = outcome.chosen();
        Usage u = usage == null ? Usage.NONE : usage;
        BigDecimal cost = c == null ? null : Pricing.cost(u, c);
        if (c != null && u.vendorCost() != null) {
            VendorCostCheck.check(c.providerId(), c.providerType(), c.modelId(), cost, u.vendorCost());
        }
        return new UsageEvent(
                KeycloakModelUtils.generateId(),
                realmId,
                userId,
                clientId,
                UsageEvent.SOURCE_GATEWAY,
                c == null ? null : c.providerId(),
                c == null ? null : c.providerType(),
                c == null ? null : c.modelId(),
                requestedModel,
                level,
                outcome.byok(),
                streamed,
                u,
                cost,
                outcome.status(),
                result,
                (int) outcome.attemptCount(),
                (System.nanoTime() - startNanos) / 1_000_000,
                startMillis,
                estimated,
                kind);
    }

    /** The result word of a call that ended without a stream. */
    public static String resultOf(GatewayCall.Outcome outcome) {
        if (outcome.success()) {
            return OK;
        }
        return outcome.chosen() != null ? REFUSED : ERROR;
    }
}
