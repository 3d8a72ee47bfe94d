package dev.llmgateway.keycloak.provider;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.llmgateway.keycloak.catalog.LlmModelEntity;
import dev.llmgateway.keycloak.catalog.ModelCatalog;
import dev.llmgateway.keycloak.catalog.ModelView;
import dev.llmgateway.keycloak.catalog.PriceTables;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.ConfigVersion;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.crypto.KeyHints;
import dev.llmgateway.keycloak.crypto.SecretCipher;
import dev.llmgateway.keycloak.vendor.ConnectionResult;
import dev.llmgateway.keycloak.vendor.ListedModel;
import jakarta.persistence.EntityManager;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Provider management for one realm. Vendor calls happen before anything is written, and every write of a request
 * happens in Keycloak's request transaction, so a failed request leaves nothing behind.
 */
public class ProviderService {

    private final RealmModel realm;
    private final EntityManager em;
    private final LlmGatewayConfig config;
    private ModelCatalog catalog;

    public ProviderService(KeycloakSession session, RealmModel realm) {
        this.realm = realm;
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        this.config = session.getProvider(LlmGatewayConfig.class);
    }

    /**
     * The model catalogue prices and model names come from: the built-in one with the realm's imported price table
     * over it.
     */
    public ModelCatalog catalog() {
        if (catalog == null) {
            catalog = new PriceTables(em, realm, config.catalog()).catalog();
        }
        return catalog;
    }

    public List<LlmProviderEntity> list() {
        return em.createNamedQuery("llmProvidersByRealm", LlmProviderEntity.class)
                .setParameter("realmId", realm.getId())
                .getResultList();
    }

    public LlmProviderEntity get(String id) {
        // No provider id holds a control character: such an id is not looked up (PostgreSQL refuses NUL in a query).
        if (id == null || id.length() > 255 || SafeText.firstForbidden(id) >= 0) {
            throw ApiErrors.notFound("provider " + SafeText.quote(id) + " not found in realm " + realm.getName());
        }
        return em.createNamedQuery("llmProviderByRealmAndId", LlmProviderEntity.class)
                .setParameter("realmId", realm.getId())
                .setParameter("id", id)
                .getResultStream()
                .findFirst()
                .orElseThrow(() -> ApiErrors.notFound(
                        "provider " + SafeText.quote(id) + " not found in realm " + realm.getName()));
    }

    public List<ModelView> models(LlmProviderEntity p) {
        return em.createNamedQuery("llmModelsByProvider", LlmModelEntity.class)
                .setParameter("providerId", p.getId())
                .getResultStream()
                .map(m -> ModelView.of(m, p.getType(), p.getName(), catalog()))
                .toList();
    }

    /** Every model of the realm, in provider order. Two queries, whatever the number of providers. */
    public List<ModelView> allModels() {
        List<LlmProviderEntity> providers = list();
        Map<String, List<ModelView>> byProvider = new HashMap<>();
        Map<String, LlmProviderEntity> byId = new HashMap<>();
        providers.forEach(p -> byId.put(p.getId(), p));
        em.createNamedQuery("llmModelsByRealm", LlmModelEntity.class)
                .setParameter("realmId", realm.getId())
                .getResultStream()
                .forEach(m -> {
                    LlmProviderEntity p = byId.get(m.getProviderId());
                    byProvider
                            .computeIfAbsent(m.getProviderId(), k -> new ArrayList<>())
                            .add(ModelView.of(m, p.getType(), p.getName(), catalog()));
                });
        List<ModelView> out = new ArrayList<>();
        providers.forEach(p -> out.addAll(byProvider.getOrDefault(p.getId(), List.of())));
        return out;
    }

    /** Models the gateway can route to now: enabled models of enabled providers. */
    public int activeModelCount() {
        return em.createQuery(
                        "select count(m) from LlmModelEntity m, LlmProviderEntity p where m.providerId = p.id"
                                + " and p.realmId = :realmId and p.enabled = true and m.enabled = true",
                        Long.class)
                .setParameter("realmId", realm.getId())
                .getSingleResult()
                .intValue();
    }

