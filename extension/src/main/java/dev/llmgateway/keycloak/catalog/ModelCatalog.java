package dev.llmgateway.keycloak.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ModelMode;
import dev.llmgateway.keycloak.core.TierPrices;

/**
 * The built-in catalogue of well-known models ({@code llm-gateway/catalog.json}), immutable once loaded.
 *
 * <p>Vendors name the same model differently ({@code gpt-4o-2024-08-06}, {@code openai/gpt-4o}); {@link #find} tries
 * the vendor's own entry first, then any vendor's, each time with the id as given, without an {@code org/} prefix, and
 * without a date suffix.
 */
public final class ModelCatalog {

    private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{8}|\\d{4}-\\d{2}-\\d{2})$");

    private final List<CatalogEntry> entries;
    private final String date;
    private final Map<String, CatalogEntry> byVendorAndId = new HashMap<>();
    private final Map<String, CatalogEntry> byId = new HashMap<>();

    public ModelCatalog(List<CatalogEntry> entries) {
        this(entries, null);
    }

    /** {@code date}: the day the catalogue's prices were last checked against the vendors' (yyyy-mm-dd), if known. */
    public ModelCatalog(List<CatalogEntry> entries, String date) {
        this.date = date;
        this.entries = List.copyOf(entries);
        for (CatalogEntry e : this.entries) {
            List<String> names = new ArrayList<>(e.aliases());
            names.add(e.id());
            for (String name : names) {
                String key = name.toLowerCase(Locale.ROOT);
                byVendorAndId.putIfAbsent(e.vendor() + "|" + key, e);
                byId.putIfAbsent(key, e);
            }
        }
    }

    public static ModelCatalog loadBuiltIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream("/llm-gateway/catalog.json")) {
            if (in == null) {
                throw new IllegalStateException("llm-gateway/catalog.json is missing from the extension jar");
            }
            return parse(Json.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in model catalogue", e);
        }
    }

    static ModelCatalog parse(JsonNode root) {
        List<CatalogEntry> entries = new ArrayList<>();
        for (JsonNode m : root.path("models")) {
            entries.add(entry(m));
        }
        return new ModelCatalog(entries, root.path("date").asText(null));
    }

    /** One model in the catalogue's own format (also the format of imported price tables). */
    public static CatalogEntry entry(JsonNode m) {
        List<String> aliases = new ArrayList<>();
        m.path("aliases").forEach(a -> aliases.add(a.asText()));
        Map<String, TierPrices> tiers = new LinkedHashMap<>();
        m.path("service_tiers")
                .fields()
                .forEachRemaining(t -> tiers.put(
                        t.getKey(),
                        new TierPrices(
                                decimal(t.getValue(), "input"),
                                decimal(t.getValue(), "output"),
                                decimal(t.getValue(), "cached_input"))));
        return new CatalogEntry(
                m.path("vendor").asText(),
                m.path("id").asText(),
                m.path("name").asText(m.path("id").asText()),
                decimal(m, "input"),
                decimal(m, "output"),
                decimal(m, "cached_input"),
                decimal(m, "cache_write_input"),
                decimal(m, "cache_write_1h_input"),
                m.hasNonNull("context_window") ? m.get("context_window").asInt() : null,
                m.hasNonNull("quality") ? m.get("quality").asInt() : null,
                aliases,
                tiers,
                ModelMode.normalize(m.path("mode").asText(null)));
    }

    private static BigDecimal decimal(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : new BigDecimal(v.asText());
    }

    public List<CatalogEntry> entries() {
        return entries;
    }

    /** The day the prices were last checked (yyyy-mm-dd), or null. */
    public String date() {
        return date;
    }

    public Optional<CatalogEntry> find(String vendor, String modelId) {
        if (modelId == null || modelId.isBlank()) {
            return Optional.empty();
        }
        List<String> candidates = nameVariants(modelId.toLowerCase(Locale.ROOT));
        for (String name : candidates) {
            CatalogEntry e = byVendorAndId.get(vendor + "|" + name);
            if (e != null) {
                return Optional.of(e);
            }
        }
        for (String name : candidates) {
            CatalogEntry e = byId.get(name);
            if (e != null) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** What a vendor's model does: its catalogue entry's mode, else what its id suggests ({@link ModelMode#guess}). */
    public String mode(String vendor, String modelId) {
        return find(vendor, modelId).map(CatalogEntry::mode).orElseGet(() -> ModelMode.guess(modelId));
    }

    /**
     * The names a vendor's model answers to: its id, the id without a date suffix, and the id and aliases of its
     * catalogue entry, if it has one.
     */
    public Set<String> names(String vendor, String modelId) {
        Set<String> names = new LinkedHashSet<>();
        names.add(modelId);
        names.add(DATE_SUFFIX.matcher(modelId).replaceFirst(""));
        find(vendor, modelId).ifPresent(e -> {
            names.add(e.id());
            names.addAll(e.aliases());
        });
        return names;
    }

    private static List<String> nameVariants(String id) {
        List<String> names = new ArrayList<>(4);
        names.add(id);
        int slash = id.lastIndexOf('/');
        String bare = slash >= 0 ? id.substring(slash + 1) : id;
        if (!bare.equals(id)) {
            names.add(bare);
        }
        for (String n : List.copyOf(names)) {
            String undated = DATE_SUFFIX.matcher(n).replaceFirst("");
            if (!undated.equals(n)) {
                names.add(undated);
            }
        }
        return names;
    }
}
