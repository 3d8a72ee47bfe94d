package dev.llmgateway.keycloak.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.llmgateway.keycloak.usage.Rollup.Cube;
import dev.llmgateway.keycloak.usage.Rollup.Grain;
import dev.llmgateway.keycloak.usage.UsageAnalytics.Filters;
import dev.llmgateway.keycloak.usage.UsageAnalytics.Window;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;

/**
 * Writes usage as CSV (RFC 4180, header row, UTC ISO-8601 times), page by page in key order so memory stays flat
 * however many rows there are. Never a key, hint or request body: events hold none. Cells that a spreadsheet would
 * take for a formula are prefixed with a quote.
 */
public final class UsageExport {

    static final int PAGE = 10_000;

    private final String realmId;
    private final Window window;
    private final Filters filters;
    private final boolean withUsers;

    public UsageExport(String realmId, Window window, Filters filters, boolean withUsers) {
        this.realmId = realmId;
        this.window = window;
        this.filters = filters;
        this.withUsers = withUsers;
    }

    /** One row per usage event of the window, oldest first. */
    public long writeEvents(EntityManager em, Writer out) {
        List<String> header = new ArrayList<>(List.of("time"));
        if (withUsers) {
            header.add("user_id");
        }
        header.addAll(List.of(
                "client_id",
                "source",
                "provider_id",
                "provider_type",
                "model",
                "requested_model",
                "level",
                "prompt_tokens",
                "completion_tokens",
                "cached_tokens",
                "cache_write_tokens",
                "reasoning_tokens",
                "cost",
                "byok",
                "streamed",
                "status",
                "outcome",
                "attempts",
                "latency_ms",
                "usage_estimated",
                "vendor_cost",
                "call_kind"));
        line(out, header);
        StringBuilder jpql = new StringBuilder("select e.id, e.createdAt, e.userId, e.clientId, e.source, e.providerId,"
                + " e.providerType, e.model, e.requestedModel, e.level, e.promptTokens, e.completionTokens,"
                + " e.cachedTokens, e.cacheWriteTokens, e.reasoningTokens, e.cost, e.byok, e.streamed, e.status,"
                + " e.outcome, e.attempts, e.latencyMs, e.usageEstimated, e.vendorCost, e.kind from LlmUsageEventEntity e"
                + " where e.realmId = :realmId"
                + " and e.createdAt between :from and :to"
                // The first condition bounds the index range scan; the second skips what the last page held.
                + " and e.createdAt >= :lastAt and (e.createdAt > :lastAt or e.id > :lastId)");
        Map<String, Object> params = filterParams(jpql, "e", "userId");
        jpql.append(" order by e.createdAt, e.id");
        long lastAt = Long.MIN_VALUE;
        String lastId = "";
        long written = 0;
        List<String> cells = new ArrayList<>(header.size());
        while (true) {
            TypedQuery<Object[]> q = em.createQuery(jpql.toString(), Object[].class)
                    .setParameter("realmId", realmId)
                    .setParameter("from", window.from().toEpochMilli())
                    .setParameter("to", window.to().toEpochMilli())
                    .setParameter("lastAt", lastAt)
                    .setParameter("lastId", lastId)
                    .setMaxResults(PAGE);
            params.forEach(q::setParameter);
            List<Object[]> page = q.getResultList();
            for (Object[] r : page) {
                cells.clear();
                cells.add(Instant.ofEpochMilli((Long) r[1]).toString());
                if (withUsers) {
                    cells.add(text(r[2]));
                }
                for (int i = 3; i <= 9; i++) {
                    cells.add(text(r[i]));
                }
                for (int i = 10; i <= 14; i++) {
                    cells.add(r[i].toString());
                }
                cells.add(money(r[15]));
                for (int i = 16; i <= 22; i++) {
                    cells.add(r[i].toString());
                }
                cells.add(money(r[23]));
                cells.add(text(r[24]));
                line(out, cells);
            }
            written += page.size();
            if (page.size() < PAGE) {
                return written;
            }
            Object[] last = page.get(page.size() - 1);
            lastAt = (Long) last[1];
            lastId = (String) last[0];
            em.clear();
        }
    }

    private static String money(Object amount) {
        return amount == null ? "" : ((BigDecimal) amount).stripTrailingZeros().toPlainString();
    }

