package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * A realm of {@link LlmRealmConfig} completed with every kind of caller the security suites need (a second end user, a
 * manage-realm admin, service accounts with and without the {@code llm-service} role), an OpenAI provider on the fake
 * vendor offering {@value #MODEL}, and a provider in another realm whose id must not be reachable from this one. Access
 * tokens are fetched once per identity and renewed before they expire (master realm tokens live 60 s).
 */
final class LlmFixture {

    static final String MODEL = "gpt-4o-mini";
    static final String PROVIDER_NAME = "Fixture OpenAI";
    static final String PROVIDER_KEY = "sk-test-fixture-openai-Zq81";
    static final String FOREIGN_PROVIDER_KEY = "sk-test-fixture-foreign-Wx42";
    /** The realm role of the route and usage-report APIs. */
    static final String SERVICE_ROLE = "llm-service";

    /** Who calls: the columns of the authorisation matrix. */
    enum Identity {
        NONE("none"),
        USER("user"),
        OTHER_USER("other"),
        VIEWER("viewer"),
        MANAGER("manager"),
        REALM_ADMIN("realmadmin"),
        FOREIGN_ADMIN("foreignadmin"),
        MASTER("master"),
        SERVICE_ACCOUNT("sa"),
        LLM_SERVICE("llmservice");

        final String column;

        Identity(String column) {
            this.column = column;
        }

        static Identity ofColumn(String column) {
            for (Identity i : values()) {
                if (i.column.equals(column)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no identity '" + column + "'");
        }

        /** Whether the identity holds an access token of the fixture's realm (the realm API's callers). */
        boolean ofRealm() {
            return this != NONE && this != FOREIGN_ADMIN && this != MASTER;
        }
    }

    private static final long TOKEN_REUSE_MILLIS = 30_000;

    private final ManagedRealm realm;
    private final ManagedRealm other;
    private final Map<Identity, String> tokens = new EnumMap<>(Identity.class);
    private final Map<Identity, Long> fetched = new EnumMap<>(Identity.class);
    private String providerId;
    private String foreignProviderId;

    LlmFixture(ManagedRealm realm, ManagedRealm other) {
        this.realm = realm;
        this.other = other;
    }

    String realmName() {
        return realm.getName();
    }

    String otherRealmName() {
        return other.getName();
    }

    String realmId() {
        return realm.getId();
    }

    String providerId() {
        return providerId;
    }

    String foreignProviderId() {
        return foreignProviderId;
    }

    String userId(String username) {
        return realm.admin().users().searchByUsername(username, true).get(0).getId();
    }

    /** Creates what is missing; safe to call before every test. */
    LlmFixture setUp() {
        Api.allowEveryModel(realm.getName());
        RealmResource r = realm.admin();
        if (r.users().searchByUsername("otheruser", true).isEmpty()) {
            createUser(r, "otheruser");
            createUser(r, "manager");
            String rm = r.clients().findByClientId("realm-management").get(0).getId();
            RoleRepresentation manage =
                    r.clients().get(rm).roles().get("manage-realm").toRepresentation();
            r.users().get(userId("manager")).roles().clientLevel(rm).add(List.of(manage));
            r.roles().create(new RoleRepresentation(SERVICE_ROLE, "Route and usage-report APIs", false));
            for (String clientId : List.of("plain-svc", "llm-svc")) {
                ClientRepresentation c = new ClientRepresentation();
                c.setClientId(clientId);
                c.setSecret(clientId + "-secret");
                c.setPublicClient(false);
                c.setServiceAccountsEnabled(true);
                c.setStandardFlowEnabled(false);
                r.clients().create(c).close();
            }
            String llmSvc = r.clients().findByClientId("llm-svc").get(0).getId();
            r.users()
                    .get(r.clients().get(llmSvc).getServiceAccountUser().getId())
                    .roles()
                    .realmLevel()
                    .add(List.of(r.roles().get(SERVICE_ROLE).toRepresentation()));
        }
        providerId = ensureProvider(realm.getName(), PROVIDER_NAME, PROVIDER_KEY);
        foreignProviderId = ensureProvider(other.getName(), "Foreign OpenAI", FOREIGN_PROVIDER_KEY);
        return this;
    }

    private static void createUser(RealmResource r, String name) {
        UserRepresentation u = new UserRepresentation();
        u.setUsername(name);
        u.setEnabled(true);
        u.setEmail(name + "@example.org");
        u.setEmailVerified(true);
        u.setFirstName(name);
        u.setLastName("Test");
        CredentialRepresentation c = new CredentialRepresentation();
        c.setType(CredentialRepresentation.PASSWORD);
        c.setValue(LlmRealmConfig.PASSWORD);
        c.setTemporary(false);
        u.setCredentials(List.of(c));
        r.users().create(u).close();
    }

    private String ensureProvider(String realmName, String name, String key) {
        String admin = Api.masterAdminToken();
        for (var p : Api.get(Api.admin(realmName, "/providers"), admin).json().get("providers")) {
            if (p.get("name").asText().equals(name)) {
                return p.get("id").asText();
            }
        }
        Api.Reply created = Api.post(
                Api.admin(realmName, "/providers"),
                admin,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        name,
                        "apiKey",
                        key,
                        "baseUrl",
                        FakeVendors.get().baseUrl("openai"),
                        "models",
                        List.of(MODEL)));
        assertEquals(201, created.status(), created.text());
        return created.json().get("provider").get("id").asText();
    }

    /** The identity's access token (null for {@link Identity#NONE}), renewed when it is 30 s old. */
    synchronized String token(Identity who) {
        if (who == Identity.NONE) {
            return null;
        }
        Long at = fetched.get(who);
        if (at == null || System.currentTimeMillis() - at > TOKEN_REUSE_MILLIS) {
            tokens.put(who, fetch(who));
            fetched.put(who, System.currentTimeMillis());
        }
        return tokens.get(who);
    }

    private String fetch(Identity who) {
        String pw = LlmRealmConfig.PASSWORD;
        return switch (who) {
            case USER -> Api.token(realm.getName(), "plainuser", pw);
            case OTHER_USER -> Api.token(realm.getName(), "otheruser", pw);
            case VIEWER -> Api.token(realm.getName(), "viewer", pw);
            case MANAGER -> Api.token(realm.getName(), "manager", pw);
            case REALM_ADMIN -> Api.token(realm.getName(), "realmadmin", pw);
            case FOREIGN_ADMIN -> Api.token(other.getName(), "realmadmin", pw);
            case MASTER -> Api.masterAdminToken();
            case SERVICE_ACCOUNT -> serviceToken("plain-svc");
            case LLM_SERVICE -> serviceToken("llm-svc");
            case NONE -> null;
        };
    }

    private String serviceToken(String clientId) {
        Api.Reply r = Api.form(
                Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/token",
                Map.of(
                        "grant_type",
                        "client_credentials",
                        "client_id",
                        clientId,
                        "client_secret",
                        clientId + "-secret"));
        assertEquals(200, r.status(), r.text());
        return r.json().get("access_token").asText();
    }

    /** {@code /realms/{realm}/llm} + path. */
    String realmApi(String path) {
        return Api.BASE + "/realms/" + realm.getName() + "/llm" + path;
    }
}
