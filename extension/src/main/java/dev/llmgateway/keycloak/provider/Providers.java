package dev.llmgateway.keycloak.provider;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.RateLimits;

/** The one converter from stored providers to what the API shows. */
public final class Providers {

    public static final String STATUS_ACTIVE = "active";
    public static final String STATUS_ERROR = "error";
    public static final String STATUS_DISABLED = "disabled";

    private Providers() {}

    public static ProviderType type(LlmProviderEntity p) {
        return ProviderType.fromId(p.getType())
                .orElseThrow(() -> new IllegalStateException("unknown stored type " + p.getType()));
    }

    public static String effectiveBaseUrl(LlmProviderEntity p) {
        return p.getBaseUrl() != null ? p.getBaseUrl() : type(p).defaultBaseUrl();
    }

    /** Disabled providers show as disabled whatever their last test said. */
    public static String status(LlmProviderEntity p) {
        return p.isEnabled() ? p.getStatus() : STATUS_DISABLED;
    }

    public static ProviderRepresentation toRepresentation(
            LlmProviderEntity p, List<ModelView> models, boolean withModels) {
        ProviderType type = type(p);
        List<ModelView> enabled = models.stream().filter(ModelView::enabled).toList();
        return new ProviderRepresentation(
                p.getId(),
                p.getName(),
                type.id(),
                type.displayName(),
                type.color(),
                effectiveBaseUrl(p),
                p.getBaseUrl() != null,
                p.getApiKeyHint(),
                p.getPriority(),
                p.isAutoFallback(),
                p.isEnabled(),
                status(p),
                enabled.size(),
                averageCost(enabled),
                p.isModelsPinned(),
                p.getLastTestedAt(),
                p.getLastLatencyMs(),
                p.getLastError(),
                p.getCreatedAt(),
                p.getUpdatedAt(),
                p.getLimits(),
                withModels ? models : null);
    }

    /** The provider's rate limits (the organisation's quota at the vendor); null when none is set. */
    public static RateLimits limits(LlmProviderEntity p) {
        return p.getLimits();
    }

    /** Mean blended price per 1M tokens over the priced models, rounded to 6 decimals; null when none is priced. */
    static BigDecimal averageCost(List<ModelView> models) {
        BigDecimal sum = BigDecimal.ZERO;
        int priced = 0;
        for (ModelView m : models) {
            BigDecimal blended = m.blendedPrice();
            if (blended != null) {
                sum = sum.add(blended);
                priced++;
            }
        }
        return priced == 0 ? null : Decimals.plain(sum.divide(BigDecimal.valueOf(priced), 6, RoundingMode.HALF_EVEN));
    }
}
