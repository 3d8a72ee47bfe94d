package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.ModelMode;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.TierPrices;

/**
 * A price table an admin imports, in one of two formats, read into catalogue entries (USD per 1M tokens):
 * <ul>
 *   <li>the built-in catalogue's own ({@code {"models": [{"vendor", "id", "input", "output", "cached_input",
 *   "cache_write_input", "cache_write_1h_input", "service_tiers", "context_window", "mode"}]}}): every entry must be valid, or
 *   the whole table is refused naming the entry;</li>
 *   <li>the community format of LiteLLM's {@code model_prices_and_context_window.json} (an object of model name →
 *   {@code input_cost_per_token}, {@code output_cost_per_token}, … per token, {@code litellm_provider}, {@code
 *   mode}): entries of the gateway's nine vendors in chat mode are kept; the rest (other vendors, embeddings, images,
 *   entries without both prices) are skipped and counted, as the file carries thousands of them.</li>
 * </ul>
 */
public final class PriceTable {

    public static final String FORMAT_CATALOG = "catalog";
    public static final String FORMAT_LITELLM = "litellm";
    static final int MAX_ENTRIES = 50_000;
    static final int MAX_SKIP_REASONS = 20;
    static final BigDecimal MAX_PRICE = BigDecimal.valueOf(100_000);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final int SCALE = 8;

    /** The gateway's provider types by LiteLLM's provider names. */
    private static final Map<String, String> LITELLM_VENDORS = Map.of(
            "openai", "openai",
            "anthropic", "anthropic",
            "openrouter", "openrouter",
            "together_ai", "together",
            "huggingface", "huggingface",
            "cohere_chat", "cohere",
            "cohere", "cohere",
            "groq", "groq",
            "mistral", "mistral");

    private static final Set<String> VENDORS = Set.of(
            "openai", "anthropic", "openrouter", "together", "huggingface", "cohere", "groq", "mistral", "custom");

    /** What a table held: its format, the entries read, and what was skipped and why (the first reasons). */
    public record Parsed(String format, List<CatalogEntry> entries, int skipped, List<String> skipReasons) {}

    private PriceTable() {}

    /** The fields of the catalogue's format (catalog.json's own), at the top and per model: anything else is a typo. */
    static final List<String> TABLE_FIELDS = List.of("_comment", "date", "sources", "models");

    static final List<String> ENTRY_FIELDS = List.of(
            "vendor",
            "id",
            "name",
            "aliases",
            "quality",
            "input",
            "output",
            "cached_input",
            "cache_write_input",
            "cache_write_1h_input",
            "service_tiers",
            "context_window",
            "mode");

