package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/** Who may read and change providers, and that realms do not see each other's. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ProviderAuthorizationIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    @InjectRealm(ref = "other", config = LlmRealmConfig.class)
    ManagedRealm other;

    private final FakeVendors vendors = FakeVendors.get();

    private Map<String, Object> newProvider(String name) {
        return Map.of(
                "type",
                "mistral",
                "name",
                name,
                "apiKey",
                "sk-test-mistral-authz-0001",
                "baseUrl",
                vendors.baseUrl("mistral"));
    }

    @Test
    void anonymousIsRefused() {
        String url = Api.admin(realm.getName(), "/providers");
        assertEquals(401, Api.get(url, null).status());
        assertEquals(401, Api.post(url, null, newProvider("anon")).status());
        assertEquals(
                401,
                Api.post(Api.admin(realm.getName(), "/test"), null, Map.of()).status());
    }

    @Test
    void userWithoutAdminRolesIsRefused() {
        String token = Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
        String url = Api.admin(realm.getName(), "/providers");
        assertEquals(403, Api.get(url, token).status());
        assertEquals(403, Api.post(url, token, newProvider("plain")).status());
        assertEquals(403, Api.get(Api.admin(realm.getName(), "/models"), token).status());
        assertEquals(0, Db.count("select count(*) from LLM_PROVIDER where NAME = ?", "plain"));
    }

    @Test
    void viewOnlyAdminReadsButCannotChange() {
        String admin = Api.masterAdminToken();
        Api.Reply created = Api.post(Api.admin(realm.getName(), "/providers"), admin, newProvider("viewed"));
        assertEquals(201, created.status(), created.text());
        String id = created.json().get("provider").get("id").asText();
        String one = Api.admin(realm.getName(), "/providers/" + id);

        String viewer = Api.token(realm.getName(), "viewer", LlmRealmConfig.PASSWORD);
        assertEquals(
                200, Api.get(Api.admin(realm.getName(), "/providers"), viewer).status());
        assertEquals(200, Api.get(one, viewer).status());
        assertEquals(200, Api.get(Api.admin(realm.getName(), "/models"), viewer).status());
        assertEquals(
                403,
                Api.post(Api.admin(realm.getName(), "/providers"), viewer, newProvider("by-viewer"))
                        .status());
        assertEquals(403, Api.put(one, viewer, Map.of("priority", 1)).status());
        assertEquals(403, Api.delete(one, viewer).status());
        assertEquals(403, Api.post(one + "/test", viewer, Map.of()).status());
        assertEquals(
                403,
                Api.post(
                                Api.admin(realm.getName(), "/test"),
                                viewer,
                                Map.of("provider", "openai", "api_key", "sk-test-x"))
                        .status());
        assertEquals(50, Api.get(one, admin).json().get("priority").asInt(), "unchanged");
        Api.delete(one, admin);
    }

    @Test
    void realmAdminManagesOwnRealmOnlyAndRealmsAreIsolated() {
        String realmAdmin = Api.token(realm.getName(), "realmadmin", LlmRealmConfig.PASSWORD);
        Api.Reply created = Api.post(Api.admin(realm.getName(), "/providers"), realmAdmin, newProvider("own"));
        assertEquals(201, created.status(), created.text());
        String id = created.json().get("provider").get("id").asText();

        // The other realm's admin can neither see nor touch it, by any path.
        String otherAdmin = Api.token(other.getName(), "realmadmin", LlmRealmConfig.PASSWORD);
        assertEquals(
                403,
                Api.get(Api.admin(realm.getName(), "/providers"), otherAdmin).status());
        assertEquals(
                403,
                Api.delete(Api.admin(realm.getName(), "/providers/" + id), otherAdmin)
                        .status());
        // Through its own realm's API, the id does not exist.
        assertEquals(
                404,
                Api.get(Api.admin(other.getName(), "/providers/" + id), otherAdmin)
                        .status());
        assertEquals(
                404,
                Api.delete(Api.admin(other.getName(), "/providers/" + id), otherAdmin)
                        .status());
        assertEquals(
                0,
                Api.get(Api.admin(other.getName(), "/providers"), otherAdmin)
                        .json()
                        .get("providers")
                        .size());

        // A full (master) admin sees it; the realm admin deletes it.
        assertEquals(
                200,
                Api.get(Api.admin(realm.getName(), "/providers/" + id), Api.masterAdminToken())
                        .status());
        assertEquals(
                200,
                Api.delete(Api.admin(realm.getName(), "/providers/" + id), realmAdmin)
                        .status());
    }
}
