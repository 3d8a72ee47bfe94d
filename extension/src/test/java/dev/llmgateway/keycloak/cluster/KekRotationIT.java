package dev.llmgateway.keycloak.cluster;

import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.PASSWORD;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.REALM;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.admin;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.adminToken;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.awaitTrue;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.chat;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.lastChatKey;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.millisSince;
import static dev.llmgateway.keycloak.cluster.TwoNodeClusterIT.userToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.llmgateway.keycloak.crypto.SecretCipher;
import dev.llmgateway.keycloak.it.Api;
import dev.llmgateway.keycloak.it.Db;
import dev.llmgateway.keycloak.it.FakeVendors;
import dev.llmgateway.keycloak.it.LlmServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * KEK rotation without downtime, as docs/operations.md describes it, on two production-mode nodes sharing the cluster
 * database: node 1 runs with KEK A and holds an organisation key and a user's own key; node 2 joins with A current and
 * B announced ({@code kek-next}); node 1 restarts with B current and A previous ({@code kek-previous}), and its re-seal
 * task moves every row to B while node 2, still sealing with A, keeps answering; node 2 then comes back with B alone.
 * Calls with both keys work at every step; the database ends with every sealed value under B's id and no key in
 * clear; neither node's log holds a key or a KEK. Run by {@code ./mvnw verify -Pcluster}.
 */
class KekRotationIT {

    static final String ORG_KEY = "sk-test-kek-org-0123456789";
    static final String USER_KEY = "sk-test-kek-user-0123456789";
    static final String LATE_KEY = "sk-test-kek-late-0123456789";
    static final long RESEAL_INTERVAL_MS = 2_000;

    private static final FakeVendors VENDORS = FakeVendors.get();
    private static final String KEK_A = b64(SecretCipher.generateKey());
    private static final String KEK_B = b64(SecretCipher.generateKey());
    private static final String ID_A = SecretCipher.kekIdOf(Base64.getDecoder().decode(KEK_A));
    private static final String ID_B = SecretCipher.kekIdOf(Base64.getDecoder().decode(KEK_B));
    private static final Map<String, String> FIGURES = new LinkedHashMap<>();

    private static ClusterNode one;
    private static ClusterNode two;

