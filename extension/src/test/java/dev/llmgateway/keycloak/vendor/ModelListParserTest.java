package dev.llmgateway.keycloak.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.core.ProviderType;
import org.junit.jupiter.api.Test;

/** Parses the recorded list-models answers of each vendor (the same fixtures the fake vendors serve). */
class ModelListParserTest {

    private static List<ListedModel> parse(String vendor) throws IOException {
        ProviderType type = ProviderType.fromId(vendor).orElseThrow();
        try (InputStream in = ModelListParserTest.class.getResourceAsStream("/vendors/" + vendor + "/models.json")) {
            return ModelListParser.parse(type.modelListFormat(), new ObjectMapper().readTree(in));
        }
    }

    @Test
    void openRouterPricesPerTokenBecomePerMillion() throws IOException {
        List<ListedModel> models = parse("openrouter");
        ListedModel mini = models.stream()
                .filter(m -> m.id().equals("openai/gpt-4o-mini"))
                .findFirst()
                .orElseThrow();
        assertEquals(0, new BigDecimal("0.15").compareTo(mini.inputPrice()));
        assertEquals(0, new BigDecimal("0.6").compareTo(mini.outputPrice()));
        assertEquals(0, new BigDecimal("0.075").compareTo(mini.cachedInputPrice()));
        assertEquals(128000, mini.contextWindow());
    }

    @Test
    void togetherKeepsChatAndEmbeddingModels() throws IOException {
        List<ListedModel> models = parse("together");
        assertEquals(
                List.of(
                        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
                        "mistralai/Mixtral-8x7B-Instruct-v0.1",
                        "BAAI/bge-large-en-v1.5"),
                models.stream().map(ListedModel::id).toList());
        assertEquals(0, new BigDecimal("0.88").compareTo(models.get(0).inputPrice()));
    }

    @Test
    void cohereKeepsChatAndEmbedModels() throws IOException {
        assertEquals(
                List.of("command-a-03-2025", "command-r-08-2024", "embed-english-v3.0"),
                parse("cohere").stream().map(ListedModel::id).toList());
    }

    @Test
    void contextWindowFieldsOfEachVendor() throws IOException {
        assertEquals(131072, parse("groq").get(0).contextWindow());
        assertEquals(131072, parse("mistral").get(0).contextWindow());
        assertEquals("Claude Opus 4.1", parse("anthropic").get(0).displayName());
        assertNull(parse("openai").get(0).inputPrice(), "OpenAI lists no prices");
    }

    @Test
    void somethingElseIsRefused() throws IOException {
        JsonNode html = new ObjectMapper().readTree("{\"message\":\"hello\"}");
        assertThrows(
                IllegalArgumentException.class, () -> ModelListParser.parse(ProviderType.ModelListFormat.OPENAI, html));
        assertThrows(
                IllegalArgumentException.class, () -> ModelListParser.parse(ProviderType.ModelListFormat.COHERE, html));
    }
}
