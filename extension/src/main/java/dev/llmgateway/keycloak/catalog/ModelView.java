package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Decimals;

/**
 * A provider's model with its effective figures: the admin's override, else the vendor's own listed price, else the
 * built-in catalogue. {@code price_source} says which one priced it. Null figures are left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelView(
        @JsonProperty("id") String id,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("provider_type") String providerType,
        @JsonProperty("provider_name") String providerName,
        @JsonProperty("name") String name,
        @JsonProperty("input_price") BigDecimal inputPrice,
        @JsonProperty("output_price") BigDecimal outputPrice,
        @JsonProperty("cached_input_price") BigDecimal cachedInputPrice,
        @JsonProperty("cache_write_price") BigDecimal cacheWritePrice,
        @JsonProperty("price_source") String priceSource,
        @JsonProperty("context_window") Integer contextWindow,
        @JsonProperty("quality") Integer quality,
        @JsonProperty("in_catalog") boolean inCatalog,
        @JsonProperty("enabled") boolean enabled) {

    public static ModelView of(LlmModelEntity m, String providerType, String providerName, ModelCatalog catalog) {
        Optional<CatalogEntry> known = catalog.find(providerType, m.getModelId());
        CatalogEntry c = known.orElse(null);
        BigDecimal input;
        BigDecimal output;
        BigDecimal cached;
        String source;
        if (m.getInputPrice() != null || m.getOutputPrice() != null) {
            source = "admin";
            input = m.getInputPrice();
            output = m.getOutputPrice();
            cached = m.getCachedInputPrice();
        } else if (m.getListedInputPrice() != null && m.getListedOutputPrice() != null) {
            source = "vendor";
            input = m.getListedInputPrice();
            output = m.getListedOutputPrice();
            cached = m.getListedCachedPrice();
        } else if (c != null && c.inputPrice() != null) {
            source = "catalog";
            input = c.inputPrice();
            output = c.outputPrice();
            cached = c.cachedInputPrice();
        } else {
            source = null;
            input = null;
            output = null;
            cached = null;
        }
        if (m.getCachedInputPrice() != null) {
            cached = m.getCachedInputPrice();
        }
        String name = m.getDisplayName() != null ? m.getDisplayName() : c != null ? c.name() : m.getModelId();
        Integer context = m.getContextWindow() != null ? m.getContextWindow() : c != null ? c.contextWindow() : null;
        Integer quality = m.getQuality() != null ? m.getQuality() : c != null ? c.quality() : null;
        return new ModelView(
                m.getModelId(),
                m.getProviderId(),
                providerType,
                providerName,
                name,
                strip(input),
                strip(output),
                strip(cached),
                strip(cacheWrite(c, input)),
                source,
                context,
                quality,
                c != null,
                m.isEnabled());
    }

    /**
     * The cache-write price, for vendors that bill cache writes apart: the catalogue's, scaled by the same factor when
     * the input price is not the catalogue's (an admin's or the vendor's), so an override keeps the vendor's ratio.
     * Null elsewhere: cache writes are then priced as input.
     */
    static BigDecimal cacheWrite(CatalogEntry c, BigDecimal input) {
        if (c == null || c.cacheWriteInputPrice() == null || input == null) {
            return null;
        }
        if (input.compareTo(c.inputPrice()) == 0) {
            return c.cacheWriteInputPrice();
        }
        if (c.inputPrice().signum() == 0) {
            return null;
        }
        return input.multiply(c.cacheWriteInputPrice()).divide(c.inputPrice(), MathContext.DECIMAL64);
    }

    private static BigDecimal strip(BigDecimal v) {
        return Decimals.plain(v);
    }

    /** Blended price per 1M tokens (mean of input and output), or null when unpriced. */
    public BigDecimal blendedPrice() {
        if (inputPrice == null || outputPrice == null) {
            return null;
        }
        return inputPrice.add(outputPrice).divide(BigDecimal.valueOf(2));
    }
}
