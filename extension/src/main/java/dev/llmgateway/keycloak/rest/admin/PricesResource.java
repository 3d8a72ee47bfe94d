package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.catalog.CatalogEntry;
import dev.llmgateway.keycloak.catalog.LlmPriceEntity;
import dev.llmgateway.keycloak.catalog.PriceTable;
import dev.llmgateway.keycloak.catalog.PriceTables;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.TierPrices;
import dev.llmgateway.keycloak.provider.ProviderService;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.events.admin.OperationType;

/**
 * {@code /admin/realms/{realm}/llm/prices}: the realm's price table. An imported table (the catalogue's format or
 * LiteLLM's {@code model_prices_and_context_window.json}) overrides the built-in catalogue per model for this realm;
 * {@code POST /preview} shows what an import would change without storing anything, {@code PUT} imports (replacing the
 * previous import), {@code DELETE} returns to the built-in catalogue. An admin's price on a provider's model still
 * wins over both.
 */
public class PricesResource {

    /** At most this many changed models are listed in an answer; all are counted. */
    static final int MAX_LISTED = 500;

    /** A price table may be this large: LiteLLM's whole file is a few MB. */
    static final int MAX_TABLE_BYTES = 10 * 1024 * 1024;

    private final AdminContext ctx;

    public PricesResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public PriceTableView get() {
        ctx.requireView();
        List<LlmPriceEntity> rows = tables().rows();
        return new PriceTableView(
                config().catalog().date(),
                config().catalog().entries().size(),
                rows.size(),
                rows.isEmpty() ? null : rows.get(0).getSource(),
                rows.isEmpty()
                        ? null
                        : java.time.Instant.ofEpochMilli(rows.get(0).getImportedAt())
                                .toString(),
                tables().imported().stream().map(PriceView::of).toList());
    }

    @POST
    @Path("preview")
    @Produces(MediaType.APPLICATION_JSON)
    public ImportView preview(InputStream body) {
        ctx.requireManage();
        PriceTable.Parsed table = PriceTable.parse(ctx.body(body, MAX_TABLE_BYTES));
        return summary(table, false);
    }

    @PUT
    @Produces(MediaType.APPLICATION_JSON)
    public ImportView importTable(InputStream body) {
        ctx.requireManage();
        PriceTable.Parsed table = PriceTable.parse(ctx.body(body, MAX_TABLE_BYTES));
        ImportView out = summary(table, true);
        tables().replace(table.entries(), table.format());
        ctx.event(
                OperationType.UPDATE,
                "LLM_PRICES",
                Map.of(
                        "format", table.format(),
                        "models", table.entries().size(),
                        "added", out.added(),
                        "changed", out.changed(),
                        "removed", out.removed()),
                "llm",
                "prices");
        return out;
    }

    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public ImportView clear() {
        ctx.requireManage();
        PriceTable.Parsed empty = new PriceTable.Parsed(PriceTable.FORMAT_CATALOG, List.of(), 0, List.of());
        ImportView out = summary(empty, true);
        tables().replace(List.of(), PriceTable.FORMAT_CATALOG);
        ctx.event(OperationType.DELETE, "LLM_PRICES", Map.of("removed", out.removed()), "llm", "prices");
        return out;
    }

