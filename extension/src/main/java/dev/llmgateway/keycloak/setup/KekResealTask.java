package dev.llmgateway.keycloak.setup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import dev.llmgateway.keycloak.byok.LlmUserKeyEntity;
import dev.llmgateway.keycloak.byok.UserKeyService;
import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.crypto.SecretCipher;
import dev.llmgateway.keycloak.crypto.SecretCipherException;
import dev.llmgateway.keycloak.provider.LlmProviderEntity;
import dev.llmgateway.keycloak.provider.ProviderService;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RealmProvider;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.timer.ScheduledTask;

/**
 * KEK rotation: re-seals, realm by realm, every stored key (provider keys, users' own keys) sealed with a previous
 * key-encryption key under the current one. Scheduled through {@link ClusterOnceTask} on the nodes given previous
 * KEKs, so one node of a cluster runs it per interval.
 *
 * <p>Only the wrapped data key changes ({@link SecretCipher#reseal}): the secret itself is never decrypted here, and
 * the associated data (realm, row) stays bound. Each batch is its own short transaction, and each row is written with
 * a conditional update ({@code … where ID = ? and <sealed column> = <the value read>}), so a key an admin or user
 * replaced meanwhile is left as they wrote it. Rows that cannot be re-sealed (tampered, or under a KEK not configured)
 * are named in the log by row id and skipped; the task reports what remains after each run, and once, when nothing
 * remains under a previous KEK, says so (the sign for operators that the previous KEKs can be dropped).
 */
final class KekResealTask implements ScheduledTask {

    static final String NAME = "llm-kek-reseal";
    /** Rows read and re-sealed per transaction. */
    static final int BATCH = 50;

    private static final Logger LOG = Logger.getLogger(KekResealTask.class);

    private final KeycloakSessionFactory factory;
    /**
     * Whether this node already said that nothing remains under a previous KEK: said again only after a run that
     * re-sealed something (a key stored meanwhile by a node still sealing with a previous KEK).
     */
    private volatile boolean reportedDone;

    KekResealTask(KeycloakSessionFactory factory) {
        this.factory = factory;
    }

    @Override
    public String getTaskName() {
        return NAME;
    }

    @Override
    public void run(KeycloakSession session) {
        List<String> realmIds = session.getProvider(RealmProvider.class)
                .getRealmsStream()
                .map(RealmModel::getId)
                .toList();
        long remaining = 0;
        long failed = 0;
        long resealed = 0;
        Set<String> previousIds = new TreeSet<>();
        for (String realmId : realmIds) {
            try {
                RealmResult r = reseal(realmId);
                if (r != null) {
                    remaining += r.remaining;
                    failed += r.failed;
                    resealed += r.resealed;
                    previousIds.addAll(r.previousIds);
                }
            } catch (RuntimeException e) {
                remaining++; // unknown: not done
                LOG.errorf(
                        "LLM gateway: re-sealing the keys of realm %s failed (%s); it runs again next interval",
                        realmId, e.getClass().getSimpleName());
            }
        }
        if (remaining == 0) {
            if (!reportedDone || resealed > 0) {
                LOG.infof(
                        "LLM gateway: no keys remain sealed under previous key-encryption key ids %s in any realm; "
                                + "once every node runs with the new KEK, drop kek-previous",
                        String.join(", ", previousIds));
                reportedDone = true;
            } else {
                LOG.debugf("LLM gateway: no keys remain sealed under previous key-encryption keys");
            }
        } else {
            reportedDone = false;
            LOG.infof(
                    "LLM gateway: %d keys remain sealed under previous key-encryption key ids %s%s",
                    remaining,
                    String.join(", ", previousIds),
                    failed > 0 ? " (" + failed + " could not be re-sealed this run, see above)" : "");
        }
    }

    private record RealmResult(long remaining, long resealed, long failed, Set<String> previousIds) {}

    private record Batch(int read, int resealed, int failed, String last) {}

