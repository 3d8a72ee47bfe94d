package dev.llmgateway.keycloak.catalog;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.llmgateway.keycloak.core.ConfigVersion;
import dev.llmgateway.keycloak.core.TierPrices;
import jakarta.persistence.EntityManager;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * A realm's model catalogue: the built-in one with the realm's imported price table laid over it (an imported entry
 * replaces the built-in entry of the same vendor and id, keeping its display name, aliases and quality, and the
 * built-in ratios for the cached and cache-write prices the table leaves out). Built once
 * per configuration version of the realm and node, so reading it costs no query.
 */
public final class PriceTables {

    private record Cached(String version, ModelCatalog builtIn, ModelCatalog catalog) {}

    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private final EntityManager em;
    private final RealmModel realm;
    private final ModelCatalog builtIn;

    public PriceTables(EntityManager em, RealmModel realm, ModelCatalog builtIn) {
        this.em = em;
        this.realm = realm;
        this.builtIn = builtIn;
    }

    /** The realm's catalogue now. */
    public ModelCatalog catalog() {
        String version = ConfigVersion.of(realm);
        Cached c = CACHE.get(realm.getId());
        if (c != null && c.version().equals(version) && c.builtIn() == builtIn) {
            return c.catalog();
        }
        ModelCatalog catalog = overlay(builtIn, imported());
        CACHE.put(realm.getId(), new Cached(version, builtIn, catalog));
        return catalog;
    }

    /** Forgets a removed realm. */
    public static void forget(String realmId) {
        CACHE.remove(realmId);
    }

    /** The entries of the realm's imported table. */
    public List<CatalogEntry> imported() {
        return rows().stream().map(PriceTables::entry).toList();
    }

    public List<LlmPriceEntity> rows() {
        return em.createNamedQuery("llmPricesByRealm", LlmPriceEntity.class)
                .setParameter("realmId", realm.getId())
                .getResultList();
    }

    static ModelCatalog overlay(ModelCatalog builtIn, List<CatalogEntry> imported) {
        if (imported.isEmpty()) {
            return builtIn;
        }
        Map<String, CatalogEntry> base = new HashMap<>();
        builtIn.entries().forEach(e -> base.put(key(e), e));
        List<CatalogEntry> entries = new ArrayList<>();
        for (CatalogEntry i : imported) {
            CatalogEntry b = base.remove(key(i));
            entries.add(
                    b == null
                            ? i
                            : new CatalogEntry(
                                    i.vendor(),
                                    b.id(),
                                    i.name() == null || i.name().equals(i.id()) ? b.name() : i.name(),
                                    i.inputPrice(),
                                    i.outputPrice(),
                                    orScaled(i.cachedInputPrice(), b, b.cachedInputPrice(), i.inputPrice()),
                                    orScaled(i.cacheWriteInputPrice(), b, b.cacheWriteInputPrice(), i.inputPrice()),
                                    orScaled(i.cacheWrite1hInputPrice(), b, b.cacheWrite1hInputPrice(), i.inputPrice()),
                                    i.contextWindow() != null ? i.contextWindow() : b.contextWindow(),
                                    i.quality() != null ? i.quality() : b.quality(),
                                    b.aliases(),
                                    i.serviceTiers(),
                                    b.mode()));
        }
        // Imported entries first: their names win over any built-in alias.
        builtIn.entries().stream().filter(b -> base.containsKey(key(b))).forEach(entries::add);
        return new ModelCatalog(entries, builtIn.date());
    }

    /** An imported price, or where the table leaves it out, the built-in one scaled to the imported input price. */
    private static BigDecimal orScaled(BigDecimal imported, CatalogEntry b, BigDecimal builtInPrice, BigDecimal input) {
        return imported != null ? imported : ModelView.scaled(b, builtInPrice, input);
    }

    private static String key(CatalogEntry e) {
        return e.vendor() + "|" + e.id().toLowerCase(Locale.ROOT);
    }

    /** One model whose effective prices an import changes, adds, or (when the import drops it) reverts. */
    public record Change(
            String vendor, String model, String change, boolean inUse, CatalogEntry before, CatalogEntry after) {}

    /**
     * What importing {@code table} would change: per model of the table and of the current import, its effective prices
     * before and after ({@code removed}: the current import had it, and nothing prices it after), and whether one of
     * the realm's providers offers it.
     */
    public List<Change> changes(List<CatalogEntry> table, Set<String> modelsInUse) {
        Map<String, CatalogEntry> nowByKey = byKey(catalog());
        Map<String, CatalogEntry> nextByKey = byKey(overlay(builtIn, table));
        Set<String> keys = new LinkedHashSet<>();
        table.forEach(e -> keys.add(key(e)));
        imported().forEach(e -> keys.add(key(e)));
        List<Change> changes = new ArrayList<>();
        for (String k : keys) {
            CatalogEntry before = nowByKey.get(k);
            CatalogEntry after = nextByKey.get(k);
            CatalogEntry either = after != null ? after : before;
            String change = after == null
                    ? "removed"
                    : before == null ? "added" : samePrices(before, after) ? "unchanged" : "changed";
            changes.add(new Change(either.vendor(), either.id(), change, inUse(modelsInUse, either), before, after));
        }
        return changes;
    }

