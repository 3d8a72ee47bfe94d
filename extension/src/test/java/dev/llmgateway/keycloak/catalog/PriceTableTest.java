package dev.llmgateway.keycloak.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.core.TierPrices;
import org.junit.jupiter.api.Test;
import org.keycloak.services.ErrorResponseException;

class PriceTableTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    /** Entries as they appear in LiteLLM's model_prices_and_context_window.json (per-token costs). */
    private static final String LITELLM = """
            {
              "sample_spec": {"input_cost_per_token": 0.0, "litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "one of: chat, embedding"},
              "gpt-5": {"input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-07,
                        "input_cost_per_token_priority": 2.5e-06, "output_cost_per_token_priority": 2e-05, "cache_read_input_token_cost_priority": 2.5e-07,
                        "input_cost_per_token_flex": 6.25e-07, "output_cost_per_token_flex": 5e-06, "cache_read_input_token_cost_flex": 6.25e-08,
                        "litellm_provider": "openai", "max_input_tokens": 272000, "mode": "chat"},
              "claude-sonnet-4-5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "cache_read_input_token_cost": 3e-07,
                        "cache_creation_input_token_cost": 3.75e-06, "cache_creation_input_token_cost_above_1hr": 6e-06,
                        "litellm_provider": "anthropic", "max_input_tokens": 200000, "mode": "chat"},
              "groq/openai/gpt-oss-120b": {"input_cost_per_token": 1.5e-07, "output_cost_per_token": 6e-07, "litellm_provider": "groq", "mode": "chat"},
              "together_ai/openai/gpt-oss-20b": {"input_cost_per_token": 5e-08, "output_cost_per_token": 2e-07, "litellm_provider": "together_ai", "mode": "chat"},
              "text-embedding-3-small": {"input_cost_per_token": 2e-08, "output_cost_per_token": 0.0, "litellm_provider": "openai", "mode": "embedding"},
              "bedrock/anthropic.claude-3-haiku": {"input_cost_per_token": 2.5e-07, "output_cost_per_token": 1.25e-06, "litellm_provider": "bedrock", "mode": "chat"},
              "mistral/mistral-large-latest": {"input_cost_per_token": 5e-07, "litellm_provider": "mistral", "mode": "chat"}
            }""";

    @Test
    void readsLiteLlmsFormatKeepingTheNineVendorsChatModels() throws Exception {
        PriceTable.Parsed t = PriceTable.parse(json(LITELLM));
        assertEquals(PriceTable.FORMAT_LITELLM, t.format());
        assertEquals(4, t.entries().size(), t.entries().toString());
        assertEquals(
                4, t.skipped(), "sample_spec, an embedding model, a Bedrock model, an entry without an output price");
        assertEquals(1, t.skipReasons().size());
        assertTrue(t.skipReasons().get(0).contains("mistral/mistral-large-latest"));

        CatalogEntry gpt5 = t.entries().get(0);
        assertEquals("openai", gpt5.vendor());
        assertEquals("gpt-5", gpt5.id());
        assertEquals(0, new BigDecimal("1.25").compareTo(gpt5.inputPrice()));
        assertEquals(0, new BigDecimal("10").compareTo(gpt5.outputPrice()));
        assertEquals(0, new BigDecimal("0.125").compareTo(gpt5.cachedInputPrice()));
        assertEquals(272000, gpt5.contextWindow());
        TierPrices flex = gpt5.serviceTiers().get("flex");
        assertEquals(0, new BigDecimal("0.625").compareTo(flex.inputPrice()));
        assertEquals(0, new BigDecimal("0.0625").compareTo(flex.cachedInputPrice()));
        assertEquals(
                0,
                new BigDecimal("20")
                        .compareTo(gpt5.serviceTiers().get("priority").outputPrice()));

        CatalogEntry sonnet = t.entries().get(1);
        assertEquals(0, new BigDecimal("3.75").compareTo(sonnet.cacheWriteInputPrice()));
        assertEquals(0, new BigDecimal("6").compareTo(sonnet.cacheWrite1hInputPrice()));

        assertEquals("groq", t.entries().get(2).vendor());
        assertEquals("openai/gpt-oss-120b", t.entries().get(2).id(), "the provider prefix removed");
        assertEquals("together", t.entries().get(3).vendor());
        assertEquals("openai/gpt-oss-20b", t.entries().get(3).id());
    }

    @Test
    void readsTheCataloguesOwnFormatAndRefusesABadEntryByName() throws Exception {
        PriceTable.Parsed t = PriceTable.parse(json(
                "{\"models\":[{\"vendor\":\"mistral\",\"id\":\"mistral-large-latest\",\"input\":0.5,\"output\":1.5,"
                        + "\"cached_input\":0.05,\"service_tiers\":{}}]}"));
        assertEquals(PriceTable.FORMAT_CATALOG, t.format());
        assertEquals(0, new BigDecimal("0.05").compareTo(t.entries().get(0).cachedInputPrice()));

        ErrorResponseException bad = assertThrows(
                ErrorResponseException.class,
                () -> PriceTable.parse(json("{\"models\":[{\"vendor\":\"openai\",\"id\":\"gpt-5\",\"input\":1.25,"
                        + "\"output\":1.25},{\"vendor\":\"openai\",\"id\":\"x\",\"input\":-1,\"output\":2}]}")));
        assertTrue(
                bad.getResponse().getEntity().toString().contains("models[1].input"),
                bad.getResponse().getEntity().toString());
        assertThrows(
                ErrorResponseException.class,
                () -> PriceTable.parse(
                        json("{\"models\":[{\"vendor\":\"bedrock\",\"id\":\"m\",\"input\":1,\"output\":1}]}")));
        assertThrows(
                ErrorResponseException.class,
                () -> PriceTable.parse(json("{\"gpt-5\":{\"input_cost_per_token\":1}}")),
                "no litellm_provider: not a table");
        assertThrows(ErrorResponseException.class, () -> PriceTable.parse(json("{}")));
        // A number too large for a double is refused (catalogue format) or skipped (LiteLLM's), never a 500.
        ErrorResponseException huge = assertThrows(
                ErrorResponseException.class,
                () -> PriceTable.parse(
                        json("{\"models\":[{\"vendor\":\"openai\",\"id\":\"x\",\"input\":1e99999,\"output\":1}]}")));
        assertEquals(400, huge.getResponse().getStatus());
        PriceTable.Parsed skipped = PriceTable.parse(json("{\"gpt-x\":{\"input_cost_per_token\":1e99999,"
                + "\"output_cost_per_token\":1e-06,\"litellm_provider\":\"openai\",\"mode\":\"chat\"}}"));
        assertEquals(0, skipped.entries().size());
        assertEquals(1, skipped.skipped());
    }

    @Test
    void anImportedEntryReplacesTheBuiltInOneAndKeepsItsNames() {
        ModelCatalog builtIn = ModelCatalog.loadBuiltIn();
        CatalogEntry cheaper = new CatalogEntry(
                "anthropic",
                "claude-3-5-haiku",
                "claude-3-5-haiku",
                new BigDecimal("0.5"),
                new BigDecimal("2"),
                null,
                null,
                null,
                null,
                null,
                List.of());
        ModelCatalog realm = PriceTables.overlay(builtIn, List.of(cheaper));
        CatalogEntry found = realm.find("anthropic", "claude-3-5-haiku-latest").orElseThrow();
        assertEquals(0, new BigDecimal("0.5").compareTo(found.inputPrice()), "the alias names the imported prices");
        assertEquals("Claude 3.5 Haiku", found.name());
        assertEquals(
                0,
                new BigDecimal("0.05").compareTo(found.cachedInputPrice()),
                "the table has no cached price: the built-in 0.1x ratio is kept");
        assertEquals(0, new BigDecimal("0.625").compareTo(found.cacheWriteInputPrice()));
        assertEquals(builtIn.entries().size(), realm.entries().size());
        assertEquals(builtIn.date(), realm.date());
        assertTrue(Set.of(realm.find("openai", "gpt-5").orElseThrow())
                .contains(builtIn.find("openai", "gpt-5").orElseThrow()));
    }
}
