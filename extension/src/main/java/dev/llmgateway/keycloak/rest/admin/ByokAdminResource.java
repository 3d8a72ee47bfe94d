package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.byok.ByokSettings;
import dev.llmgateway.keycloak.byok.LlmUserKeyEntity;
import dev.llmgateway.keycloak.byok.UserKeyService;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.usage.UsageLedger;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.UserModel;

/**
 * {@code /admin/realms/{realm}/llm/byok}: how many users bring their own keys, what that saved the organisation, who
 * has keys for which provider types (never the keys), and the realm's BYOK settings.
 */
public class ByokAdminResource {

    private static final int MAX_PAGE = 100;

    private final AdminContext ctx;

    public ByokAdminResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    /**
     * {@code ?from=&to=} (UTC dates, inclusive; default: this month so far) bound the cost saved; {@code first} and
     * {@code max} page the users.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ByokOverview overview(
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("first") String first,
            @QueryParam("max") String max) {
        ctx.requireView();
        ctx.auth().users().requireView();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate toDay = date("to", to, today);
        LocalDate fromDay = date("from", from, toDay.withDayOfMonth(1));
        if (fromDay.isAfter(toDay)) {
            throw ApiErrors.badRequest("from", "from (" + fromDay + ") is after to (" + toDay + ")");
        }
        // Read as text: a value that is not a whole number (first=abc, max=2147483648) is a 400 naming it, not a 404.
        int offset = whole(first, 0);
        int size = whole(max, 20);
        if (offset < 0) {
            throw ApiErrors.badRequest("first", "first must be 0 or more");
        }
        if (size < 1 || size > MAX_PAGE) {
            throw ApiErrors.badRequest("max", "max must be between 1 and " + MAX_PAGE);
        }
        String realmId = ctx.realm().getId();
        EntityManager em =
                ctx.session().getProvider(JpaConnectionProvider.class).getEntityManager();

        Object[] totals = em.createNamedQuery("llmUsageDailyByokTotals", Object[].class)
                .setParameter("realmId", realmId)
                .setParameter("fromDay", UsageLedger.day(fromDay))
                .setParameter("toDay", UsageLedger.day(toDay))
                .getSingleResult();
        BigDecimal saved = totals[0] == null ? BigDecimal.ZERO : (BigDecimal) totals[0];
        long calls = totals[1] == null ? 0 : ((Number) totals[1]).longValue();

        Map<String, Long> byType = new TreeMap<>();
        for (Object[] row : em.createNamedQuery("llmUserKeysCountByType", Object[].class)
                .setParameter("realmId", realmId)
                .getResultList()) {
            byType.put((String) row[0], ((Number) row[1]).longValue());
        }
        long usersWithKeys = em.createNamedQuery("llmUserKeysUserCount", Long.class)
                .setParameter("realmId", realmId)
                .getSingleResult();

        List<String> page = em.createNamedQuery("llmUserKeysUserPage", String.class)
                .setParameter("realmId", realmId)
                .setFirstResult(offset)
                .setMaxResults(size)
                .getResultList();
        Map<String, List<String>> typesByUser = new LinkedHashMap<>();
        page.forEach(id -> typesByUser.put(id, new ArrayList<>()));
        if (!page.isEmpty()) {
            for (LlmUserKeyEntity k : em.createNamedQuery("llmUserKeysOfUsers", LlmUserKeyEntity.class)
                    .setParameter("realmId", realmId)
                    .setParameter("userIds", page)
                    .getResultList()) {
                typesByUser.get(k.getUserId()).add(k.getProviderType());
            }
        }
        List<ByokUser> users = new ArrayList<>();
        typesByUser.forEach((id, types) -> {
            UserModel u = ctx.session().users().getUserById(ctx.realm(), id);
            users.add(new ByokUser(id, u == null ? null : u.getUsername(), u != null && u.isEnabled(), types));
        });
        CostSaved costSaved = new CostSaved("USD", fromDay.toString(), toDay.toString(), Decimals.plain(saved), calls);
        return new ByokOverview(usersWithKeys, byType, costSaved, users, offset, size);
    }

    @GET
    @Path("settings")
    @Produces(MediaType.APPLICATION_JSON)
    public ByokSettingsView settings() {
        ctx.requireView();
        return represent(ByokSettings.of(ctx.realm()));
    }

    /**
     * {@code {"provider_types": null | ["openai", …], "fallback_to_organization_key": false}}; {@code null} types:
     * every type the realm has a provider of. Absent fields keep their value.
     */
    @PUT
    @Path("settings")
    @Produces(MediaType.APPLICATION_JSON)
    public ByokSettingsView updateSettings(InputStream body) {
        ctx.requireManage();
        ObjectNode json = ctx.body(body);
        ByokSettings current = ByokSettings.of(ctx.realm());
        List<String> types = current.providerTypes();
        boolean fallback = current.fallbackToOrganizationKey();
        var fields = json.fieldNames();
        while (fields.hasNext()) {
            String f = fields.next();
            JsonNode v = json.get(f);
            switch (f) {
                case "provider_types", "providerTypes" -> types = types(v);
                case "fallback_to_organization_key", "fallbackToOrganizationKey" -> {
                    if (!v.isBoolean()) {
                        throw ApiErrors.badRequest(f, f + " must be true or false");
                    }
                    fallback = v.booleanValue();
                }
                default -> throw ApiErrors.unknownField("", f, "provider_types, fallback_to_organization_key");
            }
        }
        ByokSettings updated = new ByokSettings(types, fallback);
        updated.store(ctx.realm());
        ByokSettingsView out = represent(updated);
        ctx.event(OperationType.UPDATE, "LLM_BYOK_SETTINGS", out, "llm", "byok", "settings");
        return out;
    }