    @Test
    void everyKeyIsResealedUnderTheNewKekWhileBothNodesKeepAnswering() throws IOException {
        long suite = System.nanoTime();
        Path work = LlmServerConfig.workDir().resolve("cluster").toAbsolutePath();
        Files.createDirectories(work);
        for (String log : List.of("kek-1.log", "kek-2.log")) {
            Files.deleteIfExists(work.resolve(log));
        }
        TwoNodeClusterIT.resetDatabase();
        Path built = ClusterNode.build(
                Path.of(System.getProperty("llm.cluster.distribution")),
                Path.of(System.getProperty("llm.cluster.jar")),
                work);
        figure("build (shared with the other cluster suites)", millisSince(suite) + " ms");
        one = ClusterNode.of("kek-1", built, work, 8280, 9280, 7800);
        two = ClusterNode.of("kek-2", built, work, 8281, 9281, 7801);

        // Before: one node, KEK A.
        start(one, "node 1 start, KEK A", Map.of("KEK", KEK_A));
        createRealm();
        Api.Reply created = Api.post(
                admin(one, "/providers"),
                adminToken(one),
                Map.of(
                        "type",
                        "openai",
                        "name",
                        "Org OpenAI",
                        "apiKey",
                        ORG_KEY,
                        "baseUrl",
                        VENDORS.baseUrl("openai"),
                        "models",
                        List.of("gpt-4o-mini")));
        assertEquals(201, created.status(), created.text());
        putOwnKey(one, "keyholder", USER_KEY);
        callsWork(one, "with KEK A");
        assertSealedUnder(ID_A, 2);

        // (a) Every node learns B before any seals with it: node 2 joins with A current and B next.
        start(two, "node 2 start, KEK A + next B", Map.of("KEK", KEK_A, "KEK_NEXT", KEK_B));
        callsWork(two, "node 2, A + next B");
        assertFalse(two.logText().contains("re-sealed"), "a node without previous keys re-seals nothing");

        // (b) Node 1 makes B current, A previous; node 2 still seals with A meanwhile.
        one.close();
        start(one, "node 1 restart, KEK B + previous A", Map.of("KEK", KEK_B, "KEK_PREVIOUS", KEK_A));
        assertTrue(
                one.logText()
                        .contains("key-encryption key (id " + ID_B + "); previous key-encryption keys accepted "
                                + "and re-sealed under the current one: ids " + ID_A),
                "the startup line names the KEK ids");
        // The re-sealing starts 15 s after start: node 1 first opens rows sealed with A, its previous KEK.
        assertEquals(2, sealedUnder(ID_A), "not yet re-sealed");
        callsWork(one, "node 1, B + previous A, on keys sealed with A");
        assertEquals(2, sealedUnder(ID_A), "the calls above opened keys sealed with A");
        long took = awaitTrue(
                "every key re-sealed under B", 60_000, () -> sealedUnder(ID_A) == 0 && sealedUnder(ID_B) == 2);
        figure("re-seal of 2 keys after node 1 was ready", took + " ms (first run 15 s after start)");
        String done = "no keys remain sealed under previous key-encryption key ids " + ID_A;
        awaitTrue(
                "node 1 says nothing remains under A",
                RESEAL_INTERVAL_MS * 3 + 5_000,
                () -> one.logText().contains(done));
        assertTrue(one.logText().contains("re-sealed "), one.tail(40));
        assertTrue(one.logText().contains(" under KEK id " + ID_B), one.tail(40));
        callsWork(one, "node 1 after the re-seal");
        callsWork(two, "node 2 (A + next B) on keys now sealed with B");

        // A key stored through node 2 in this window is sealed with A (node 2 still seals with A), and node 1's next
        // run moves it to B: its log then says it re-sealed one key.
        putOwnKey(two, "latecomer", LATE_KEY);
        took = awaitTrue(
                "the key stored through node 2 is re-sealed under B",
                RESEAL_INTERVAL_MS * 5 + 10_000,
                () -> sealedUnder(ID_A) == 0 && sealedUnder(ID_B) == 3);
        figure("re-seal of a key stored meanwhile through node 2", took + " ms");
        assertTrue(
                one.logText().contains("re-sealed 1 keys in realm " + REALM + " under KEK id " + ID_B),
                "node 2 sealed it with A, node 1 re-sealed it: " + one.tail(30));
        awaitTrue(
                "node 1 says again that nothing remains under A",
                RESEAL_INTERVAL_MS * 3 + 5_000,
                () -> one.logText().split(java.util.regex.Pattern.quote(done), -1).length - 1 == 2);
        assertEquals(LATE_KEY, callWith(one, "latecomer"), "node 1 opens it");

        // (c) A is dropped: node 2 comes back with B alone and opens every key.
        two.close();
        start(two, "node 2 restart, KEK B only", Map.of("KEK", KEK_B));
        callsWork(two, "node 2, B only");
        assertEquals(LATE_KEY, callWith(two, "latecomer"));
        assertSealedUnder(ID_B, 3);
        one.close();
        two.close();

        noKeyInTheDatabaseOrTheLogs();
        figure("whole rotation scenario", millisSince(suite) + " ms");
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            for (ClusterNode node : new ClusterNode[] {two, one}) {
                if (node != null) {
                    node.close();
                }
            }
        } finally {
            StringBuilder report = new StringBuilder("KEK rotation figures\n");
            FIGURES.forEach((k, v) ->
                    report.append("  ").append(k).append(": ").append(v).append('\n'));
            System.out.print(report);
            Path dir = LlmServerConfig.workDir().resolve("cluster");
            if (Files.isDirectory(dir)) {
                Files.writeString(dir.resolve("kek-figures.txt"), report);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    private static void start(ClusterNode node, String what, Map<String, String> kek) {
        Map<String, String> env = TwoNodeClusterIT.environment();
        env.remove("KC_SPI_LLM_GATEWAY__DEFAULT__KEK");
        kek.forEach((k, v) -> env.put("KC_SPI_LLM_GATEWAY__DEFAULT__" + k, v));
        env.put("KC_SPI_LLM_GATEWAY__DEFAULT__KEK_RESEAL_INTERVAL_MS", Long.toString(RESEAL_INTERVAL_MS));
        long t0 = System.nanoTime();
        node.start(env);
        node.awaitReady(Duration.ofSeconds(300));
        figure(what, millisSince(t0) + " ms");
    }

    private static void createRealm() {
        String token = adminToken(one);
        Api.Reply realm = Api.post(one.url() + "/admin/realms", token, Map.of("realm", REALM, "enabled", true));
        assertEquals(201, realm.status(), realm.text());
        Api.Reply levels = Api.put(
                admin(one, "/power-levels"),
                token,
                Map.of(
                        "default",
                        "unlimited",
                        "levels",
                        List.of(Map.of("id", "unlimited", "name", "Unlimited", "models", List.of("*")))));
        assertEquals(200, levels.status(), levels.text());
        for (String user : List.of("worker", "keyholder", "latecomer")) {
            Map<String, Object> rep = new HashMap<>();
            rep.put("username", user);
            rep.put("enabled", true);
            rep.put("email", user + "@example.org");
            rep.put("emailVerified", true);
            rep.put("firstName", user);
            rep.put("lastName", "Rotation");
            rep.put("credentials", List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false)));
            Api.Reply r = Api.post(one.url() + "/admin/realms/" + REALM + "/users", token, rep);
            assertEquals(201, r.status(), r.text());
        }
    }

