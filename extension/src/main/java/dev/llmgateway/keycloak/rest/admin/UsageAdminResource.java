package dev.llmgateway.keycloak.rest.admin;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.usage.LlmRealmSnapshotEntity;
import dev.llmgateway.keycloak.usage.Rollup.Totals;
import dev.llmgateway.keycloak.usage.UsageAnalytics;
import dev.llmgateway.keycloak.usage.UsageAnalytics.Filters;
import dev.llmgateway.keycloak.usage.UsageAnalytics.Period;
import dev.llmgateway.keycloak.usage.UsageExport;
import dev.llmgateway.keycloak.usage.UsageMaintenance;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * {@code /admin/realms/{realm}/llm/stats} and {@code /usage}: what the realm's LLM use amounts to, read from the
 * rollups ({@link UsageAnalytics}); {@code /usage/export}: the raw events or the daily rollups as CSV, streamed.
 * {@code view-realm} for everything; user ids only for admins who may also view users.
 */
public class UsageAdminResource {

    private static final Logger LOG = Logger.getLogger(UsageAdminResource.class);

    static final int TOP = 10;
    private static final Set<String> USAGE_PARAMS = Set.of("period", "provider", "model", "user", "client", "level");
    private static final Set<String> EXPORT_PARAMS =
            Set.of("period", "kind", "provider", "model", "user", "client", "level");
    private static final int MAX_FILTER_LENGTH = 255;

    private final AdminContext ctx;

