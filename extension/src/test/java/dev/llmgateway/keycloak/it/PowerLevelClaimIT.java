package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.GroupRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.representations.userprofile.config.UPAttribute;
import org.keycloak.representations.userprofile.config.UPConfig;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/** The llm_power_level claim in the tokens of a freshly created client, and user > group > default precedence. */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class PowerLevelClaimIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private static JsonNode payload(String jwt) {
        return Api.parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    private void newClient(String clientId, boolean confidential) {
        if (!realm.admin().clients().findByClientId(clientId).isEmpty()) {
            return;
        }
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(clientId);
        c.setPublicClient(!confidential);
        c.setSecret(confidential ? clientId + "-secret" : null);
        c.setDirectAccessGrantsEnabled(true);
        if (!confidential) {
            ProtocolMapperRepresentation audience = new ProtocolMapperRepresentation();
            audience.setName("introspector audience");
            audience.setProtocol("openid-connect");
            audience.setProtocolMapper("oidc-audience-mapper");
            audience.setConfig(Map.of(
                    "included.client.audience",
                    "introspector",
                    "access.token.claim",
                    "true",
                    "introspection.token.claim",
                    "true"));
            c.setProtocolMappers(List.of(audience));
        }
        realm.admin().clients().create(c).close();
    }

    private JsonNode tokens(String username) {
        newClient("fresh-app", false);
        Api.Reply r = Api.form(
                Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/token",
                Map.of(
                        "grant_type",
                        "password",
                        "client_id",
                        "fresh-app",
                        "username",
                        username,
                        "password",
                        LlmRealmConfig.PASSWORD,
                        "scope",
                        "openid"));
        assertEquals(200, r.status(), r.text());
        return r.json();
    }

    private String levelInAccessToken(String username) {
        return payload(tokens(username).get("access_token").asText())
                .path("llm_power_level")
                .asText(null);
    }

    @Test
    void claimInAccessTokenIdTokenUserinfoAndIntrospectionOfAFreshClient() {
        assertTrue(
                realm.admin().clientScopes().findAll().stream()
                        .anyMatch(s -> s.getName().equals("llm")),
                "the llm scope exists");
        JsonNode t = tokens("plainuser");
        String access = t.get("access_token").asText();
        assertEquals("balanced", payload(access).get("llm_power_level").asText(), "the realm default");
        assertEquals(
                "balanced",
                payload(t.get("id_token").asText()).get("llm_power_level").asText());

        Api.Reply userinfo =
                Api.get(Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/userinfo", access);
        assertEquals(200, userinfo.status(), userinfo.text());
        assertEquals("balanced", userinfo.json().get("llm_power_level").asText());

        // A resource server introspects the fresh client's token (it is in the token's audience).
        newClient("introspector", true);
        Api.Reply introspection = Api.form(
                Api.BASE + "/realms/" + realm.getName() + "/protocol/openid-connect/token/introspect",
                Map.of("token", access, "client_id", "introspector", "client_secret", "introspector-secret"));
        assertEquals(200, introspection.status(), introspection.text());
        assertTrue(introspection.json().get("active").asBoolean(), introspection.text());
        assertEquals("balanced", introspection.json().get("llm_power_level").asText());
    }

    @Test
    void userAttributeBeatsGroupsWhichBeatTheDefault() {
        UPConfig profile = realm.admin().users().userProfile().getConfiguration();
        profile.setUnmanagedAttributePolicy(UPConfig.UnmanagedAttributePolicy.ENABLED);
        realm.admin().users().userProfile().update(profile);

        for (String[] g : new String[][] {{"eco-team", "eco"}, {"research", "precision"}}) {
            GroupRepresentation group = new GroupRepresentation();
            group.setName(g[0]);
            group.setAttributes(Map.of("llm_power_level", List.of(g[1])));
            realm.admin().groups().add(group).close();
        }
        realm.addUser(UserBuilder.create("grouped")
                .enabled(true)
                .email("grouped@example.org")
                .name("Grouped", "User")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD)
                .groups("eco-team", "research"));
        realm.addUser(UserBuilder.create("chosen")
                .enabled(true)
                .email("chosen@example.org")
                .name("Chosen", "User")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD)
                .groups("research")
                .attribute("llm_power_level", "eco"));
        // The User Profile declares the attribute with the realm's levels as options: anything else is refused.
        UPAttribute declared =
                realm.admin().users().userProfile().getConfiguration().getAttribute("llm_power_level");
        assertEquals(
                List.of("eco", "balanced", "precision"),
                declared.getValidations().get("options").get("options"));
        assertEquals(Set.of("admin"), declared.getPermissions().getEdit());
        assertTrue(declared.getPermissions().getView().contains("user"), "users see their level");
        try (Response refused = realm.admin()
                .users()
                .create(UserBuilder.create("unknownlevel")
                        .enabled(true)
                        .email("unknown@example.org")
                        .name("Unknown", "User")
                        .attribute("llm_power_level", "superduper")
                        .build())) {
            assertEquals(400, refused.getStatus());
            String error = refused.readEntity(String.class);
            assertTrue(error.contains("llm_power_level"), error);
        }
        assertTrue(realm.admin().users().search("unknownlevel", true).isEmpty(), "nothing half-written");

        assertEquals("precision", levelInAccessToken("grouped"), "the highest of the user's groups");
        assertEquals("eco", levelInAccessToken("chosen"), "the user's own attribute wins over groups");

        // Changing the realm's levels changes the next token.
        Api.Reply r = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                Api.masterAdminToken(),
                Map.of(
                        "default",
                        "basic",
                        "levels",
                        List.of(Map.of("id", "basic", "name", "Basic", "price_ceiling", 1))));
        assertEquals(200, r.status(), r.text());
        assertEquals(
                "basic", levelInAccessToken("grouped"), "groups naming removed levels fall back to the new default");
        assertEquals(
                List.of("basic"),
                realm.admin()
                        .users()
                        .userProfile()
                        .getConfiguration()
                        .getAttribute("llm_power_level")
                        .getValidations()
                        .get("options")
                        .get("options"),
                "the profile's options follow the levels");
        UserRepresentation u = realm.admin().users().search("chosen").get(0);
        assertEquals(
                "basic", levelInAccessToken(u.getUsername()), "a user attribute naming a removed level falls back too");
    }
}