    private static void putOwnKey(ClusterNode node, String user, String key) {
        Api.Reply put = Api.put(
                node.url() + "/realms/" + REALM + "/llm/me/keys/openai", userToken(node, user), Map.of("apiKey", key));
        assertEquals(200, put.status(), put.text());
    }

    /** The organisation's key (for "worker") and the user's own key (for "keyholder") both reach the vendor. */
    private static void callsWork(ClusterNode node, String when) {
        assertEquals(ORG_KEY, callWith(node, "worker"), "organisation key, " + when);
        assertEquals(USER_KEY, callWith(node, "keyholder"), "user's own key, " + when);
    }

    /** The key the vendor received for a call of this user through this node. */
    private static String callWith(ClusterNode node, String user) {
        Api.Reply r = chat(node, userToken(node, user), "gpt-4o-mini");
        assertEquals(200, r.status(), node.name() + " " + user + ": " + r.text());
        return lastChatKey();
    }

    private static List<String> sealedValues() {
        List<String> values = new ArrayList<>();
        Db.query("select API_KEY_SEALED as V from LLM_PROVIDER").forEach(r -> values.add((String) r.get("V")));
        Db.query("select KEY_SEALED as V from LLM_USER_KEY").forEach(r -> values.add((String) r.get("V")));
        return values;
    }

    private static long sealedUnder(String kekId) {
        return sealedValues().stream()
                .filter(v -> kekId.equals(SecretCipher.kekIdOfSealed(v)))
                .count();
    }

    private static void assertSealedUnder(String kekId, int expected) {
        List<String> values = sealedValues();
        assertEquals(expected, values.size(), "sealed rows");
        for (String v : values) {
            assertEquals(kekId, SecretCipher.kekIdOfSealed(v), "every sealed value carries KEK id " + kekId);
        }
    }

    /** Every column of the key tables, as text, and both nodes' logs: no key and no KEK. */
    private static void noKeyInTheDatabaseOrTheLogs() {
        StringBuilder db = new StringBuilder();
        for (String table : List.of("LLM_PROVIDER", "LLM_USER_KEY", "LLM_TASK_RUN")) {
            Db.query("select * from " + table).forEach(r -> db.append(r).append('\n'));
        }
        String logs = one.logText() + two.logText();
        for (String secret : List.of(ORG_KEY, USER_KEY, LATE_KEY, KEK_A, KEK_B)) {
            assertFalse(db.toString().contains(secret), "a key or KEK in the database");
            assertFalse(logs.contains(secret), "a key or KEK in a node's log");
            // its base64url form too (the KEKs), and the core of each key
            assertFalse(logs.contains(secret.replace('+', '-').replace('/', '_').replace("=", "")), "in a log");
        }
        assertTrue(logs.contains(ID_A) && logs.contains(ID_B), "the logs name KEK ids");
    }

    private static void figure(String name, String value) {
        FIGURES.put(name, value);
        System.out.println("[kek] " + name + ": " + value);
    }

    private static String b64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
