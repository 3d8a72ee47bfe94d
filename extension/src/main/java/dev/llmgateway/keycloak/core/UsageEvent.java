package dev.llmgateway.keycloak.core;

import java.math.BigDecimal;

/**
 * A usage event waiting to be written. {@code cost} is null when the model has no price; {@code level} is the key of the
 * user's power level at the time of the call (null when no user is named). {@code usageEstimated}: the vendor reported no
 * usage (a stream cut short), so the tokens are estimated from the text (about four characters a token).
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
        long createdAt,
        boolean usageEstimated,
        String kind) {

    /** A chat call's event (or a reported one), with whether its usage is estimated. */
    public UsageEvent(
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
            long createdAt,
            boolean usageEstimated) {
        this(
                id,
                realmId,
                userId,
                clientId,
                source,
                providerId,
                providerType,
                model,
                requestedModel,
                level,
                byok,
                streamed,
                usage,
                cost,
                status,
                outcome,
                attempts,
                latencyMs,
                createdAt,
                usageEstimated,
                KIND_CHAT);
    }

    /** An event whose usage the vendor (or the reporting service) stated. */
    public UsageEvent(
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
        this(
                id,
                realmId,
                userId,
                clientId,
                source,
                providerId,
                providerType,
                model,
                requestedModel,
                level,
                byok,
                streamed,
                usage,
                cost,
                status,
                outcome,
                attempts,
                latencyMs,
                createdAt,
                false);
    }

    public static final String SOURCE_GATEWAY = "gateway";
    public static final String SOURCE_REPORTED = "reported";

    /** Call kinds: the API the call came in through. */
    public static final String KIND_CHAT = "chat";

    public static final String KIND_EMBEDDINGS = "embeddings";
    public static final String KIND_MESSAGES = "messages";
    public static final String KIND_RESPONSES = "responses";
}