    public ProviderRepresentation represent(LlmProviderEntity p, boolean withModels) {
        return Providers.toRepresentation(p, models(p), withModels);
    }

    /**
     * The save-time check of a base URL an admin gives (provider create and update, connection tests): a 400 naming
     * {@code baseUrl} when the outbound policy refuses its address. A host that does not resolve yet passes; every
     * connection is checked again when it is made.
     */
    public void requireAllowedBaseUrl(String baseUrl) {
        if (baseUrl == null) {
            return;
        }
        String refusal = config.outboundPolicy().saveRefusal(baseUrl);
        if (refusal != null) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl is not allowed by the outbound policy: " + refusal);
        }
    }

    public ConnectionResult testKey(ProviderType type, String baseUrl, String apiKey) {
        String url = baseUrl != null ? baseUrl : type.defaultBaseUrl();
        return config.connectionTester().test(type, url, apiKey, config.vendorTestTimeout());
    }

    public LlmProviderEntity create(ProviderInput in) {
        requireAllowedBaseUrl(in.baseUrl());
        SecretCipher cipher = config.cipher(realm);
        String name = in.name() != null ? in.name() : uniqueDefaultName(in.type());
        requireUniqueName(name, "");
        ConnectionResult test = testKey(in.type(), in.baseUrl(), in.apiKey());

        long now = Time.currentTimeMillis();
        LlmProviderEntity p = new LlmProviderEntity();
        p.setId(KeycloakModelUtils.generateId());
        p.setRealmId(realm.getId());
        p.setName(name);
        p.setType(in.type().id());
        p.setBaseUrl(in.baseUrl());
        p.setPriority(in.priority() != null ? in.priority() : ProviderInput.DEFAULT_PRIORITY);
        p.setAutoFallback(in.autoFallback() == null || in.autoFallback());
        p.setEnabled(in.enabled() == null || in.enabled());
        p.setLimits(in.limits());
        p.setModelsPinned(in.models() != null && !in.models().isEmpty());
        p.setCreatedAt(now);
        p.setUpdatedAt(now);
        storeKey(p, cipher, in.apiKey());
        recordTest(p, test, now);
        em.persist(p);
        syncModels(p, p.isModelsPinned() ? in.models() : null, test);
        em.flush();
        ConfigVersion.bump(realm);
        return p;
    }

    public LlmProviderEntity update(LlmProviderEntity p, ProviderInput in) {
        if (in.type() != null && !in.type().id().equals(p.getType())) {
            throw ApiErrors.badRequest(
                    "type", "type cannot be changed (" + p.getType() + "); create a new provider instead");
        }
        ProviderType type = Providers.type(p);
        if (in.baseUrlGiven() && in.baseUrl() == null && type.requiresBaseUrl()) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl is required for provider type '" + type.id() + "'");
        }
        if (in.baseUrlGiven()) {
            requireAllowedBaseUrl(in.baseUrl());
        }
        SecretCipher cipher = in.apiKey() != null ? config.cipher(realm) : null;
        if (in.name() != null) {
            requireUniqueName(in.name(), p.getId());
        }
        boolean connectionChanged =
                in.apiKey() != null || (in.baseUrlGiven() && !Objects.equals(in.baseUrl(), p.getBaseUrl()));
        ConnectionResult test = null;
        if (connectionChanged) {
            String key = in.apiKey() != null ? in.apiKey() : apiKey(p);
            String baseUrl = in.baseUrlGiven() ? in.baseUrl() : p.getBaseUrl();
            test = testKey(type, baseUrl, key);
        }

        long now = Time.currentTimeMillis();
        if (in.name() != null) {
            p.setName(in.name());
        }
        if (in.baseUrlGiven()) {
            p.setBaseUrl(in.baseUrl());
        }
        if (in.priority() != null) {
            p.setPriority(in.priority());
        }
        if (in.autoFallback() != null) {
            p.setAutoFallback(in.autoFallback());
        }
        if (in.limits() != null) {
            p.setLimits(in.limits());
        }
        if (in.enabled() != null) {
            p.setEnabled(in.enabled());
        }
        if (in.apiKey() != null) {
            storeKey(p, cipher, in.apiKey());
        }
        if (test != null) {
            recordTest(p, test, now);
        }
        if (in.modelsGiven()) {
            p.setModelsPinned(in.models() != null && !in.models().isEmpty());
        }
        p.setUpdatedAt(now);
        if (in.modelsGiven() || test != null) {
            syncModels(p, p.isModelsPinned() ? pinnedIds(p, in) : null, test);
        }
        em.flush();
        ConfigVersion.bump(realm);
        return p;
    }

    /** Tests the stored key against the vendor, and records the outcome and the listed models. */
    public ConnectionResult test(LlmProviderEntity p) {
        return record(p, testKey(Providers.type(p), p.getBaseUrl(), apiKey(p)));
    }

    private ConnectionResult record(LlmProviderEntity p, ConnectionResult result) {
        long now = Time.currentTimeMillis();
        recordTest(p, result, now);
        p.setUpdatedAt(now);
        syncModels(p, p.isModelsPinned() ? currentIds(p) : null, result);
        em.flush();
        ConfigVersion.bump(realm);
        return result;
    }

    /**
     * The health check's test of a provider in {@code error}: like {@link #test} when the vendor answers (the provider
     * is active again and every node's routing learns it); otherwise only the attempt's time and error are recorded,
     * and routing is left as it is.
     */
    public boolean recheck(LlmProviderEntity p) {
        ConnectionResult result = testKey(Providers.type(p), p.getBaseUrl(), apiKey(p));
        if (result.success()) {
            record(p, result);
            return true;
        }
        p.setLastTestedAt(Time.currentTimeMillis());
        p.setLastLatencyMs(result.latencyMs());
        p.setLastError(result.error());
        em.flush();
        return false;
    }

    /** A call through the provider's key succeeded: a provider in {@code error} is active again. */
    public boolean markAnswered(LlmProviderEntity p) {
        if (!Providers.STATUS_ERROR.equals(p.getStatus())) {
            return false;
        }
        p.setStatus(Providers.STATUS_ACTIVE);
        p.setLastError(null);
        p.setUpdatedAt(Time.currentTimeMillis());
        em.flush();
        ConfigVersion.bump(realm);
        return true;
    }

    public void delete(LlmProviderEntity p) {
        em.createNamedQuery("llmModelsDeleteByProvider")
                .setParameter("providerId", p.getId())
                .executeUpdate();
        em.remove(p);
        em.flush();
        ConfigVersion.bump(realm);
    }

    public LlmModelEntity model(LlmProviderEntity p, String modelId) {
        return em.createNamedQuery("llmModelsByProvider", LlmModelEntity.class)
                .setParameter("providerId", p.getId())
                .getResultStream()
                .filter(m -> m.getModelId().equals(modelId))
                .findFirst()
                .orElseThrow(() -> ApiErrors.notFound(
                        "model " + SafeText.quote(modelId) + " is not offered by provider " + p.getName()));
    }

    /** To be called after changing a model row of the realm. */
    public void modelChanged() {
        em.flush();
        ConfigVersion.bump(realm);
    }

    public ModelView view(LlmProviderEntity p, LlmModelEntity m) {
        return ModelView.of(m, p.getType(), p.getName(), catalog());
    }

    /** Decrypts the provider's key for a vendor call. Never return or log the result. */
    String apiKey(LlmProviderEntity p) {
        return config.cipher(realm).decrypt(p.getApiKeySealed(), keyContext(p));
    }

    /** The associated data a provider key is sealed with: its realm and row. */
    public static String keyContext(LlmProviderEntity p) {
        return "provider|" + p.getRealmId() + "|" + p.getId();
    }

    private void storeKey(LlmProviderEntity p, SecretCipher cipher, String apiKey) {
        p.setApiKeySealed(cipher.encrypt(apiKey, keyContext(p)));
        p.setApiKeyHint(KeyHints.of(apiKey));
    }

    private static void recordTest(LlmProviderEntity p, ConnectionResult test, long now) {
        p.setStatus(test.success() ? Providers.STATUS_ACTIVE : Providers.STATUS_ERROR);
        p.setLastTestedAt(now);
        p.setLastLatencyMs(test.latencyMs());
        p.setLastError(test.error());
    }

    private List<String> pinnedIds(LlmProviderEntity p, ProviderInput in) {
        return in.modelsGiven() ? in.models() : currentIds(p);
    }

    private List<String> currentIds(LlmProviderEntity p) {
        return em.createNamedQuery("llmModelsByProvider", LlmModelEntity.class)
                .setParameter("providerId", p.getId())
                .getResultStream()
                .map(LlmModelEntity::getModelId)
                .toList();
    }

    /**
     * Makes the provider's model rows match: the pinned ids when the admin named models, else the vendor's list.
     * A failed test with nothing pinned leaves the rows as they were (a vendor outage must not empty the catalogue).
     */
    private void syncModels(LlmProviderEntity p, List<String> pinned, ConnectionResult test) {
        Map<String, ListedModel> listed = new LinkedHashMap<>();
        if (test != null && test.success()) {
            test.models().forEach(m -> listed.putIfAbsent(m.id(), m));
        }
        List<String> wanted;
        if (pinned != null) {
            wanted = pinned;
        } else if (test != null && test.success()) {
            wanted = new ArrayList<>(listed.keySet());
        } else {
            return;
        }
        Map<String, LlmModelEntity> existing = new HashMap<>();
        em.createNamedQuery("llmModelsByProvider", LlmModelEntity.class)
                .setParameter("providerId", p.getId())
                .getResultStream()
                .forEach(m -> existing.put(m.getModelId(), m));
        for (String id : wanted) {
            LlmModelEntity row = existing.remove(id);
            if (row == null) {
                row = new LlmModelEntity();
                row.setId(KeycloakModelUtils.generateId());
                row.setProviderId(p.getId());
                row.setRealmId(p.getRealmId());
                row.setModelId(id);
                row.setEnabled(true);
                em.persist(row);
            }
            ListedModel l = listed.get(id);
            if (l != null) {
                row.setDisplayName(truncate(l.displayName()));
                row.setContextWindow(l.contextWindow());
                row.setListedInputPrice(l.inputPrice());
                row.setListedOutputPrice(l.outputPrice());
                row.setListedCachedPrice(l.cachedInputPrice());
                row.setListedCacheWritePrice(l.cacheWritePrice());
            }
        }
        existing.values().forEach(em::remove);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 255 ? s : s.substring(0, 255);
    }

    private String uniqueDefaultName(ProviderType type) {
        String base = type.displayName();
        String name = base;
        for (int i = 2; nameTaken(name, ""); i++) {
            name = base + " " + i;
        }
        return name;
    }

    private void requireUniqueName(String name, String exceptId) {
        if (nameTaken(name, exceptId)) {
            throw ApiErrors.conflict(
                    "name", "a provider named " + SafeText.quote(name) + " already exists in realm " + realm.getName());
        }
    }

    private boolean nameTaken(String name, String exceptId) {
        return em.createNamedQuery("llmProviderCountByRealmAndName", Long.class)
                        .setParameter("realmId", realm.getId())
                        .setParameter("name", name)
                        .setParameter("id", exceptId)
                        .getSingleResult()
                > 0;
    }
}
