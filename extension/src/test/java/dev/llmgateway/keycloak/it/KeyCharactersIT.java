package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Keys with characters no vendor accepts, on every path a key enters: refused with a 400 naming {@code apiKey} (inner
 * or non-ASCII characters), or trimmed like surrounding whitespace (invisible characters a paste picks up around a
 * key), never a 500, and never in an answer or the server log.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class KeyCharactersIT {

    /** Refused: the documented example with its ellipsis, inner whitespace, control, zero-width and non-ASCII characters. */
    private static final List<String> REFUSED = List.of(
            "sk-or-v1-…",
            "sk-test-ellipsis-in-the-middle-…-Kx81",
            "sk-test-inner space-Kx82",
            "sk-test-inner\ttab-Kx83",
            "sk-test-bell\u0007-Kx84",
            "sk-test-zero\u200Bwidth-inside-Kx85",
            "sk-test-accent-é-Kx86",
            "sk-test-nul\u0000-Kx87",
            "sk-test-line\r\nInjected: header-Kx88");

    /** Trimmed: what a paste picks up around a key. The key itself is the part between. */
    private static final Map<String, String> TRIMMED = new LinkedHashMap<>();

    static {
        TRIMMED.put("sk-test-trailing-zwsp-Kx91\u200B", "sk-test-trailing-zwsp-Kx91");
        TRIMMED.put("\u00A0sk-test-leading-nbsp-Kx92", "sk-test-leading-nbsp-Kx92");
        TRIMMED.put("\uFEFFsk-test-bom-and-newline-Kx93\n", "sk-test-bom-and-newline-Kx93");
    }

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private String providers() {
        return Api.admin(realm.getName(), "/providers");
    }

    private static void assertRefused(Api.Reply r, String key, String where) {
        assertEquals(400, r.status(), where + ": " + r.text());
        assertEquals("apiKey", r.json().path("field").asText(), where + " names the field: " + r.text());
        assertTrue(r.json().path("error").asText().contains("U+"), where + " names the character: " + r.text());
        ProviderCrudIT.assertNoKeyIn(r.text(), key);
    }

    @Test
    void oddCharactersAreRefusedOnEveryPathWithA400() {
        String admin = Api.masterAdminToken();
        String realmId = realm.admin().toRepresentation().getId();
        int providersBefore =
                Api.get(providers(), admin).json().get("providers").size();
        long ownKeysBefore = Db.count("select count(*) from LLM_USER_KEY where REALM_ID = ?", realmId);
        Api.Reply good = Api.post(
                providers(),
                admin,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        "Odd keys",
                        "apiKey",
                        "sk-test-odd-base-0001",
                        "baseUrl",
                        vendors.baseUrl("openai"),
                        "models",
                        List.of("gpt-4o-mini")));
        assertEquals(201, good.status(), good.text());
        String id = good.json().get("provider").get("id").asText();
        String user = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        String myKeys = Api.BASE + "/realms/" + realm.getName() + "/llm/me/keys/openai";

        for (String key : REFUSED) {
            assertRefused(
                    Api.post(
                            providers(),
                            admin,
                            Map.of(
                                    "type",
                                    "openai",
                                    "name",
                                    "Refused",
                                    "apiKey",
                                    key,
                                    "baseUrl",
                                    vendors.baseUrl("openai"))),
                    key,
                    "create");
            assertRefused(Api.put(providers() + "/" + id, admin, Map.of("apiKey", key)), key, "update");
            assertRefused(
                    Api.post(
                            Api.admin(realm.getName(), "/test"),
                            admin,
                            Map.of("provider", "openai", "api_key", key, "base_url", vendors.baseUrl("openai"))),
                    key,
                    "test before saving");
            assertRefused(Api.put(myKeys, user, Map.of("apiKey", key)), key, "a user's own key");
        }
        // Nothing half-written: one provider, its key unchanged, no own key, no vendor ever saw a refused key.
        assertEquals(
                providersBefore + 1,
                Api.get(providers(), admin).json().get("providers").size());
        assertEquals(
                "…0001",
                Api.get(providers() + "/" + id, admin)
                        .json()
                        .path("api_key_hint")
                        .asText());
        assertEquals(ownKeysBefore, Db.count("select count(*) from LLM_USER_KEY where REALM_ID = ?", realmId));
        for (FakeVendors.Recorded r : vendors.requests()) {
            for (String key : REFUSED) {
                assertTrue(r.authorization() == null || !r.authorization().contains(key), "a vendor saw a refused key");
            }
        }
    }

    @Test
    void invisibleCharactersAroundAKeyAreTrimmedAndTheTrimmedKeyIsWhatVendorsGet() throws IOException {
        String admin = Api.masterAdminToken();
        String user = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        int n = 0;
        for (Map.Entry<String, String> e : TRIMMED.entrySet()) {
            String pasted = e.getKey();
            String key = e.getValue();
            vendors.clear();
            Api.Reply tested = Api.post(
                    Api.admin(realm.getName(), "/test"),
                    admin,
                    Map.of("provider", "openai", "api_key", pasted, "base_url", vendors.baseUrl("openai")));
            assertEquals(200, tested.status(), tested.text());
            assertTrue(tested.json().get("success").asBoolean(), tested.text());

            Api.Reply created = Api.post(
                    providers(),
                    admin,
                    Map.of(
                            "type",
                            "openai",
                            "name",
                            "Trimmed " + (++n),
                            "apiKey",
                            pasted,
                            "baseUrl",
                            vendors.baseUrl("openai"),
                            "models",
                            List.of("gpt-4o-mini")));
            assertEquals(201, created.status(), created.text());
            JsonNode p = created.json().get("provider");
            assertEquals("active", p.get("status").asText(), created.text());
            assertEquals(
                    "…" + key.substring(key.length() - 4), p.get("api_key_hint").asText());

            Api.Reply own = Api.put(
                    Api.BASE + "/realms/" + realm.getName() + "/llm/me/keys/openai", user, Map.of("apiKey", pasted));
            assertEquals(200, own.status(), own.text());
            assertEquals(
                    "…" + key.substring(key.length() - 4),
                    own.json().get("hint").asText());

            // Every request the vendor got carried exactly the trimmed key.
            assertTrue(vendors.requests().size() >= 2, "the key tests reached the vendor");
            for (FakeVendors.Recorded r : vendors.requests()) {
                assertEquals("Bearer " + key, r.authorization(), "what the vendor received");
            }
            Api.delete(providers() + "/" + p.get("id").asText(), admin);
        }
        String log = Files.readString(LlmServerConfig.serverLog());
        TRIMMED.values().forEach(k -> ProviderCrudIT.assertNoKeyIn(log, k));
        REFUSED.forEach(k -> assertTrue(!log.contains(k), "a refused key is in the server log"));
    }
}