    private static Map<String, CatalogEntry> byKey(ModelCatalog catalog) {
        Map<String, CatalogEntry> byKey = new HashMap<>();
        catalog.entries().forEach(e -> byKey.put(key(e), e));
        return byKey;
    }

    private static boolean inUse(Set<String> modelsInUse, CatalogEntry e) {
        return modelsInUse.contains(e.vendor() + "|" + e.id().toLowerCase(Locale.ROOT));
    }

    static boolean samePrices(CatalogEntry a, CatalogEntry b) {
        return same(a.inputPrice(), b.inputPrice())
                && same(a.outputPrice(), b.outputPrice())
                && same(a.cachedInputPrice(), b.cachedInputPrice())
                && same(a.cacheWriteInputPrice(), b.cacheWriteInputPrice())
                && same(a.cacheWrite1hInputPrice(), b.cacheWrite1hInputPrice())
                && a.serviceTiers().keySet().equals(b.serviceTiers().keySet())
                && a.serviceTiers().entrySet().stream().allMatch(t -> {
                    TierPrices o = b.serviceTiers().get(t.getKey());
                    return same(t.getValue().inputPrice(), o.inputPrice())
                            && same(t.getValue().outputPrice(), o.outputPrice())
                            && same(t.getValue().cachedInputPrice(), o.cachedInputPrice());
                });
    }

    private static boolean same(BigDecimal a, BigDecimal b) {
        return Objects.equals(a, b) || (a != null && b != null && a.compareTo(b) == 0);
    }

    /** Replaces the realm's imported table with {@code table} (empty: back to the built-in catalogue). */
    public void replace(List<CatalogEntry> table, String source) {
        em.createNamedQuery("llmPricesDeleteByRealm")
                .setParameter("realmId", realm.getId())
                .executeUpdate();
        long now = System.currentTimeMillis();
        int n = 0;
        for (CatalogEntry e : table) {
            em.persist(row(e, source, now));
            if (++n % 500 == 0) {
                em.flush(); // in batches; never clear: the request's other entities (the realm's) live here too
            }
        }
        em.flush();
        ConfigVersion.bump(realm);
    }

    private LlmPriceEntity row(CatalogEntry e, String source, long now) {
        LlmPriceEntity r = new LlmPriceEntity();
        r.setId(KeycloakModelUtils.generateId());
        r.setRealmId(realm.getId());
        r.setVendor(e.vendor());
        r.setModelId(e.id());
        r.setInputPrice(e.inputPrice());
        r.setOutputPrice(e.outputPrice());
        r.setCachedPrice(e.cachedInputPrice());
        r.setCacheWritePrice(e.cacheWriteInputPrice());
        r.setCacheWrite1hPrice(e.cacheWrite1hInputPrice());
        TierPrices priority = e.serviceTiers().get("priority");
        if (priority != null) {
            r.setPriorityInputPrice(priority.inputPrice());
            r.setPriorityOutputPrice(priority.outputPrice());
            r.setPriorityCachedPrice(priority.cachedInputPrice());
        }
        TierPrices flex = e.serviceTiers().get("flex");
        if (flex != null) {
            r.setFlexInputPrice(flex.inputPrice());
            r.setFlexOutputPrice(flex.outputPrice());
            r.setFlexCachedPrice(flex.cachedInputPrice());
        }
        r.setContextWindow(e.contextWindow());
        r.setSource(source);
        r.setImportedAt(now);
        return r;
    }

    private static CatalogEntry entry(LlmPriceEntity r) {
        Map<String, TierPrices> tiers = new LinkedHashMap<>();
        if (r.getPriorityInputPrice() != null && r.getPriorityOutputPrice() != null) {
            tiers.put(
                    "priority",
                    new TierPrices(
                            plain(r.getPriorityInputPrice()),
                            plain(r.getPriorityOutputPrice()),
                            plain(r.getPriorityCachedPrice())));
        }
        if (r.getFlexInputPrice() != null && r.getFlexOutputPrice() != null) {
            tiers.put(
                    "flex",
                    new TierPrices(
                            plain(r.getFlexInputPrice()),
                            plain(r.getFlexOutputPrice()),
                            plain(r.getFlexCachedPrice())));
        }
        return new CatalogEntry(
                r.getVendor(),
                r.getModelId(),
                r.getModelId(),
                plain(r.getInputPrice()),
                plain(r.getOutputPrice()),
                plain(r.getCachedPrice()),
                plain(r.getCacheWritePrice()),
                plain(r.getCacheWrite1hPrice()),
                r.getContextWindow(),
                null,
                List.of(),
                tiers);
    }

    private static BigDecimal plain(BigDecimal v) {
        return v == null ? null : v.stripTrailingZeros();
    }
}
