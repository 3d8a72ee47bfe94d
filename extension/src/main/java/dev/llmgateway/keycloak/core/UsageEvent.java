package dev.llmgateway.keycloak.core;

import java.math.BigDecimal;

/**
 * A usage event waiting to be written. {@code cost} is null when the model has no price; {@code level} is the key of the
 * user's power level at the time of the call (null when no user is named).
 */
public record UsageEvent(
        String id,
        String realmId,
        String userId,
        String clientId,
        String source,
        String providerId,
        String providerType,
        String model,
        String requestedModel,
        String level,
        boolean byok,
        boolean streamed,
        Usage usage,
        BigDecimal cost,
        int status,
        String outcome,
        int attempts,
        long latencyMs,
        long createdAt) {

    public static final String SOURCE_GATEWAY = "gateway";
    public static final String SOURCE_REPORTED = "reported";
}
