package dev.llmgateway.keycloak.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.ConfigVersion;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.StringLists;
import jakarta.persistence.EntityManager;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/** Reads and changes a realm's routing rules. A realm without a stored row has the defaults. */
public class RoutingRulesService {

    static final int MAX_ALIASES = 500;
    static final int MAX_MODELS_PER_ALIAS = 20;
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}");

    private final RealmModel realm;
    private final EntityManager em;

    public RoutingRulesService(KeycloakSession session, RealmModel realm) {
        this.realm = realm;
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    public RoutingRules get() {
        LlmRoutingRulesEntity row = em.find(LlmRoutingRulesEntity.class, realm.getId());
        RoutingRules.Retry retry = row == null
                ? RoutingRules.Retry.DEFAULT
                : new RoutingRules.Retry(
                        row.getMaxAttempts(), row.getCooldownAfterFailures(), row.getCooldownSeconds());
        String strategy = row == null ? RoutingRules.DEFAULT_STRATEGY.id() : row.getStrategy();
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        for (LlmModelAliasEntity a : aliasRows()) {
            aliases.put(a.getAlias(), StringLists.read(a.getModels()));
        }
        return new RoutingRules(strategy, aliases, retry);
    }

    /**
     * Applies {@code {"strategy"?, "aliases"?, "retry"?}}: absent parts stay; {@code aliases} replaces all aliases.
     * Everything is validated before anything is written.
     */
    public RoutingRules update(ObjectNode body) {
        RoutingRules current = get();
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!Set.of("strategy", "aliases", "retry").contains(f)) {
                throw ApiErrors.unknownField("", f, "strategy, aliases, retry");
            }
        }
        String strategy = body.has("strategy") ? strategy(body.get("strategy")) : current.strategy();
        RoutingRules.Retry retry = body.has("retry") ? retry(body.get("retry"), current.retry()) : current.retry();
        Map<String, List<String>> aliases = body.has("aliases") ? aliases(body.get("aliases")) : null;

        LlmRoutingRulesEntity row = em.find(LlmRoutingRulesEntity.class, realm.getId());
        boolean created = row == null;
        if (created) {
            row = new LlmRoutingRulesEntity();
            row.setRealmId(realm.getId());
        }
        row.setStrategy(strategy);
        row.setMaxAttempts(retry.maxAttempts());
        row.setCooldownAfterFailures(retry.cooldownAfterFailures());
        row.setCooldownSeconds(retry.cooldownSeconds());
        row.setUpdatedAt(Time.currentTimeMillis());
        if (created) {
            em.persist(row);
        }
        if (aliases != null) {
            aliasRows().forEach(em::remove);
            em.flush();
            for (Map.Entry<String, List<String>> e : aliases.entrySet()) {
                LlmModelAliasEntity a = new LlmModelAliasEntity();
                a.setId(KeycloakModelUtils.generateId());
                a.setRealmId(realm.getId());
                a.setAlias(e.getKey());
                a.setModels(writeModels(e.getValue()));
                em.persist(a);
            }
        }
        em.flush();
        ConfigVersion.bump(realm);
        return get();
    }

    private List<LlmModelAliasEntity> aliasRows() {
        return em.createNamedQuery("llmAliasesByRealm", LlmModelAliasEntity.class)
                .setParameter("realmId", realm.getId())
                .getResultList();
    }

    private static String strategy(JsonNode node) {
        String known = String.join(
                ", ",
                Arrays.stream(RoutingStrategy.values()).map(RoutingStrategy::id).toList());
        if (node == null || !node.isTextual()) {
            throw ApiErrors.badRequest("strategy", "strategy must be one of: " + known);
        }
        return RoutingStrategy.fromId(node.asText().strip().toLowerCase(java.util.Locale.ROOT))
                .map(RoutingStrategy::id)
                .orElseThrow(() -> ApiErrors.badRequest(
                        "strategy",
                        "unknown strategy " + SafeText.quote(node.asText()) + "; expected one of: " + known));
    }

    private static RoutingRules.Retry retry(JsonNode node, RoutingRules.Retry current) {
        if (node == null || !node.isObject()) {
            throw ApiErrors.badRequest(
                    "retry", "retry must be an object with max_attempts, cooldown_after_failures, cooldown_seconds");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!Set.of("max_attempts", "cooldown_after_failures", "cooldown_seconds")
                    .contains(f)) {
                throw ApiErrors.unknownField("retry.", f, "max_attempts, cooldown_after_failures, cooldown_seconds");
            }
        }
        return new RoutingRules.Retry(
                bounded(node, "max_attempts", 1, 10, current.maxAttempts()),
                bounded(node, "cooldown_after_failures", 1, 100, current.cooldownAfterFailures()),
                bounded(node, "cooldown_seconds", 0, 3600, current.cooldownSeconds()));
    }

    private static int bounded(JsonNode node, String field, int min, int max, int current) {
        JsonNode v = node.get(field);
        if (v == null) {
            return current;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw ApiErrors.badRequest(
                    "retry." + field, "retry." + field + " must be a whole number between " + min + " and " + max);
        }
        return v.intValue();
    }

    private static Map<String, List<String>> aliases(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ApiErrors.badRequest(
                    "aliases", "aliases must be an object mapping an alias to a model id or a list of model ids");
        }
        if (node.size() > MAX_ALIASES) {
            throw ApiErrors.badRequest("aliases", "more than " + MAX_ALIASES + " aliases");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String alias = e.getKey();
            if (!ALIAS.matcher(alias).matches()) {
                throw ApiErrors.badRequest(
                        "aliases",
                        "alias " + SafeText.quote(alias)
                                + " must start with a letter or digit and use letters, digits and . _ : / @ - only");
            }
            if (alias.equals("auto")) {
                throw ApiErrors.badRequest(
                        "aliases", "'auto' is reserved: it lets the strategy choose any allowed model");
            }
            JsonNode target = e.getValue();
            Set<String> models = new LinkedHashSet<>();
            if (target.isTextual()) {
                models.add(target.asText().strip());
            } else if (target.isArray()) {
                target.forEach(m -> models.add(m.isTextual() ? m.asText().strip() : ""));
            }
            if (models.isEmpty()
                    || models.contains("")
                    || models.size() > MAX_MODELS_PER_ALIAS
                    || models.stream().anyMatch(m -> m.length() > 255)) {
                throw ApiErrors.badRequest(
                        "aliases",
                        "alias '" + alias + "' must name 1 to " + MAX_MODELS_PER_ALIAS
                                + " model ids (non-empty strings)");
            }
            if (models.contains(alias)) {
                throw ApiErrors.badRequest("aliases", "alias '" + alias + "' refers to itself");
            }
            out.put(alias, new ArrayList<>(models));
        }
        return out;
    }

    private static String writeModels(List<String> models) {
        String json = StringLists.write(models);
        if (json.length() > 4000) {
            throw ApiErrors.badRequest("aliases", "the model ids of one alias are longer than 4000 characters in all");
        }
        return json;
    }
}
