package dev.llmgateway.keycloak.byok;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.crypto.KeyHints;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderInput;
import dev.llmgateway.keycloak.provider.ProviderService;
import dev.llmgateway.keycloak.provider.Providers;
import dev.llmgateway.keycloak.vendor.ConnectionResult;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * One user's own provider keys in one realm. Every method acts on the given user only; keys are sealed like provider
 * keys (bound to realm, user and type, so a sealed key copied to another row does not open) and never returned.
 */
public class UserKeyService {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final UserModel user;
    private final EntityManager em;
    private final LlmGatewayConfig config;

    public UserKeyService(KeycloakSession session, RealmModel realm, UserModel user) {
        this.session = session;
        this.realm = realm;
        this.user = user;
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        this.config = session.getProvider(LlmGatewayConfig.class);
    }

    /** The associated data a user's key is sealed with. */
    public static String keyContext(LlmUserKeyEntity k) {
        return "byok|" + k.getRealmId() + "|" + k.getUserId() + "|" + k.getProviderType();
    }

    /** The provider types this realm takes users' keys for: types it has a provider of, narrowed by the setting. */
    public static Set<String> offeredTypes(KeycloakSession session, RealmModel realm) {
        Set<String> configured = new LinkedHashSet<>();
        for (LlmProviderEntity p : new ProviderService(session, realm).list()) {
            configured.add(p.getType());
        }
        return ByokSettings.of(realm).offered(configured);
    }

    /** One row per offered type, plus any type the user still has a key for that is no longer offered. */
    public List<UserKey> list() {
        Map<String, LlmUserKeyEntity> keys = new LinkedHashMap<>();
        rows().forEach(k -> keys.put(k.getProviderType(), k));
        Set<String> offered = offeredTypes(session, realm);
        Set<String> types = new LinkedHashSet<>(offered);
        types.addAll(keys.keySet());
        List<UserKey> out = new ArrayList<>();
        for (String type : types) {
            out.add(UserKey.of(type, keys.get(type), offered.contains(type)));
        }
        return out;
    }

    /** Creates or replaces the user's key for a type. Nothing is called at the vendor; {@link #test} does that. */
    public UserKey put(String type, ObjectNode body) {
        ProviderType providerType = offeredType(type);
        if (body.has("apiKey") && body.has("api_key")) {
            throw ApiErrors.badRequest("apiKey", "the key is given twice (as apiKey and as api_key); send one");
        }
        JsonNode field = body.has("apiKey") ? body.get("apiKey") : body.get("api_key");
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("apiKey") && !f.equals("api_key")) {
                throw ApiErrors.unknownField("", f, "apiKey (the only one)");
            }
        });
        String apiKey = ProviderInput.apiKey(field, true);
        long now = Time.currentTimeMillis();
        LlmUserKeyEntity k = row(providerType.id());
        boolean created = k == null;
        if (created) {
            k = new LlmUserKeyEntity();
            k.setId(KeycloakModelUtils.generateId());
            k.setRealmId(realm.getId());
            k.setUserId(user.getId());
            k.setProviderType(providerType.id());
            k.setCreatedAt(now);
        } else {
            k.setLastUsedAt(null);
        }
        k.setKeySealed(config.cipher(realm).encrypt(apiKey, keyContext(k)));
        k.setKeyHint(KeyHints.of(apiKey));
        k.setUpdatedAt(now);
        k.setLastTestAt(null);
        k.setLastTestOk(null);
        k.setLastTestLatencyMs(null);
        k.setLastTestError(null);
        if (created) {
            em.persist(k);
        }
        em.flush();
        return UserKey.of(providerType.id(), k, true);
    }

    public void delete(String type) {
        LlmUserKeyEntity k = existing(type);
        em.remove(k);
        em.flush();
    }

    /** A real list-models call through the realm's provider of the type, with the user's key; the result is kept. */
    public KeyTestResult test(String type) {
        LlmUserKeyEntity k = existing(type);
        LlmProviderEntity provider = new ProviderService(session, realm)
                .list().stream()
                        .filter(p -> p.getType().equals(k.getProviderType()))
                        .min((a, b) -> Boolean.compare(b.isEnabled(), a.isEnabled()))
                        .orElseThrow(() -> ApiErrors.error(
                                Response.Status.CONFLICT,
                                "type",
                                "this realm has no " + displayName(k.getProviderType())
                                        + " provider to test your key against any more"));
        config.keyTestLimiter()
                .acquire("user:" + realm.getId() + ":" + user.getId(), "per user", Time.currentTimeMillis());
        String apiKey = config.cipher(realm).decrypt(k.getKeySealed(), keyContext(k));
        ProviderType providerType = Providers.type(provider);
        ConnectionResult result = config.connectionTester()
                .test(providerType, Providers.effectiveBaseUrl(provider), apiKey, config.vendorTestTimeout());
        k.setLastTestAt(Time.currentTimeMillis());
        k.setLastTestOk(result.success());
        k.setLastTestLatencyMs(result.latencyMs());
        k.setLastTestError(result.success() ? null : result.error());
        em.flush();
        return KeyTestResult.of(result);
    }

    /** Keeps the vendor's refusal of a user's key as its last test result (called after a rejected gateway call). */
    public static void recordRejection(
            KeycloakSession session, String realmId, String userId, String type, String error) {
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        for (LlmUserKeyEntity k : em.createNamedQuery("llmUserKeysByUser", LlmUserKeyEntity.class)
                .setParameter("realmId", realmId)
                .setParameter("userId", userId)
                .getResultList()) {
            if (k.getProviderType().equals(type)) {
                k.setLastTestAt(Time.currentTimeMillis());
                k.setLastTestOk(false);
                k.setLastTestLatencyMs(null);
                k.setLastTestError(error);
            }
        }
    }

    public static void deleteAll(KeycloakSession session, String realmId, String userId) {
        session.getProvider(JpaConnectionProvider.class)
                .getEntityManager()
                .createNamedQuery("llmUserKeysDeleteByUser")
                .setParameter("realmId", realmId)
                .setParameter("userId", userId)
                .executeUpdate();
    }

    public static String displayName(String type) {
        return ProviderType.fromId(type).map(ProviderType::displayName).orElse(type);
    }

    private ProviderType offeredType(String type) {
        ProviderType providerType = ProviderType.fromId(type)
                .orElseThrow(() -> ApiErrors.error(
                        Response.Status.NOT_FOUND,
                        "type",
                        "unknown provider type; known types: " + ProviderType.knownIds()));
        Set<String> offered = offeredTypes(session, realm);
        if (!offered.contains(providerType.id())) {
            throw ApiErrors.badRequest(
                    "type",
                    "this realm does not take your own key for " + providerType.displayName() + "; it takes keys for: "
                            + String.join(", ", offered));
        }
        return providerType;
    }

    private LlmUserKeyEntity existing(String type) {
        LlmUserKeyEntity k = row(type);
        if (k == null) {
            throw ApiErrors.notFound(ProviderType.fromId(type)
                    .map(t -> "you have no " + t.displayName() + " key")
                    .orElse("unknown provider type; known types: " + ProviderType.knownIds()));
        }
        return k;
    }

    private LlmUserKeyEntity row(String type) {
        return rows().stream()
                .filter(k -> k.getProviderType().equals(type))
                .findFirst()
                .orElse(null);
    }

    private List<LlmUserKeyEntity> rows() {
        return em.createNamedQuery("llmUserKeysByUser", LlmUserKeyEntity.class)
                .setParameter("realmId", realm.getId())
                .setParameter("userId", user.getId())
                .getResultList();
    }
}
