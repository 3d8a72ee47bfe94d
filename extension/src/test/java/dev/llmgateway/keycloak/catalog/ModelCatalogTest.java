package dev.llmgateway.keycloak.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;

import dev.llmgateway.keycloak.core.Candidate;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

    private final ModelCatalog catalog = ModelCatalog.loadBuiltIn();

    @Test
    void everyVendorHasEntriesAndEveryEntryIsSane() {
        Set<String> vendors = new HashSet<>();
        for (CatalogEntry e : catalog.entries()) {
            vendors.add(e.vendor());
            assertTrue(e.quality() != null && e.quality() >= 0 && e.quality() <= 100, e.id());
            assertTrue(e.contextWindow() != null && e.contextWindow() > 0, e.id());
            if (e.inputPrice() != null) {
                assertTrue(e.inputPrice().signum() >= 0 && e.outputPrice().signum() >= 0, e.id());
                if (e.cachedInputPrice() != null) {
                    assertTrue(
                            e.cachedInputPrice().compareTo(e.inputPrice()) <= 0,
                            "cached input costs no more than input: " + e.id());
                }
            }
        }
        assertEquals(Set.of("openai", "anthropic", "groq", "together", "mistral", "cohere", "huggingface"), vendors);
    }

    @Test
    void embeddingModelsAreKnownByTheCatalogueOrByTheirName() {
        assertEquals("embeddings", catalog.mode("openai", "text-embedding-3-small"));
        assertEquals("embeddings", catalog.mode("cohere", "embed-v4.0"));
        assertEquals("embeddings", catalog.mode("together", "BAAI/bge-large-en-v1.5"));
        assertEquals("chat", catalog.mode("openai", "gpt-4o-mini"));
        assertEquals("chat", catalog.mode("custom", "my-own-llama"));
        assertEquals("embeddings", catalog.mode("custom", "nomic-embed-text"));
        assertEquals("embeddings", catalog.mode("custom", "intfloat/multilingual-e5-large"));
        assertEquals(
                0,
                new java.math.BigDecimal("0.02")
                        .compareTo(catalog.find("openai", "text-embedding-3-small")
                                .orElseThrow()
                                .inputPrice()));
    }

    @Test
    void findsVendorSpellings() {
        assertEquals(
                "gpt-4o",
                catalog.find("openai", "gpt-4o-2024-08-06").orElseThrow().id());
        assertEquals(
                "gpt-4o-mini",
                catalog.find("openrouter", "openai/gpt-4o-mini").orElseThrow().id());
        assertEquals(
                "claude-3-5-haiku",
                catalog.find("anthropic", "claude-3-5-haiku-20241022")
                        .orElseThrow()
                        .id());
        assertEquals(
                "meta-llama/llama-3.3-70b-instruct-turbo",
                catalog.find("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo")
                        .orElseThrow()
                        .id());
        assertEquals(
                "command-r-plus-08-2024",
                catalog.find("cohere", "command-r-plus").orElseThrow().id());
        assertTrue(catalog.find("openai", "whisper-1").isEmpty());
    }

    @Test
    void aModelAnswersToItsIdItsUndatedIdAndItsCatalogueNames() {
        assertEquals(
                Set.of("claude-3-5-haiku-20241022", "claude-3-5-haiku", "claude-3-5-haiku-latest"),
                catalog.names("anthropic", "claude-3-5-haiku-20241022"));
        assertEquals(
                Set.of("claude-3-5-haiku-latest", "claude-3-5-haiku"),
                catalog.names("anthropic", "claude-3-5-haiku-latest"));
        assertEquals(Set.of("homegrown-2025-01-31", "homegrown"), catalog.names("custom", "homegrown-2025-01-31"));
        Candidate c = new Candidate(
                "p",
                "P",
                "anthropic",
                50,
                true,
                "claude-3-5-haiku-20241022",
                null,
                null,
                null,
                null,
                null,
                null,
                catalog.names("anthropic", "claude-3-5-haiku-20241022"));
        assertTrue(c.answersTo("claude-3-5-haiku"));
        assertTrue(c.answersTo("claude-3-5-*"));
        assertFalse(c.answersTo("claude-3-5-sonnet"));
    }

    @Test
    void vendorOwnEntryWinsOverAnotherVendorsSameName() {
        // Mixtral is sold by Groq, Together and Mistral at different prices.
        CatalogEntry together =
                catalog.find("together", "mistralai/Mixtral-8x7B-Instruct-v0.1").orElseThrow();
        assertEquals("together", together.vendor());
        assertEquals(0, new BigDecimal("0.60").compareTo(together.inputPrice()));
    }

    @Test
    void anthropicCacheWritesKeepTheCatalogueRatioWhenTheInputPriceIsOverridden() {
        CatalogEntry sonnet = catalog.find("anthropic", "claude-sonnet-4-5").orElseThrow();
        assertEquals(0, new BigDecimal("3.75").compareTo(sonnet.cacheWriteInputPrice()));
        assertEquals(
                0,
                new BigDecimal("3.75")
                        .compareTo(ModelView.scaled(sonnet, sonnet.cacheWriteInputPrice(), new BigDecimal("3.0"))));
        assertEquals(
                0,
                new BigDecimal("2.5")
                        .compareTo(ModelView.scaled(sonnet, sonnet.cacheWriteInputPrice(), new BigDecimal("2"))),
                "1.25 x an override");
        CatalogEntry mini = catalog.find("openai", "gpt-4o-mini").orElseThrow();
        assertEquals(
                null,
                ModelView.scaled(mini, mini.cacheWriteInputPrice(), mini.inputPrice()),
                "no cache-write price where the vendor has none");
    }

    private ModelView overridden(String vendor, String id, String input, String output, String cached) {
        LlmModelEntity m = new LlmModelEntity();
        m.setModelId(id);
        m.setProviderId("p");
        m.setEnabled(true);
        m.setInputPrice(new BigDecimal(input));
        m.setOutputPrice(new BigDecimal(output));
        m.setCachedInputPrice(cached == null ? null : new BigDecimal(cached));
        return ModelView.of(m, vendor, "P", catalog);
    }

    private static void same(String expected, BigDecimal actual, String what) {
        assertTrue(actual != null && new BigDecimal(expected).compareTo(actual) == 0, what + ": " + actual);
    }

    @Test
    void anOverrideWithoutCachedPricesKeepsTheCataloguesRatios() {
        // Sonnet 4.5 is 3 / 15, cache reads 0.30 (0.1x), writes 3.75 (1.25x) and 6 (2x, 1 hour).
        ModelView sonnet = overridden("anthropic", "claude-sonnet-4-5", "2.7", "13.5", null);
        assertEquals("admin", sonnet.priceSource());
        same("0.27", sonnet.cachedInputPrice(), "cache reads at 0.1x the override, not at its full price");
        same("3.375", sonnet.cacheWritePrice(), "5-minute writes at 1.25x");
        same("5.4", sonnet.cacheWrite1hPrice(), "1-hour writes at 2x");
        // gpt-4o-mini is 0.15 / 0.60 with cached input at 0.075 (0.5x).
        same("0.05", overridden("openai", "gpt-4o-mini", "0.1", "0.4", null).cachedInputPrice(), "kept ratio");
        same(
                "0.02",
                overridden("openai", "gpt-4o-mini", "0.1", "0.4", "0.02").cachedInputPrice(),
                "a cached price the admin sets wins");
        assertEquals(
                null,
                overridden("custom", "homegrown", "1", "2", null).cachedInputPrice(),
                "no catalogue entry: cache reads at the input price");
    }

    @Test
    void datedIdsPricedApartFromTheirAliasResolveToTheirOwnEntry() {
        same("5", catalog.find("openai", "gpt-4o-2024-05-13").orElseThrow().inputPrice(), "the May 2024 gpt-4o");
        same("5", catalog.find("openai", "chatgpt-4o-latest").orElseThrow().inputPrice(), "ChatGPT's gpt-4o");
        same("2.5", catalog.find("openai", "gpt-4o-2024-08-06").orElseThrow().inputPrice(), "later gpt-4o snapshots");
    }
}