    public UsageAdminResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    /** The four cards: providers, active models, calls and cost of the last 30 days, with trends. */
    public UsageAnswers.Stats stats() {
        ctx.requireView();
        checkParams(Set.of());
        Instant now = Instant.now();
        EntityManager em = em();
        UsageAnalytics analytics = new UsageAnalytics(em, ctx.realm().getId(), now);
        UsageAnalytics.Stats s = analytics.stats();
        ProviderService providers = new ProviderService(ctx.session(), ctx.realm());
        int providerCount = providers.list().size();
        int activeModels = providers.activeModelCount();
        LocalDate today = LocalDate.ofInstant(now, java.time.ZoneOffset.UTC);
        LlmRealmSnapshotEntity before =
                UsageMaintenance.snapshotAtOrBefore(em, ctx.realm().getId(), today.minusDays(30));
        UsageAnswers.Trends trends = new UsageAnswers.Trends(
                before == null
                        ? null
                        : UsageAnswers.trend(
                                BigDecimal.valueOf(activeModels), BigDecimal.valueOf(before.getActiveModels())),
                UsageAnswers.trend(BigDecimal.valueOf(s.calls()), BigDecimal.valueOf(s.previousCalls())),
                UsageAnswers.trend(s.cost(), s.previousCost()));
        UsageAnalytics.Window w = analytics.window(Period.D30);
        return new UsageAnswers.Stats(
                providerCount,
                activeModels,
                s.calls(),
                Decimals.plain(s.cost()),
                "USD",
                w.from().toString(),
                w.to().toString(),
                trends);
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public UsageAnswers.Usage usage() {
        ctx.requireView();
        checkParams(USAGE_PARAMS);
        Period period = period();
        Filters filters = filters();
        boolean withUsers = ctx.auth().users().canView();
        UsageAnalytics.Result r =
                new UsageAnalytics(em(), ctx.realm().getId(), Instant.now()).usage(period, filters, withUsers, TOP);

        Map<String, LlmProviderEntity> providers = new HashMap<>();
        new ProviderService(ctx.session(), ctx.realm()).list().forEach(p -> providers.put(p.getId(), p));
        List<UsageAnswers.ProviderRow> byProvider = new ArrayList<>();
        r.byProvider().forEach((id, t) -> {
            LlmProviderEntity p = providers.get(id);
            byProvider.add(new UsageAnswers.ProviderRow(
                    id.isEmpty() ? null : id,
                    p == null ? null : p.getName(),
                    p == null ? null : p.getType(),
                    t.calls,
                    t.errors,
                    UsageAnswers.rate(t.calls - t.errors, t.calls),
                    t.fallbacks,
                    t.promptTokens,
                    t.completionTokens,
                    Decimals.plain(t.cost),
                    t.byokCalls,
                    t.latencyPercentile(50),
                    t.latencyPercentile(95)));
        });
        List<UsageAnswers.ModelRow> byModel = new ArrayList<>();
        r.byModel()
                .forEach((model, t) -> byModel.add(new UsageAnswers.ModelRow(
                        model.isEmpty() ? null : model,
                        t.calls,
                        t.errors,
                        t.promptTokens,
                        t.completionTokens,
                        Decimals.plain(t.cost))));
        List<UsageAnswers.UserRow> users = null;
        if (r.topUsers() != null) {
            users = new ArrayList<>();
            for (Map.Entry<String, Totals> e : r.topUsers().entrySet()) {
                Totals t = e.getValue();
                UserModel u =
                        e.getKey().isEmpty() ? null : ctx.session().users().getUserById(ctx.realm(), e.getKey());
                users.add(new UsageAnswers.UserRow(
                        e.getKey().isEmpty() ? null : e.getKey(),
                        u == null ? null : u.getUsername(),
                        t.calls,
                        t.promptTokens,
                        t.completionTokens,
                        Decimals.plain(t.cost),
                        t.byokCalls));
            }
        }
        List<UsageAnswers.ClientRow> clients = new ArrayList<>();
        r.topClients()
                .forEach((id, t) -> clients.add(new UsageAnswers.ClientRow(
                        id.isEmpty() ? null : id,
                        t.calls,
                        t.promptTokens,
                        t.completionTokens,
                        Decimals.plain(t.cost))));
        List<UsageAnswers.Point> series = new ArrayList<>(r.series().size());
        r.series().forEach(p -> series.add(UsageAnswers.Point.of(p.start().toString(), p.totals())));
        return new UsageAnswers.Usage(
                period.id,
                bucketName(period),
                r.window().from().toString(),
                r.window().to().toString(),
                "USD",
                describe(filters),
                UsageAnswers.Summary.of(r.totals()),
                series,
                byProvider,
                byModel,
                users,
                clients);
    }

    /**
     * {@code ?period=&kind=events|daily} and the filters of {@code /usage}: CSV with a header row, written while it is
     * read from the database (constant memory). The user column only for admins who may view users.
     */
    @GET
    @Path("export")
    @Produces("text/csv")
    public Response export() {
        ctx.requireView();
        checkParams(EXPORT_PARAMS);
        Period period = period();
        Filters filters = filters();
        String kind = param("kind", "events");
        if (!kind.equals("events") && !kind.equals("daily")) {
            throw ApiErrors.badRequest("kind", "kind must be events or daily");
        }
        boolean withUsers = ctx.auth().users().canView();
        UsageAnalytics.Window w = new UsageAnalytics(em(), ctx.realm().getId(), Instant.now()).window(period);
        Map<String, Object> rep = new LinkedHashMap<>();
        rep.put("kind", kind);
        rep.put("period", period.id);
        rep.put("from", w.from().toString());
        rep.put("to", w.to().toString());
        rep.put("filters", describe(filters));
        rep.put("user_ids", withUsers);
        ctx.event(OperationType.ACTION, "LLM_USAGE_EXPORT", rep, "llm", "usage", "export");

        KeycloakSessionFactory factory = ctx.session().getKeycloakSessionFactory();
        String realmId = ctx.realm().getId();
        UsageExport export = new UsageExport(realmId, w, filters, withUsers);
        StreamingOutput body = out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
            // Its own transaction: the request's may be over while the answer is still being written.
            try {
                KeycloakModelUtils.runJobInTransaction(factory, s -> {
                    EntityManager em =
                            s.getProvider(JpaConnectionProvider.class).getEntityManager();
                    if (kind.equals("daily")) {
                        export.writeDaily(em, writer);
                    } else {
                        export.writeEvents(em, writer);
                    }
                });
                writer.flush();
            } catch (UncheckedIOException e) {
                // The client went away mid-download: nothing to answer, nothing to report as a server error.
                LOG.debugf("LLM gateway: usage export of realm %s ended early: %s", realmId, e.getMessage());
            }
        };
        String file = "llm-usage-" + ctx.realm().getName().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + kind + "-"
                + period.id + "-" + DateTimeFormatter.BASIC_ISO_DATE.format(w.lastDay()) + ".csv";
        return Response.ok(body, "text/csv; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .build();
    }

    private static String bucketName(Period p) {
        return switch (p.seriesGrain) {
            case HOUR -> "hour";
            case DAY -> "day";
            case WEEK -> "week";
            case MONTH -> "month";
        };
    }

    private MultivaluedMap<String, String> query() {
        return ctx.session().getContext().getUri().getQueryParameters();
    }

    private void checkParams(Set<String> known) {
        for (Map.Entry<String, List<String>> e : query().entrySet()) {
            String name = e.getKey();
            if (!known.contains(name)) {
                String safe = SafeText.fieldName(name);
                throw ApiErrors.badRequest(
                        safe,
                        "unknown query parameter " + (safe == null ? "(name not shown)" : "'" + safe + "'")
                                + (known.isEmpty() ? "; this endpoint takes none" : "; accepted: " + accepted(known)));
            }
            if (e.getValue().size() > 1) {
                throw ApiErrors.badRequest(name, "query parameter '" + name + "' is given more than once");
            }
        }
    }

    private static String accepted(Set<String> known) {
        List<String> order = List.of("period", "kind", "provider", "model", "user", "client", "level");
        return String.join(", ", order.stream().filter(known::contains).toList());
    }

    private String param(String name, String fallback) {
        String v = query().getFirst(name);
        return v == null ? fallback : v.trim();
    }

    private Period period() {
        String p = param("period", "30d");
        return Period.of(p)
                .orElseThrow(() -> ApiErrors.badRequest(
                        "period",
                        "unknown period " + SafeText.quote(p) + "; accepted: "
                                + String.join(
                                        ", ",
                                        List.of(Period.values()).stream()
                                                .map(x -> x.id)
                                                .toList())));
    }

    private Filters filters() {
        String user = filter("user");
        if (user != null) {
            ctx.auth().users().requireView();
            UserModel u = ctx.session().users().getUserById(ctx.realm(), user);
            if (u == null) {
                u = ctx.session().users().getUserByUsername(ctx.realm(), user);
                if (u != null) {
                    user = u.getId();
                }
            }
        }
        return new Filters(filter("provider"), filter("model"), user, filter("client"), filter("level"));
    }

    private String filter(String name) {
        String v = query().getFirst(name);
        if (v == null) {
            return null;
        }
        v = v.trim();
        if (v.isEmpty()) {
            throw ApiErrors.badRequest(name, name + " must not be empty (leave it out to include everything)");
        }
        if (v.length() > MAX_FILTER_LENGTH) {
            throw ApiErrors.badRequest(name, name + " is longer than " + MAX_FILTER_LENGTH + " characters");
        }
        return v;
    }

    private static Map<String, String> describe(Filters f) {
        Map<String, String> out = new LinkedHashMap<>();
        if (f.provider() != null) {
            out.put("provider", f.provider());
        }
        if (f.model() != null) {
            out.put("model", f.model());
        }
        if (f.user() != null) {
            out.put("user", f.user());
        }
        if (f.client() != null) {
            out.put("client", f.client());
        }
        if (f.level() != null) {
            out.put("level", f.level());
        }
        return out;
    }

    /**
     * Caller-supplied text in an error only when it looks like a name (letters, digits, {@code _ . -}, at most 32):
     * anything else could be a pasted secret.
     */
    private EntityManager em() {
        return ctx.session().getProvider(JpaConnectionProvider.class).getEntityManager();
    }
}