    /** Null when the realm has nothing to re-seal from (no previous KEK for it, or no KEK at all). */
    private RealmResult reseal(String realmId) {
        String[] realmName = new String[1];
        SecretCipher cipher = KeycloakModelUtils.runJobInTransactionWithResult(factory, s -> {
            RealmModel realm = s.realms().getRealm(realmId);
            if (realm == null) {
                return null;
            }
            realmName[0] = realm.getName();
            try {
                return s.getProvider(LlmGatewayConfig.class).cipher(realm);
            } catch (SecretCipherException e) {
                LOG.warnf("LLM gateway: keys of realm %s not re-sealed: %s", realm.getName(), e.getMessage());
                return null;
            }
        });
        if (cipher == null || cipher.previousIds().isEmpty()) {
            return null;
        }
        List<String> previous = new ArrayList<>(cipher.previousIds());
        int[] counts = new int[2]; // re-sealed, failed
        resealAll(
                realmId,
                realmName[0],
                cipher,
                previous,
                "llmProvidersSealedUnder",
                "llmProviderReseal",
                LlmProviderEntity.class,
                p -> new Row(p.getId(), p.getApiKeySealed(), ProviderService.keyContext(p), "provider"),
                counts);
        resealAll(
                realmId,
                realmName[0],
                cipher,
                previous,
                "llmUserKeysSealedUnder",
                "llmUserKeyReseal",
                LlmUserKeyEntity.class,
                k -> new Row(k.getId(), k.getKeySealed(), UserKeyService.keyContext(k), "user key"),
                counts);
        if (counts[0] > 0) {
            LOG.infof(
                    "LLM gateway: re-sealed %d keys in realm %s under KEK id %s",
                    counts[0], realmName[0], cipher.kekId());
        }
        Map<String, Long> byKek = KeycloakModelUtils.runJobInTransactionWithResult(factory, s -> {
            Map<String, Long> out = new TreeMap<>();
            for (String query : List.of("llmProvidersByKekId", "llmUserKeysByKekId")) {
                for (Object o : em(s).createNamedQuery(query)
                        .setParameter("realmId", realmId)
                        .getResultList()) {
                    Object[] row = (Object[]) o;
                    out.merge(String.valueOf(row[0]), ((Number) row[1]).longValue(), Long::sum);
                }
            }
            return out;
        });
        long remaining = 0;
        for (String id : previous) {
            remaining += byKek.getOrDefault(id, 0L);
        }
        List<String> unknown = byKek.keySet().stream()
                .filter(id -> !id.equals(cipher.kekId())
                        && !cipher.previousIds().contains(id)
                        && !cipher.nextIds().contains(id))
                .toList();
        if (!unknown.isEmpty()) {
            LOG.warnf(
                    "LLM gateway: realm %s has keys sealed under key-encryption key ids no option names (%s): they "
                            + "cannot be opened or re-sealed",
                    realmName[0], String.join(", ", unknown));
        }
        if (remaining > 0) {
            LOG.infof(
                    "LLM gateway: realm %s: keys by key-encryption key id %s (current %s)",
                    realmName[0], byKek, cipher.kekId());
        }
        return new RealmResult(remaining, counts[0], counts[1], cipher.previousIds());
    }

    /** What the task needs of a row: its id, sealed value and the associated data it is sealed with. */
    private record Row(String id, String sealed, String context, String kind) {}

    private <E> void resealAll(
            String realmId,
            String realmName,
            SecretCipher cipher,
            List<String> previous,
            String select,
            String update,
            Class<E> type,
            Function<E, Row> row,
            int[] counts) {
        String after = "";
        Batch batch;
        do {
            String from = after;
            batch = KeycloakModelUtils.runJobInTransactionWithResult(factory, s -> {
                EntityManager em = em(s);
                List<Row> rows = em
                        .createNamedQuery(select, type)
                        .setParameter("realmId", realmId)
                        .setParameter("after", from)
                        .setParameter("kekIds", previous)
                        .setMaxResults(BATCH)
                        .getResultList()
                        .stream()
                        .map(row)
                        .toList();
                int resealed = 0;
                int failed = 0;
                for (Row r : rows) {
                    String next;
                    try {
                        next = cipher.reseal(r.sealed(), r.context());
                    } catch (SecretCipherException e) {
                        failed++;
                        LOG.warnf(
                                "LLM gateway: %s %s of realm %s not re-sealed: %s",
                                r.kind(), r.id(), realmName, e.getMessage());
                        continue;
                    }
                    // Conditional: a key replaced since it was read is left as written.
                    resealed += em.createNamedQuery(update)
                            .setParameter("resealed", next)
                            .setParameter("id", r.id())
                            .setParameter("realmId", realmId)
                            .setParameter("sealed", r.sealed())
                            .executeUpdate();
                }
                return new Batch(
                        rows.size(),
                        resealed,
                        failed,
                        rows.isEmpty() ? from : rows.get(rows.size() - 1).id());
            });
            counts[0] += batch.resealed();
            counts[1] += batch.failed();
            after = batch.last();
        } while (batch.read() == BATCH);
    }

    private static EntityManager em(KeycloakSession s) {
        return s.getProvider(JpaConnectionProvider.class).getEntityManager();
    }
}