    private ImportView summary(PriceTable.Parsed table, boolean applied) {
        Set<String> inUse = new HashSet<>();
        ProviderService providers = new ProviderService(ctx.session(), ctx.realm());
        providers.allModels().forEach(m -> {
            String vendor = m.providerType();
            inUse.add(vendor + "|" + m.id().toLowerCase(Locale.ROOT));
            providers
                    .catalog()
                    .find(vendor, m.id())
                    .ifPresent(e -> inUse.add(e.vendor() + "|" + e.id().toLowerCase(Locale.ROOT)));
        });
        List<PriceTables.Change> changes = tables().changes(table.entries(), inUse);
        int added = 0;
        int changed = 0;
        int removed = 0;
        int unchanged = 0;
        int affected = 0;
        for (PriceTables.Change c : changes) {
            switch (c.change()) {
                case "added" -> added++;
                case "changed" -> changed++;
                case "removed" -> removed++;
                default -> unchanged++;
            }
            if (c.inUse() && !c.change().equals("unchanged")) {
                affected++;
            }
        }
        List<ChangeView> listed = changes.stream()
                .filter(c -> !c.change().equals("unchanged"))
                // The realm's own models first: those are the prices that change bills.
                .sorted((a, b) -> Boolean.compare(b.inUse(), a.inUse()))
                .limit(MAX_LISTED)
                .map(c -> new ChangeView(
                        c.vendor(),
                        c.model(),
                        c.change(),
                        c.inUse(),
                        PriceView.of(c.before()),
                        PriceView.of(c.after())))
                .toList();
        return new ImportView(
                applied,
                table.format(),
                table.entries().size(),
                table.skipped(),
                table.skipReasons().isEmpty() ? null : table.skipReasons(),
                added,
                changed,
                removed,
                unchanged,
                affected,
                listed);
    }

    private PriceTables tables() {
        return new PriceTables(
                ctx.session().getProvider(JpaConnectionProvider.class).getEntityManager(),
                ctx.realm(),
                config().catalog());
    }

    private LlmGatewayConfig config() {
        return ctx.session().getProvider(LlmGatewayConfig.class);
    }

    /** {@code GET /prices}: the built-in catalogue's date and size, and the realm's imported table. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PriceTableView(
            @JsonProperty("catalog_date") String catalogDate,
            @JsonProperty("catalog_models") int catalogModels,
            @JsonProperty("imported_models") int importedModels,
            @JsonProperty("imported_format") String importedFormat,
            @JsonProperty("imported_at") String importedAt,
            @JsonProperty("imported") List<PriceView> imported) {}

    /** What an import changes (or, from preview, would change). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImportView(
            @JsonProperty("applied") boolean applied,
            @JsonProperty("format") String format,
            @JsonProperty("models") int models,
            @JsonProperty("skipped") int skipped,
            @JsonProperty("skip_reasons") List<String> skipReasons,
            @JsonProperty("added") int added,
            @JsonProperty("changed") int changed,
            @JsonProperty("removed") int removed,
            @JsonProperty("unchanged") int unchanged,
            @JsonProperty("affects_realm_models") int affectsRealmModels,
            @JsonProperty("changes") List<ChangeView> changes) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ChangeView(
            @JsonProperty("vendor") String vendor,
            @JsonProperty("model") String model,
            @JsonProperty("change") String change,
            @JsonProperty("in_realm") boolean inRealm,
            @JsonProperty("before") PriceView before,
            @JsonProperty("after") PriceView after) {}

    /** One model's prices, USD per 1M tokens. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PriceView(
            @JsonProperty("vendor") String vendor,
            @JsonProperty("id") String id,
            @JsonProperty("input") BigDecimal input,
            @JsonProperty("output") BigDecimal output,
            @JsonProperty("cached_input") BigDecimal cachedInput,
            @JsonProperty("cache_write_input") BigDecimal cacheWriteInput,
            @JsonProperty("cache_write_1h_input") BigDecimal cacheWrite1hInput,
            @JsonProperty("service_tiers") Map<String, TierPrices> serviceTiers,
            @JsonProperty("context_window") Integer contextWindow) {

        static PriceView of(CatalogEntry e) {
            if (e == null) {
                return null;
            }
            return new PriceView(
                    e.vendor(),
                    e.id(),
                    Decimals.plain(e.inputPrice()),
                    Decimals.plain(e.outputPrice()),
                    Decimals.plain(e.cachedInputPrice()),
                    Decimals.plain(e.cacheWriteInputPrice()),
                    Decimals.plain(e.cacheWrite1hInputPrice()),
                    e.serviceTiers().isEmpty() ? null : e.serviceTiers(),
                    e.contextWindow());
        }
    }
}
