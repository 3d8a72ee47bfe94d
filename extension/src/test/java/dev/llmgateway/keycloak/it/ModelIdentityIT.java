package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * The default Balanced level names {@code claude-3-5-haiku}; Anthropic lists and accepts
 * {@code claude-3-5-haiku-latest} and dated ids. A level, an alias or a caller naming the catalogue's id reaches the
 * vendor's ids, the same way in enforcement, {@code /v1/models} and {@code /llm/me}.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class ModelIdentityIT {

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    private Api.Reply chat(String model) {
        return Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD),
                Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", "hi"))));
    }

    private List<String> ids(String path, String field) {
        List<String> out = new ArrayList<>();
        var json = Api.get(
                        Api.BASE + "/realms/" + realm.getName() + "/llm" + path,
                        Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD))
                .json()
                .get(field);
        json.forEach(m -> out.add(m.isTextual() ? m.asText() : m.get("id").asText()));
        return out;
    }

    @Test
    void aLevelNamingTheCatalogueIdReachesTheVendorsAliasesAndDatedIds() {
        String admin = Api.masterAdminToken();
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                admin,
                Map.of(
                        "type",
                        "anthropic",
                        "name",
                        "Anthropic",
                        "apiKey",
                        "sk-test-identity",
                        "baseUrl",
                        vendors.baseUrl("anthropic"),
                        "models",
                        List.of("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022", "claude-3-opus-20240229")));
        assertEquals(201, created.status(), created.text());

        // Balanced (plainuser's level) names claude-3-5-haiku, priced above its $1.00 ceiling.
        for (String model : List.of("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022")) {
            Api.Reply r = chat(model);
            assertEquals(200, r.status(), model + ": " + r.text());
            assertEquals(model, r.header("X-LLM-Model"), "the vendor is called with its own id");
        }
        Api.Reply byCatalogueId = chat("claude-3-5-haiku");
        assertEquals(200, byCatalogueId.status(), byCatalogueId.text());
        assertTrue(
                byCatalogueId.header("X-LLM-Model").startsWith("claude-3-5-haiku-"),
                byCatalogueId.header("X-LLM-Model"));
        Api.Reply opus = chat("claude-3-opus-20240229");
        assertEquals(403, opus.status(), "Opus is named by Precision only: " + opus.text());

        List<String> listed = ids("/v1/models", "data");
        assertTrue(
                listed.containsAll(List.of("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022")), listed.toString());
        assertTrue(!listed.contains("claude-3-opus-20240229"), listed.toString());
        List<String> mine = ids("/me", "models");
        assertTrue(mine.containsAll(List.of("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022")), mine.toString());

        // An alias naming the catalogue id routes to the vendor's ids.
        Api.Reply rules = Api.put(
                Api.admin(realm.getName(), "/routing/rules"),
                admin,
                Map.of("aliases", Map.of("quick", List.of("claude-3-5-haiku"))));
        assertEquals(200, rules.status(), rules.text());
        Api.Reply quick = chat("quick");
        assertEquals(200, quick.status(), quick.text());
        assertTrue(quick.header("X-LLM-Model").startsWith("claude-3-5-haiku-"), quick.header("X-LLM-Model"));
    }
}
