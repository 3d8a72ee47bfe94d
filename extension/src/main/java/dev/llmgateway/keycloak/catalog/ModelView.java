package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.TierPrices;

/**
 * A provider's model with its effective figures: the admin's override, else the vendor's own listed price, else the
 * built-in catalogue. {@code price_source} says which one priced it. Null figures are left out. Prices the admin or
 * the vendor's list leave out (cached input, cache writes, processing tiers) keep the catalogue's ratio to the input
 * (output, for tiers' output) price.
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
        @JsonProperty("service_tiers") Map<String, TierPrices> serviceTiers,
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
                strip(
                        "vendor".equals(source) && m.getListedCacheWritePrice() != null
                                ? m.getListedCacheWritePrice()
                                : scaled(c, c == null ? null : c.cacheWriteInputPrice(), input)),
                strip(scaled(c, c == null ? null : c.cacheWrite1hInputPrice(), input)),
                tiers(c, input, output),
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
        return c == null ? null : scaledBy(c.inputPrice(), catalogPrice, input);
    }

    /** {@code catalogPrice} times {@code price / catalogBase}; the catalogue's own when the base is unchanged. */
    private static BigDecimal scaledBy(BigDecimal catalogBase, BigDecimal catalogPrice, BigDecimal price) {
        if (catalogBase == null || catalogPrice == null || price == null) {
            return null;
        }
        if (price.compareTo(catalogBase) == 0) {
            return catalogPrice;
        }
        if (catalogBase.signum() == 0) {
            return null;
        }
        return price.multiply(catalogPrice).divide(catalogBase, MathContext.DECIMAL64);
    }

    /** The catalogue's tier prices, scaled like the cached price when the model's own prices differ. Null if none. */
    private static Map<String, TierPrices> tiers(CatalogEntry c, BigDecimal input, BigDecimal output) {
        if (c == null || c.serviceTiers().isEmpty() || input == null || output == null) {
            return null;
        }
        Map<String, TierPrices> tiers = new LinkedHashMap<>();
        c.serviceTiers().forEach((name, t) -> {
            BigDecimal tierInput = scaledBy(c.inputPrice(), t.inputPrice(), input);
            BigDecimal tierOutput = scaledBy(c.outputPrice(), t.outputPrice(), output);
            if (tierInput != null && tierOutput != null) {
                tiers.put(
                        name,
                        new TierPrices(
                                strip(tierInput),
                                strip(tierOutput),
                                strip(scaledBy(c.inputPrice(), t.cachedInputPrice(), input))));
            }
        });
        return tiers.isEmpty() ? null : tiers;
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