    public static Parsed parse(JsonNode root) {
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw ApiErrors.badRequest(
                    null,
                    "not a price table: expected the catalogue's format {\"models\": [...]} or LiteLLM's"
                            + " model_prices_and_context_window.json");
        }
        if (root.has("models")) {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!TABLE_FIELDS.contains(f)) {
                    throw ApiErrors.unknownField("", f, String.join(", ", TABLE_FIELDS));
                }
            }
            return catalogFormat(root.get("models"));
        }
        return liteLlmFormat(root);
    }

    private static Parsed catalogFormat(JsonNode models) {
        if (!models.isArray()) {
            throw ApiErrors.badRequest("models", "models must be a list of models");
        }
        if (models.size() > MAX_ENTRIES) {
            throw ApiErrors.badRequest("models", "a price table holds at most " + MAX_ENTRIES + " models");
        }
        List<CatalogEntry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            JsonNode m = models.get(i);
            String at = "models[" + i + "]";
            if (!m.isObject()) {
                throw ApiErrors.badRequest(at, at + " must be an object");
            }
            for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!ENTRY_FIELDS.contains(f)) {
                    throw ApiErrors.unknownField(at + ".", f, String.join(", ", ENTRY_FIELDS));
                }
            }
            String vendor = text(m, "vendor");
            if (vendor == null || !VENDORS.contains(vendor)) {
                throw ApiErrors.badRequest(
                        at + ".vendor",
                        at + ".vendor must be one of the provider types: " + String.join(", ", sorted(VENDORS)));
            }
            String id = text(m, "id");
            if (id == null || id.isBlank() || id.length() > 255 || SafeText.firstForbidden(id) >= 0) {
                throw ApiErrors.badRequest(
                        at + ".id",
                        at + ".id must be a model id of at most 255 printable characters (no control characters)");
            }
            for (String field :
                    List.of("input", "output", "cached_input", "cache_write_input", "cache_write_1h_input")) {
                price(m, field, at, field.equals("input") || field.equals("output"));
            }
            JsonNode tiers = m.path("service_tiers");
            if (!tiers.isMissingNode() && !tiers.isNull()) {
                if (!tiers.isObject()) {
                    throw ApiErrors.badRequest(at + ".service_tiers", at + ".service_tiers must be an object");
                }
                for (Iterator<String> it = tiers.fieldNames(); it.hasNext(); ) {
                    String tier = it.next();
                    String tat = at + ".service_tiers." + tier;
                    if (!TierPrices.NAMES.contains(tier)) {
                        throw ApiErrors.badRequest(
                                tat,
                                at + ".service_tiers: the tiers priced apart are "
                                        + String.join(", ", TierPrices.NAMES));
                    }
                    price(tiers.get(tier), "input", tat, true);
                    price(tiers.get(tier), "output", tat, true);
                    price(tiers.get(tier), "cached_input", tat, false);
                }
            }
            JsonNode mode = m.get("mode");
            if (mode != null && !mode.isNull() && (!mode.isTextual() || ModelMode.normalize(mode.asText()) == null)) {
                throw ApiErrors.badRequest(
                        at + ".mode", at + ".mode must be one of " + String.join(", ", ModelMode.ALL));
            }
            JsonNode context = m.get("context_window");
            if (context != null
                    && !context.isNull()
                    && (!context.isIntegralNumber() || !context.canConvertToInt() || context.asInt() <= 0)) {
                throw ApiErrors.badRequest(
                        at + ".context_window", at + ".context_window must be a positive whole number of tokens");
            }
            if (!seen.add(vendor + "|" + id.toLowerCase(Locale.ROOT))) {
                throw ApiErrors.badRequest(
                        at + ".id", at + ": " + vendor + " model " + SafeText.quote(id) + " is listed twice");
            }
            entries.add(ModelCatalog.entry(m));
        }
        return new Parsed(FORMAT_CATALOG, entries, 0, List.of());
    }

    private static Parsed liteLlmFormat(JsonNode root) {
        if (root.size() > MAX_ENTRIES) {
            throw ApiErrors.badRequest(null, "a price table holds at most " + MAX_ENTRIES + " models");
        }
        List<CatalogEntry> entries = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int skipped = 0;
        int recognised = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue();
            if (!m.isObject() || !m.has("litellm_provider")) {
                skipped++; // "sample_spec" and anything else that is not a model
                continue;
            }
            recognised++;
            String vendor = LITELLM_VENDORS.get(m.path("litellm_provider").asText());
            String mode = m.path("mode").asText("chat");
            if (vendor == null || !(mode.equals("chat") || mode.equals("responses"))) {
                skipped++;
                continue;
            }
            String id = modelId(e.getKey(), m.path("litellm_provider").asText());
            BigDecimal input = perMillion(m.get("input_cost_per_token"));
            BigDecimal output = perMillion(m.get("output_cost_per_token"));
            if (id.isBlank()
                    || id.length() > 255
                    || SafeText.firstForbidden(id) >= 0
                    || input == null
                    || output == null) {
                skipped++;
                if (reasons.size() < MAX_SKIP_REASONS) {
                    reasons.add(
                            SafeText.quote(e.getKey()) + ": no valid input_cost_per_token and output_cost_per_token");
                }
                continue;
            }
            if (!seen.add(vendor + "|" + id.toLowerCase(Locale.ROOT))) {
                skipped++;
                if (reasons.size() < MAX_SKIP_REASONS) {
                    reasons.add(SafeText.quote(e.getKey()) + ": " + vendor + " model " + SafeText.quote(id)
                            + " is listed twice; the first kept");
                }
                continue;
            }
            Map<String, TierPrices> tiers = new LinkedHashMap<>();
            for (String tier : TierPrices.NAMES) {
                BigDecimal tin = perMillion(m.get("input_cost_per_token_" + tier));
                BigDecimal tout = perMillion(m.get("output_cost_per_token_" + tier));
                if (tin != null && tout != null) {
                    tiers.put(
                            tier, new TierPrices(tin, tout, perMillion(m.get("cache_read_input_token_cost_" + tier))));
                }
            }
            JsonNode context = m.has("max_input_tokens") ? m.get("max_input_tokens") : m.get("max_tokens");
            entries.add(new CatalogEntry(
                    vendor,
                    id,
                    id,
                    input,
                    output,
                    perMillion(m.get("cache_read_input_token_cost")),
                    perMillion(m.get("cache_creation_input_token_cost")),
                    perMillion(m.get("cache_creation_input_token_cost_above_1hr")),
                    context != null && context.canConvertToInt() && context.asInt() > 0 ? context.asInt() : null,
                    null,
                    List.of(),
                    tiers,
                    ModelMode.CHAT));
        }
        if (recognised == 0) {
            throw ApiErrors.badRequest(
                    null,
                    "not a price table: expected the catalogue's format {\"models\": [...]} or LiteLLM's"
                            + " model_prices_and_context_window.json (no entry has litellm_provider)");
        }
        return new Parsed(FORMAT_LITELLM, entries, skipped, reasons);
    }

    /** LiteLLM's key without its provider prefix ({@code groq/llama-3.3-70b-versatile} → {@code llama-3.3-70b-versatile}). */
    private static String modelId(String key, String provider) {
        String prefix = provider + "/";
        if (key.startsWith(prefix)) {
            return key.substring(prefix.length());
        }
        if (provider.startsWith("cohere") && key.startsWith("cohere/")) {
            return key.substring("cohere/".length());
        }
        return key;
    }

    /** A per-token cost as a price per 1M tokens; null when absent, not a number, negative or absurd. */
    private static BigDecimal perMillion(JsonNode v) {
        BigDecimal cost = finite(v);
        if (cost == null) {
            return null;
        }
        BigDecimal price = cost.multiply(MILLION);
        if (price.signum() < 0 || price.compareTo(MAX_PRICE) > 0) {
            return null;
        }
        return price.setScale(SCALE, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    private static BigDecimal price(JsonNode m, String field, String at, boolean required) {
        JsonNode v = m.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiErrors.badRequest(at + "." + field, at + "." + field + " is required (USD per 1M tokens)");
            }
            return null;
        }
        BigDecimal price = finite(v);
        if (price == null || price.signum() < 0 || price.compareTo(MAX_PRICE) > 0) {
            throw ApiErrors.badRequest(
                    at + "." + field,
                    at + "." + field + " must be a number of USD per 1M tokens, from 0 to " + MAX_PRICE);
        }
        return price;
    }

    /** A JSON number as a decimal; null for anything else, including 1e99999 (infinite as a double). */
    private static BigDecimal finite(JsonNode v) {
        if (v == null || !v.isNumber()) {
            return null;
        }
        try {
            return v.decimalValue();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(JsonNode m, String field) {
        JsonNode v = m.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
