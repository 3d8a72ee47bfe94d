package dev.llmgateway.keycloak.powerlevel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.ConfigVersion;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.RateLimits;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.StringLists;
import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * A realm's power levels. A realm whose admins never changed them has the built-in three (Eco, Balanced, Precision)
 * without any stored row, so realms created before the extension was installed have them too.
 */
public class PowerLevelService {

    static final int MAX_LEVELS = 20;
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final Pattern COLOR = Pattern.compile("#[0-9A-Fa-f]{6}");
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final PowerLevels DEFAULTS = loadDefaults();

    private final KeycloakSession session;
    private final RealmModel realm;
    private final EntityManager em;

    public PowerLevelService(KeycloakSession session, RealmModel realm) {
        this.session = session;
        this.realm = realm;
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    public static PowerLevels defaults() {
        return DEFAULTS;
    }

    public PowerLevels get() {
        List<LlmPowerLevelEntity> rows = em.createNamedQuery("llmPowerLevelsByRealm", LlmPowerLevelEntity.class)
                .setParameter("realmId", realm.getId())
                .getResultList();
        if (rows.isEmpty()) {
            return DEFAULTS;
        }
        List<PowerLevel> levels = new ArrayList<>();
        String defaultKey = rows.get(0).getKey();
        for (LlmPowerLevelEntity r : rows) {
            levels.add(new PowerLevel(
                    r.getKey(),
                    r.getName(),
                    r.getDescription(),
                    r.getColor(),
                    r.getPriceCeiling(),
                    r.getModels() == null ? null : StringLists.read(r.getModels()),
                    r.getMonthlyBudget(),
                    r.getLimits()));
            if (r.isDefaultLevel()) {
                defaultKey = r.getKey();
            }
        }
        return new PowerLevels(List.copyOf(levels), defaultKey);
    }

    /** Replaces all levels with {@code {"levels":[…],"default":"…"}}, validated whole before anything is written. */
    public PowerLevels replace(ObjectNode body) {
        PowerLevels parsed = parse(body);
        em.createNamedQuery("llmPowerLevelsDeleteByRealm")
                .setParameter("realmId", realm.getId())
                .executeUpdate();
        int rank = 0;
        for (PowerLevel l : parsed.levels()) {
            LlmPowerLevelEntity e = new LlmPowerLevelEntity();
            e.setId(KeycloakModelUtils.generateId());
            e.setRealmId(realm.getId());
            e.setKey(l.id());
            e.setRank(rank++);
            e.setName(l.name());
            e.setDescription(l.description());
            e.setColor(l.color());
            e.setPriceCeiling(l.priceCeiling());
            e.setModels(l.models() == null ? null : StringLists.write(l.models()));
            e.setMonthlyBudget(l.monthlyBudget());
            e.setLimits(l.limits());
            e.setDefaultLevel(l.id().equals(parsed.defaultLevel()));
            em.persist(e);
        }
        em.flush();
        ConfigVersion.bump(realm);
        PowerLevels stored = get();
        PowerLevelProfile.syncOptions(session, realm, stored);
        return stored;
    }

    static PowerLevels parse(ObjectNode body) {
        requireOnly(body, "", Set.of("levels", "default"));
        JsonNode levels = body.get("levels");
        if (levels == null || !levels.isArray() || levels.isEmpty()) {
            throw ApiErrors.badRequest("levels", "levels must be a non-empty array, lowest level first");
        }
        if (levels.size() > MAX_LEVELS) {
            throw ApiErrors.badRequest("levels", "at most " + MAX_LEVELS + " levels");
        }
        List<PowerLevel> out = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < levels.size(); i++) {
            String at = "levels[" + i + "]";
            JsonNode l = levels.get(i);
            if (!l.isObject()) {
                throw ApiErrors.badRequest(at, at + " must be an object");
            }
            requireOnly(
                    l,
                    at + ".",
                    Set.of(
                            "id",
                            "name",
                            "description",
                            "color",
                            "price_ceiling",
                            "models",
                            "monthly_budget",
                            "limits",
                            "default"));
            String id = text(l, "id", at, true, 32);
            if (!KEY.matcher(id).matches()) {
                throw ApiErrors.badRequest(
                        at + ".id", at + ".id must be lower-case letters, digits, '-' or '_' (at most 32)");
            }
            if (!keys.add(id)) {
                throw ApiErrors.badRequest(at + ".id", "level id '" + id + "' is used twice");
            }
            String color = text(l, "color", at, false, 16);
            if (color != null && !COLOR.matcher(color).matches()) {
                throw ApiErrors.badRequest(at + ".color", at + ".color must look like #3B82F6");
            }
            BigDecimal ceiling = amount(l, "price_ceiling", at, 8);
            List<String> models = models(l, at);
            if (ceiling == null && (models == null || models.isEmpty())) {
                throw ApiErrors.badRequest(at, at + " needs a price_ceiling, a models list, or both");
            }
            out.add(new PowerLevel(
                    id,
                    text(l, "name", at, true, 255),
                    text(l, "description", at, false, 1024),
                    color,
                    ceiling,
                    models,
                    amount(l, "monthly_budget", at, 4),
                    RateLimits.parse(l.get("limits"), at + ".limits")));
        }
        String defaultKey = body.hasNonNull("default") ? body.get("default").asText() : null;
        if (defaultKey == null) {
            throw ApiErrors.badRequest("default", "default must name one of the levels");
        }
        if (!keys.contains(defaultKey)) {
            throw ApiErrors.badRequest(
                    "default", "default " + SafeText.quote(defaultKey) + " is not one of the levels");
        }
        return new PowerLevels(List.copyOf(out), defaultKey);
    }