    private ByokSettingsView represent(ByokSettings s) {
        return new ByokSettingsView(
                s.providerTypes(),
                s.fallbackToOrganizationKey(),
                List.copyOf(UserKeyService.offeredTypes(ctx.session(), ctx.realm())));
    }

    /**
     * The overview: users with keys, keys per provider type (sorted by type), what BYOK calls saved in the period,
     * and one page of users with the types they have keys for (never keys, hints or ciphertexts).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ByokOverview(
            @JsonProperty("users_with_keys") long usersWithKeys,
            @JsonProperty("keys_by_type") Map<String, Long> keysByType,
            @JsonProperty("cost_saved") CostSaved costSaved,
            @JsonProperty("users") List<ByokUser> users,
            @JsonProperty("first") int first,
            @JsonProperty("max") int max) {}

    /** What the organisation did not pay because users brought their own keys, over UTC days {@code from}–{@code to}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CostSaved(
            @JsonProperty("currency") String currency,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("amount") BigDecimal amount,
            @JsonProperty("calls") long calls) {}

    /** A user with keys; {@code username} is absent when the user no longer exists. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ByokUser(
            @JsonProperty("id") String id,
            @JsonProperty("username") String username,
            @JsonProperty("enabled") boolean enabled,
            @JsonProperty("provider_types") List<String> providerTypes) {}

    /**
     * The realm's BYOK settings: {@code provider_types} absent means every type the realm has a provider of;
     * {@code offered_types} are the types users may bring keys for now.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ByokSettingsView(
            @JsonProperty("provider_types") List<String> providerTypes,
            @JsonProperty("fallback_to_organization_key") boolean fallbackToOrganizationKey,
            @JsonProperty("offered_types") List<String> offeredTypes) {}

    private static List<String> types(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw ApiErrors.badRequest(
                    "provider_types",
                    "provider_types must be null (every configured type) or a list of provider types");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode t : v) {
            String id = (t.isTextual() ? ProviderType.fromId(t.asText()) : Optional.<ProviderType>empty())
                    .map(ProviderType::id)
                    .orElseThrow(() -> ApiErrors.badRequest(
                            "provider_types",
                            "unknown provider type in provider_types; known types: " + ProviderType.knownIds()));
            if (!out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** A query parameter as a whole number; -1 for anything else (then refused by the range checks). */
    private static int whole(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static LocalDate date(String field, String value, LocalDate fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ApiErrors.badRequest(field, field + " must be a date like 2026-11-01");
        }
    }
}