    /** The daily rollups of the window: one row per UTC day and key. */
    public long writeDaily(EntityManager em, Writer out) {
        List<String> header = new ArrayList<>(List.of("day"));
        if (withUsers) {
            header.add("user_id");
        }
        header.addAll(List.of(
                "client_id",
                "provider_id",
                "model",
                "level",
                "calls",
                "errors",
                "fallback_calls",
                "attempts",
                "prompt_tokens",
                "completion_tokens",
                "cached_tokens",
                "cache_write_tokens",
                "reasoning_tokens",
                "cost",
                "unpriced_calls",
                "byok_calls",
                "byok_saved",
                "latency_ms_total"));
        line(out, header);
        Cube cube = withUsers ? Cube.ALL : Cube.ALL_BUT_USER;
        StringBuilder jpql = new StringBuilder("select r from LlmUsageRollupEntity r where r.realmId = :realmId"
                + " and r.dims = :dims and r.grain = :grain and r.bucket between :from and :to"
                + " and r.bucket >= :lastBucket and (r.bucket > :lastBucket or r.id > :lastId)");
        Map<String, Object> params = filterParams(jpql, "r", "userId");
        jpql.append(" order by r.bucket, r.id");
        int lastBucket = Integer.MIN_VALUE;
        String lastId = "";
        long written = 0;
        List<String> cells = new ArrayList<>(header.size());
        while (true) {
            TypedQuery<LlmUsageRollupEntity> q = em.createQuery(jpql.toString(), LlmUsageRollupEntity.class)
                    .setParameter("realmId", realmId)
                    .setParameter("dims", cube.code)
                    .setParameter("grain", Grain.DAY.code)
                    .setParameter("from", UsageLedger.day(window.firstDay()))
                    .setParameter("to", UsageLedger.day(window.lastDay()))
                    .setParameter("lastBucket", lastBucket)
                    .setParameter("lastId", lastId)
                    .setHint("org.hibernate.readOnly", true)
                    .setMaxResults(PAGE);
            params.forEach(q::setParameter);
            List<LlmUsageRollupEntity> page = q.getResultList();
            for (LlmUsageRollupEntity r : page) {
                Rollup.Totals t = r.totals();
                cells.clear();
                cells.add(Rollup.dayOf(r.getBucket()).toString());
                if (withUsers) {
                    cells.add(r.getUserId());
                }
                cells.add(r.getClientId());
                cells.add(r.getProviderId());
                cells.add(r.getModel());
                cells.add(r.getLevel());
                for (long n : new long[] {
                    t.calls,
                    t.errors,
                    t.fallbacks,
                    t.attempts,
                    t.promptTokens,
                    t.completionTokens,
                    t.cachedTokens,
                    t.cacheWriteTokens,
                    t.reasoningTokens
                }) {
                    cells.add(Long.toString(n));
                }
                cells.add(t.cost.stripTrailingZeros().toPlainString());
                cells.add(Long.toString(t.unpriced));
                cells.add(Long.toString(t.byokCalls));
                cells.add(t.byokCost.stripTrailingZeros().toPlainString());
                cells.add(Long.toString(t.latencyMs));
                line(out, cells);
            }
            written += page.size();
            if (page.size() < PAGE) {
                return written;
            }
            LlmUsageRollupEntity last = page.get(page.size() - 1);
            lastBucket = last.getBucket();
            lastId = last.getId();
            em.clear();
        }
    }

    private Map<String, Object> filterParams(StringBuilder jpql, String alias, String userField) {
        Map<String, Object> params = new LinkedHashMap<>();
        add(jpql, params, alias, userField, "user", filters.user());
        add(jpql, params, alias, "providerId", "provider", filters.provider());
        add(jpql, params, alias, "model", "model", filters.model());
        add(jpql, params, alias, "clientId", "client", filters.client());
        add(jpql, params, alias, "level", "level", filters.level());
        return params;
    }

    private static void add(
            StringBuilder jpql, Map<String, Object> params, String alias, String field, String name, String v) {
        if (v != null) {
            jpql.append(" and ")
                    .append(alias)
                    .append('.')
                    .append(field)
                    .append(" = :")
                    .append(name);
            params.put(name, v);
        }
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    static void line(Writer out, List<String> cells) {
        try {
            for (int i = 0; i < cells.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(cell(cells.get(i)));
            }
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RFC 4180 quoting; a leading =, +, -, @, tab or CR gets a quote in front so spreadsheets show it as text. */
    static String cell(String v) {
        if (v.isEmpty()) {
            return v;
        }
        char c = v.charAt(0);
        boolean formula = c == '=' || c == '+' || c == '@' || c == '\t' || c == '\r' || (c == '-' && !isNumber(v));
        String s = formula ? "'" + v : v;
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    private static boolean isNumber(String v) {
        return v.matches("-?[0-9]+(\\.[0-9]+)?");
    }
}