    private static void requireOnly(JsonNode node, String prefix, Set<String> allowed) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!allowed.contains(f)) {
                throw ApiErrors.unknownField(
                        prefix, f, String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static String text(JsonNode node, String field, String at, boolean required, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiErrors.badRequest(at + "." + field, at + "." + field + " is required");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > max) {
            throw ApiErrors.badRequest(
                    at + "." + field,
                    at + "." + field + " must be a non-empty string of at most " + max + " characters");
        }
        return v.asText().strip();
    }

    /** A USD amount with at most {@code maxScale} decimal places (what its column stores, so nothing is rounded). */
    private static BigDecimal amount(JsonNode node, String field, String at, int maxScale) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        BigDecimal d;
        try {
            d = v.isNumber()
                    ? v.decimalValue()
                    : v.isTextual() ? new BigDecimal(v.asText().strip()) : null;
        } catch (NumberFormatException e) {
            d = null;
        }
        if (d == null || d.signum() < 0 || d.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            throw ApiErrors.badRequest(
                    at + "." + field, at + "." + field + " must be a number between 0 and 1000000 (USD)");
        }
        if (d.stripTrailingZeros().scale() > maxScale) {
            throw ApiErrors.badRequest(
                    at + "." + field, at + "." + field + " has more than " + maxScale + " decimal places");
        }
        return d;
    }

    private static List<String> models(JsonNode node, String at) {
        JsonNode v = node.get("models");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray() || v.size() > 200) {
            throw ApiErrors.badRequest(at + ".models", at + ".models must be an array of at most 200 model ids");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode m : v) {
            if (!m.isTextual() || m.asText().isBlank() || m.asText().length() > 255) {
                throw ApiErrors.badRequest(at + ".models", at + ".models must contain non-empty model ids");
            }
            ids.add(m.asText().strip());
        }
        if (JSON.valueToTree(ids).toString().length() > 4000) {
            throw ApiErrors.badRequest(at + ".models", at + ".models is longer than 4000 characters in all");
        }
        return List.copyOf(ids);
    }

    private static PowerLevels loadDefaults() {
        try (InputStream in = PowerLevelService.class.getResourceAsStream("/llm-gateway/default-power-levels.json")) {
            if (in == null) {
                throw new IllegalStateException(
                        "llm-gateway/default-power-levels.json is missing from the extension jar");
            }
            ObjectNode root = (ObjectNode) JSON.readTree(in);
            root.remove("_comment");
            return parse(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
