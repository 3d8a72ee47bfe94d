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
        @JsonProperty("cache_write_1h_price") BigDecimal cacheWrite1hPrice,
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
        } else if (cached == null) {
            // An override (or a vendor's list) without a cached price keeps the catalogue's ratio: cache reads at the
            // full input price would overcharge them several times over.
            cached = scaled(c, c == null ? null : c.cachedInputPrice(), input);
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
                strip(scaled(c, c == null ? null : c.cacheWriteInputPrice(), input)),
                strip(scaled(c, c == null ? null : c.cacheWrite1hInputPrice(), input)),
                source,
                context,
                quality,
                c != null,
                m.isEnabled());
    }

    /**
     * One of the catalogue's derived prices (cached input, 5-minute or 1-hour cache write) for this input price: the
     * catalogue's own when the input price is the catalogue's, else scaled by the same factor (an admin's or the
     * vendor's input price keeps the vendor's ratios). Null where the catalogue has none: those tokens are then
     * priced as input.
     */
    static BigDecimal scaled(CatalogEntry c, BigDecimal catalogPrice, BigDecimal input) {
        if (c == null || catalogPrice == null || input == null || c.inputPrice() == null) {
            return null;
        }
        if (input.compareTo(c.inputPrice()) == 0) {
            return catalogPrice;
        }
        if (c.inputPrice().signum() == 0) {
            return null;
        }
        return input.multiply(catalogPrice).divide(c.inputPrice(), MathContext.DECIMAL64);
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
