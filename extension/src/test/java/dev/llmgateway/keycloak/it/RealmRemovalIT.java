package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectAdminClient;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;

/** Removing a realm removes its providers and models, and nothing of other realms. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class RealmRemovalIT {

    @InjectAdminClient
    Keycloak adminClient;

    @Test
    void removingARealmRemovesItsRows() {
        RealmRepresentation rep = new RealmRepresentation();
        rep.setRealm("doomed");
        rep.setEnabled(true);
        adminClient.realms().create(rep);
        String realmId = adminClient.realm("doomed").toRepresentation().getId();
        String token = Api.masterAdminToken();
        FakeVendors vendors = FakeVendors.get();
        for (String vendor : new String[] {"openai", "cohere"}) {
            Api.Reply r = Api.post(
                    Api.admin("doomed", "/providers"),
                    token,
                    Map.of("type", vendor, "apiKey", "sk-test-doomed-" + vendor, "baseUrl", vendors.baseUrl(vendor)));
            assertEquals(201, r.status(), r.text());
        }
        assertEquals(
                200,
                Api.put(
                                Api.admin("doomed", "/routing/rules"),
                                token,
                                Map.of("strategy", "cost", "aliases", Map.of("fast", "gpt-4o-mini")))
                        .status());
        assertEquals(2, Db.count("select count(*) from LLM_PROVIDER where REALM_ID = ?", realmId));
        assertEquals(1, Db.count("select count(*) from LLM_ROUTING_RULES where REALM_ID = ?", realmId));
        assertEquals(1, Db.count("select count(*) from LLM_MODEL_ALIAS where REALM_ID = ?", realmId));
        assertEquals(
                FakeVendors.expectedModelCount("openai") + FakeVendors.expectedModelCount("cohere"),
                Db.count("select count(*) from LLM_MODEL where REALM_ID = ?", realmId));
        importPrices("doomed");
        assertEquals(1, Db.count("select count(*) from LLM_PRICE where REALM_ID = ?", realmId));

        // Analytics rows, as the ledger and the maintenance task write them.
        Db.update(
                "insert into LLM_REALM_SNAPSHOT (REALM_ID, SNAPSHOT_DAY, PROVIDERS, ACTIVE_MODELS) values (?, ?, ?, ?)",
                realmId,
                20250101,
                2,
                7);
        StringBuilder zeros = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            zeros.append(", 0");
        }
        Db.update(
                "insert into LLM_USAGE_ROLLUP values (?, ?, 'r', 'd', 20261130, '', '', '', '', '', 1, 0, 0, 0, 0, 0, 0,"
                        + " 0, 0, 0, 0, 0, 0, 0" + zeros + ")",
                "doomed-rollup-row",
                realmId);

        // Another realm with the same kinds of rows: none of them may go with the doomed realm.
        RealmRepresentation other = new RealmRepresentation();
        other.setRealm("survivor");
        other.setEnabled(true);
        adminClient.realms().create(other);
        String otherId = adminClient.realm("survivor").toRepresentation().getId();
        assertEquals(
                201,
                Api.post(
                                Api.admin("survivor", "/providers"),
                                token,
                                Map.of(
                                        "type",
                                        "openai",
                                        "apiKey",
                                        "sk-test-survivor",
                                        "baseUrl",
                                        vendors.baseUrl("openai")))
                        .status());
        assertEquals(
                200,
                Api.put(
                                Api.admin("survivor", "/routing/rules"),
                                token,
                                Map.of("aliases", Map.of("fast", "gpt-4o-mini")))
                        .status());
        Db.update(
                "insert into LLM_USAGE_ROLLUP values (?, ?, 'r', 'd', 20261130, '', '', '', '', '', 1, 0, 0, 0, 0, 0, 0,"
                        + " 0, 0, 0, 0, 0, 0, 0" + zeros + ")",
                "survivor-rollup-row",
                otherId);
        importPrices("survivor");
        String[] tables = {
            "LLM_PROVIDER", "LLM_MODEL", "LLM_ROUTING_RULES", "LLM_MODEL_ALIAS", "LLM_USAGE_ROLLUP", "LLM_PRICE"
        };
        long[] before = new long[tables.length];
        for (int i = 0; i < tables.length; i++) {
            before[i] = Db.count("select count(*) from " + tables[i] + " where REALM_ID = ?", otherId);
            assertTrue(before[i] > 0, tables[i] + " has rows of the other realm");
        }

        adminClient.realm("doomed").remove();

        for (int i = 0; i < tables.length; i++) {
            assertEquals(
                    before[i],
                    Db.count("select count(*) from " + tables[i] + " where REALM_ID = ?", otherId),
                    tables[i] + " of the other realm is untouched");
        }
        adminClient.realm("survivor").remove();

        assertEquals(0, Db.count("select count(*) from LLM_USAGE_ROLLUP where REALM_ID = ?", realmId));
        assertEquals(0, Db.count("select count(*) from LLM_REALM_SNAPSHOT where REALM_ID = ?", realmId));

        assertEquals(0, Db.count("select count(*) from LLM_PROVIDER where REALM_ID = ?", realmId));
        assertEquals(0, Db.count("select count(*) from LLM_MODEL where REALM_ID = ?", realmId));
        assertEquals(0, Db.count("select count(*) from LLM_ROUTING_RULES where REALM_ID = ?", realmId));
        assertEquals(0, Db.count("select count(*) from LLM_MODEL_ALIAS where REALM_ID = ?", realmId));
        assertEquals(0, Db.count("select count(*) from LLM_PRICE where REALM_ID = ?", realmId));
    }

    /** An imported price table of one model. */
    private static void importPrices(String realm) {
        Api.Reply r = Api.put(
                Api.admin(realm, "/prices"),
                Api.masterAdminToken(),
                Map.of(
                        "models",
                        java.util.List.of(
                                Map.of("vendor", "openai", "id", "gpt-4o-mini", "input", 0.1, "output", 0.4))));
        assertEquals(200, r.status(), r.text());
    }
}
