package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * {@code POST /v1/embeddings} with the official OpenAI Java SDK as the caller: text and array input, dimensions,
 * base64 (the SDK asks for it by default and decodes it) and floats; OpenAI-format vendors and Cohere's own embed API
 * behind it; fallback; a chat model asked for embeddings and an embedding model asked to chat; power levels; the
 * ledger's rows (call kind {@code embeddings}) and their exact costs (input tokens at the catalogue's input price).
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class EmbeddingsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    /** Provider ids by name, once created. */
    private final Map<String, String> providers = new HashMap<>();

    @BeforeEach
    void providers() {
        since = System.currentTimeMillis();
        Api.allowEveryModel(realm.getName());
        JsonNode list = Api.get(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken())
                .json();
        for (JsonNode p : list.get("providers")) {
            providers.put(p.get("name").asText(), p.get("id").asText());
        }
        if (!providers.isEmpty()) {
            return;
        }
        provider(
                "Emb OpenAI",
                "openai",
                "sk-test-emb-openai",
                50,
                "text-embedding-3-small",
                "text-embedding-3-large",
                "gpt-4o-mini");
        provider("Emb Mistral", "mistral", "sk-test-emb-mistral", 50, "mistral-embed");
        provider("Emb Cohere", "cohere", "sk-test-emb-cohere", 50, "embed-v4.0", "embed-english-v3.0");
        // text-embedding-ada-002 from two providers: the first (higher priority) fails, the second answers.
        provider("Emb Failing", "openai", "sk-test-fail503-emb", 90, "text-embedding-ada-002");
        provider("Emb Custom", "custom", "sk-test-emb-custom", 10, "text-embedding-ada-002");
    }

    private void provider(String name, String type, String key, int priority, String... models) {
        Map<String, Object> body = new HashMap<>();
        body.put("type", type);
        body.put("name", name);
        body.put("apiKey", key);
        body.put("baseUrl", vendors.baseUrl(type));
        body.put("priority", priority);
        body.put("models", List.of(models));
        Api.Reply r = Api.post(Api.admin(realm.getName(), "/providers"), Api.masterAdminToken(), body);
        assertEquals(201, r.status(), r.text());
        providers.put(name, r.json().get("provider").get("id").asText());
    }

    private String token() {
        return Api.token(realm.getName(), "plainuser", LlmRealmConfig.PASSWORD);
    }

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder()
                .baseUrl(Api.BASE + "/realms/" + realm.getName() + "/llm/v1")
                .apiKey(token())
                .maxRetries(0)
                .build();
    }

    private static List<Float> expected(String text, int dimensions) {
        List<Float> out = new ArrayList<>();
        for (float f : FakeEmbeddings.vector(text, dimensions)) {
            out.add(f);
        }
        return out;
    }

    /** When the running test began: its ledger rows are those written since. */
    private long since;

    /** The ledger's rows of a provider's calls of {@code model} during this test, waiting for {@code n}. */
    private List<Map<String, Object>> ledger(String provider, String model, int n) {
        return Db.waitFor(
                n,
                "select * from LLM_USAGE_EVENT where PROVIDER_ID = ? and MODEL = ? and CREATED_AT >= ?"
                        + " order by CREATED_AT",
                providers.get(provider),
                model,
                since);
    }

    private static void assertRow(Map<String, Object> row, long tokens, String price) {
        assertEquals("embeddings", row.get("CALL_KIND"), row.toString());
        assertEquals(tokens, ((Number) row.get("PROMPT_TOKENS")).longValue(), row.toString());
        assertEquals(0L, ((Number) row.get("COMPLETION_TOKENS")).longValue(), row.toString());
        BigDecimal cost = (BigDecimal) row.get("COST");
        BigDecimal exact =
                new BigDecimal(price).multiply(BigDecimal.valueOf(tokens)).divide(MILLION);
        assertEquals(0, exact.compareTo(cost), "cost " + cost + ", expected " + exact);
        assertEquals(200, ((Number) row.get("STATUS")).intValue(), row.toString());
    }

    private List<JsonNode> requestsTo(String vendor, String pathEnd) {
        List<JsonNode> out = new ArrayList<>();
        for (FakeVendors.Recorded r : vendors.requests()) {
            if (r.vendor().equals(vendor) && r.path().endsWith(pathEnd)) {
                try {
                    out.add(JSON.readTree(r.body()));
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    @Test
    void openAiTextAndArraysInBase64AndFloatsWithExactCosts() {
        OpenAIClient client = client();
        vendors.clear();
        // The SDK asks for base64 by default, and decodes it.
        CreateEmbeddingResponse one = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("text-embedding-3-small")
                        .input("hello world")
                        .build());
        assertEquals(1, one.data().size());
        assertEquals(
                expected("hello world", FakeEmbeddings.DEFAULT_DIMENSIONS),
                one.data().get(0).embedding());
        assertEquals(FakeEmbeddings.tokens("hello world"), one.usage().promptTokens());
        assertEquals(one.usage().promptTokens(), one.usage().totalTokens());
        JsonNode sent = requestsTo("openai", "/embeddings").get(0);
        assertEquals("base64", sent.get("encoding_format").asText(), "OpenAI is asked as the caller asked: " + sent);

        List<String> texts = List.of("first document", "a second, longer document");
        CreateEmbeddingResponse two = client.embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("text-embedding-3-small")
                        .inputOfArrayOfStrings(texts)
                        .dimensions(8)
                        .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                        .build());
        assertEquals(2, two.data().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(i, two.data().get(i).index());
            assertEquals(expected(texts.get(i), 8), two.data().get(i).embedding());
            assertTrue(two.data().get(i).embeddingValue().isFloats());
        }
        long tokens = FakeEmbeddings.tokens(texts.get(0)) + FakeEmbeddings.tokens(texts.get(1));
        assertEquals(tokens, two.usage().promptTokens());

        List<Map<String, Object>> rows = ledger("Emb OpenAI", "text-embedding-3-small", 2);
        assertRow(rows.get(0), FakeEmbeddings.tokens("hello world"), "0.02");
        assertRow(rows.get(1), tokens, "0.02");
        assertEquals("text-embedding-3-small", rows.get(1).get("REQUESTED_MODEL"));
        assertFalse((Boolean) rows.get(1).get("STREAMED"));
    }

    @Test
    void mistralGetsWhatItTakesAndTheGatewayEncodesBase64() {
        vendors.clear();
        CreateEmbeddingResponse r = client().embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("mistral-embed")
                        .input("bonjour le monde")
                        .dimensions(16)
                        .user("someone")
                        .build());
        assertEquals(expected("bonjour le monde", 16), r.data().get(0).embedding());
        assertTrue(r.data().get(0).embeddingValue().isBase64(), "base64 as the SDK asked, though Mistral sent floats");
        JsonNode sent = requestsTo("mistral", "/embeddings").get(0);
        assertEquals(16, sent.get("output_dimension").asInt(), sent.toString());
        assertFalse(sent.has("encoding_format") || sent.has("user") || sent.has("dimensions"), sent.toString());
        assertRow(ledger("Emb Mistral", "mistral-embed", 1).get(0), FakeEmbeddings.tokens("bonjour le monde"), "0.1");
    }

    @Test
    void cohereIsTranslatedBothWays() {
        vendors.clear();
        List<String> texts = List.of("Keycloak signs people in", "embeddings find similar texts");
        CreateEmbeddingResponse r = client().embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("embed-v4.0")
                        .inputOfArrayOfStrings(texts)
                        .dimensions(64)
                        .build());
        assertEquals(2, r.data().size());
        assertEquals(expected(texts.get(1), 64), r.data().get(1).embedding());
        assertEquals("embed-v4.0", r.model());
        long tokens = FakeEmbeddings.tokens(texts.get(0)) + FakeEmbeddings.tokens(texts.get(1));
        assertEquals(tokens, r.usage().promptTokens());
        JsonNode sent = requestsTo("cohere", "/v2/embed").get(0);
        assertEquals(JSON.valueToTree(texts), sent.get("texts"));
        assertEquals("search_document", sent.get("input_type").asText());
        assertEquals("float", sent.get("embedding_types").get(0).asText());
        assertEquals(64, sent.get("output_dimension").asInt());
        assertRow(ledger("Emb Cohere", "embed-v4.0", 1).get(0), tokens, "0.12");

        // Cohere's v3 models have one size: nobody can serve the request, and the caller is told why.
        BadRequestException fixed = assertThrows(
                BadRequestException.class,
                () -> client().embeddings()
                        .create(EmbeddingCreateParams.builder()
                                .model("embed-english-v3.0")
                                .input("x")
                                .dimensions(64)
                                .build()));
        assertEquals("dimensions", fixed.param().orElseThrow());
        // Its own input types, as an extension field.
        Api.Reply query = Api.post(
                v1("embeddings"),
                token(),
                Map.of("model", "embed-english-v3.0", "input", "what is keycloak", "input_type", "search_query"));
        assertEquals(200, query.status(), query.text());
        List<JsonNode> cohere = requestsTo("cohere", "/v2/embed");
        assertEquals(
                "search_query", cohere.get(cohere.size() - 1).get("input_type").asText());
    }

    /** A vendor that reports no usage: the tokens are estimated (a quarter of the characters) and the row says so. */
    @Test
    void usageTheVendorDoesNotReportIsEstimatedAndMarkedSo() {
        if (!providers.containsKey("Emb No Usage")) {
            provider("Emb No Usage", "custom", "sk-test-emb-nousage", 50, "nousage-embed-model");
        }
        String input = "forty characters of text to be embedded.";
        CreateEmbeddingResponse answer = client().embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("nousage-embed-model")
                        .input(input)
                        .build());
        assertEquals(1, answer.data().size());
        long estimate = (input.length() + 3) / 4;
        assertEquals(estimate, answer.usage().promptTokens(), "the caller sees the estimate");
        Map<String, Object> row =
                ledger("Emb No Usage", "nousage-embed-model", 1).get(0);
        assertEquals("embeddings", row.get("CALL_KIND"));
        assertEquals(estimate, ((Number) row.get("PROMPT_TOKENS")).longValue(), row.toString());
        assertEquals(Boolean.TRUE, row.get("USAGE_ESTIMATED"), row.toString());
        client().embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("text-embedding-3-small")
                        .input(input)
                        .build());
        Map<String, Object> reported =
                ledger("Emb OpenAI", "text-embedding-3-small", 1).get(0);
        assertEquals(Boolean.FALSE, reported.get("USAGE_ESTIMATED"), "usage the vendor reported is not marked");
    }

    @Test
    void aFailingProviderFallsBackToAnother() {
        vendors.clear();
        CreateEmbeddingResponse r = client().embeddings()
                .create(EmbeddingCreateParams.builder()
                        .model("text-embedding-ada-002")
                        .input("fallback please")
                        .build());
        assertEquals(
                expected("fallback please", FakeEmbeddings.DEFAULT_DIMENSIONS),
                r.data().get(0).embedding());
        assertEquals(1, requestsTo("openai", "/embeddings").size(), "the failing provider was tried first");
        assertEquals(1, requestsTo("custom", "/embeddings").size());
        Map<String, Object> row =
                ledger("Emb Custom", "text-embedding-ada-002", 1).get(0);
        assertRow(row, FakeEmbeddings.tokens("fallback please"), "0.1");
        assertEquals(2, ((Number) row.get("ATTEMPTS")).intValue());
    }

    @Test
    void aChatModelIsNoEmbeddingModelAndAnEmbeddingModelDoesNotChat() {
        OpenAIClient client = client();
        BadRequestException chatModel = assertThrows(
                BadRequestException.class,
                () -> client.embeddings()
                        .create(EmbeddingCreateParams.builder()
                                .model("gpt-4o-mini")
                                .input("x")
                                .build()));
        assertEquals("model_not_supported", chatModel.code().orElseThrow());
        assertTrue(chatModel.getMessage().contains("not an embedding model"), chatModel.getMessage());

        BadRequestException embeddingModel = assertThrows(
                BadRequestException.class,
                () -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("text-embedding-3-small")
                                .addUserMessage("Say hello")
                                .build()));
        assertEquals("model_not_supported", embeddingModel.code().orElseThrow());
        assertTrue(embeddingModel.getMessage().contains("/v1/embeddings"), embeddingModel.getMessage());

        NotFoundException unknown = assertThrows(
                NotFoundException.class,
                () -> client.embeddings()
                        .create(EmbeddingCreateParams.builder()
                                .model("no-such-embedder")
                                .input("x")
                                .build()));
        assertEquals("model_not_found", unknown.code().orElseThrow());
    }

    @Test
    void badInputIsRefusedNamingTheParameter() {
        String token = token();
        Object[][] cases = {
            {Map.of("model", "text-embedding-3-small", "input", List.of()), "input"},
            {Map.of("model", "text-embedding-3-small"), "input"},
            {Map.of("model", "text-embedding-3-small", "input", "x", "dimensions", 0), "dimensions"},
            {Map.of("model", "text-embedding-3-small", "input", "x", "encoding_format", "int8"), "encoding_format"},
            {Map.of("input", "x"), "model"},
        };
        for (Object[] c : cases) {
            Api.Reply r = Api.post(v1("embeddings"), token, c[0]);
            assertEquals(400, r.status(), r.text());
            assertEquals(c[1], r.json().get("error").get("param").asText(), r.text());
        }
    }

    @Test
    void powerLevelsApplyToEmbeddings() {
        Api.Reply set = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                Api.masterAdminToken(),
                Map.of(
                        "default",
                        "small",
                        "levels",
                        List.of(Map.of(
                                "id",
                                "small",
                                "name",
                                "Small embeddings",
                                "models",
                                List.of("text-embedding-3-small")))));
        assertEquals(200, set.status(), set.text());
        try {
            PermissionDeniedException refused = assertThrows(
                    PermissionDeniedException.class,
                    () -> client().embeddings()
                            .create(EmbeddingCreateParams.builder()
                                    .model("text-embedding-3-large")
                                    .input("x")
                                    .build()));
            assertEquals("model_not_allowed", refused.code().orElseThrow());
            assertEquals(
                    1,
                    client().embeddings()
                            .create(EmbeddingCreateParams.builder()
                                    .model("text-embedding-3-small")
                                    .input("x")
                                    .build())
                            .data()
                            .size());
        } finally {
            Api.allowEveryModel(realm.getName());
        }
    }

    @Test
    void theModelsListSaysWhatEachModelCanDo() {
        JsonNode models = Api.get(v1("models"), token()).json().get("data");
        Map<String, List<String>> capabilities = new HashMap<>();
        for (JsonNode m : models) {
            List<String> can = new ArrayList<>();
            m.get("capabilities").forEach(c -> can.add(c.asText()));
            capabilities.put(m.get("id").asText(), can);
        }
        assertEquals(List.of("embeddings"), capabilities.get("text-embedding-3-small"));
        assertEquals(List.of("embeddings"), capabilities.get("embed-v4.0"));
        assertEquals(List.of("chat"), capabilities.get("gpt-4o-mini"));
        assertEquals(List.of("chat", "embeddings"), capabilities.get("auto"));
        assertEquals(
                List.of("embeddings"),
                List.of(Api.get(v1("models/mistral-embed"), token())
                        .json()
                        .get("capabilities")
                        .get(0)
                        .asText()));
    }

    private String v1(String path) {
        return Api.BASE + "/realms/" + realm.getName() + "/llm/v1/" + path;
    }
}
