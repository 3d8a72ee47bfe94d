package dev.llmgateway.keycloak.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.gateway.CallLimits;
import dev.llmgateway.keycloak.vendor.openai.OpenAiEmbeddingsAdapter;
import org.junit.jupiter.api.Test;
import org.keycloak.services.ErrorResponseException;

class EmbeddingsRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddingsRequest read(String body) {
        return EmbeddingsRequest.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), 10_000);
    }

    /** The 400's param and message. */
    private static String refusal(String body) throws Exception {
        ErrorResponseException e = assertThrows(ErrorResponseException.class, () -> read(body));
        assertEquals(400, e.getResponse().getStatus());
        JsonNode error = JSON.readTree((String) e.getResponse().getEntity()).get("error");
        return error.get("param").asText() + ": " + error.get("message").asText();
    }

    @Test
    void readsEachShapeOfInput() {
        EmbeddingsRequest one = read("{\"model\":\"text-embedding-3-small\",\"input\":\"hello world\"}");
        assertEquals(List.of("hello world"), one.texts());
        assertEquals(1, one.count());
        assertFalse(one.base64());
        assertNull(one.dimensions());
        assertEquals("search_document", one.inputType());
        EmbeddingsRequest two = read(
                "{\"model\":\"m\",\"input\":[\"a\",\"bb\"],\"dimensions\":256,\"encoding_format\":\"base64\",\"user\":\"u1\"}");
        assertEquals(2, two.count());
        assertEquals(256, two.dimensions());
        assertTrue(two.base64());
        EmbeddingsRequest ids = read("{\"model\":\"m\",\"input\":[1,2,3]}");
        assertTrue(ids.tokenIds());
        assertEquals(1, ids.count());
        assertEquals(3, read("{\"model\":\"m\",\"input\":[[1,2],[3],[4]]}").count());
    }

    @Test
    void refusesWhatOpenAiRefusesNamingTheParameter() throws Exception {
        assertTrue(refusal("{\"input\":\"x\"}").startsWith("model: "));
        assertTrue(refusal("{\"model\":\"m\"}").startsWith("input: "));
        assertTrue(refusal("{\"model\":\"m\",\"input\":[]}").contains("empty array"));
        assertTrue(refusal("{\"model\":\"m\",\"input\":\"\"}").contains("empty string"));
        assertTrue(refusal("{\"model\":\"m\",\"input\":[\"a\",3]}").contains("'input[1]' must be a string"));
        assertTrue(refusal("{\"model\":\"m\",\"input\":[1,-2]}").contains("token ids"));
        assertTrue(refusal("{\"model\":\"m\",\"input\":[[1],[]]}").contains("'input[1]'"));
        assertTrue(refusal("{\"model\":\"m\",\"input\":{\"a\":1}}").startsWith("input: "));
        assertTrue(refusal("{\"model\":\"m\",\"input\":\"x\",\"dimensions\":0}").startsWith("dimensions: "));
        assertTrue(refusal("{\"model\":\"m\",\"input\":\"x\",\"dimensions\":\"256\"}")
                .startsWith("dimensions: "));
        assertTrue(refusal("{\"model\":\"m\",\"input\":\"x\",\"encoding_format\":\"int8\"}")
                .startsWith("encoding_format: "));
        assertTrue(refusal("{\"model\":\"m\",\"input\":\"x\",\"user\":5}").startsWith("user: "));
        assertTrue(refusal("{\"model\":\"m\",\"input\":\"x\",\"input_type\":\"poem\"}")
                .startsWith("input_type: "));
        StringBuilder many = new StringBuilder("{\"model\":\"m\",\"input\":[");
        for (int i = 0; i <= EmbeddingsRequest.MAX_INPUTS; i++) {
            many.append(i == 0 ? "" : ",").append("\"t\"");
        }
        ErrorResponseException e = assertThrows(
                ErrorResponseException.class,
                () -> EmbeddingsRequest.read(
                        new ByteArrayInputStream(many.append("]}").toString().getBytes(StandardCharsets.UTF_8)),
                        100_000));
        assertTrue(((String) e.getResponse().getEntity()).contains("at most " + EmbeddingsRequest.MAX_INPUTS));
    }

    @Test
    void theEstimateCountsTheInput() {
        assertEquals(
                3,
                CallLimits.estimate(read("{\"model\":\"m\",\"input\":[\"abcdef\",\"ghijkl\"]}")
                        .routed()));
        assertEquals(
                3,
                CallLimits.estimate(read("{\"model\":\"m\",\"input\":[1,2,3]}").routed()));
    }

    @Test
    void base64IsLittleEndianFloat32() {
        ArrayNode floats = JSON.createArrayNode().add(1.0f).add(-0.5f);
        // 1.0f = 0x3F800000, -0.5f = 0xBF000000, little-endian.
        assertEquals("AACAPwAAAL8=", EmbeddingsRequest.toBase64(floats));
        assertEquals(floats, EmbeddingsRequest.fromBase64("AACAPwAAAL8="));
    }

    @Test
    void openAiFormatVendorsGetWhatTheyTake() throws Exception {
        EmbeddingsRequest r = read(
                "{\"model\":\"emb\",\"input\":[\"a\"],\"dimensions\":64,\"encoding_format\":\"base64\",\"input_type\":\"search_query\"}");
        OpenAiEmbeddingsAdapter adapter = new OpenAiEmbeddingsAdapter(r);
        ProviderEndpoint openAi = new ProviderEndpoint("p", "OpenAI", ProviderType.OPENAI, "https://o/v1/", null, null);
        var request =
                adapter.request(openAi, "sk-x", "text-embedding-3-small", r.routed(), java.time.Duration.ofSeconds(5));
        assertEquals("https://o/v1/embeddings", request.uri().toString());
        ProviderEndpoint mistral =
                new ProviderEndpoint("p", "Mistral", ProviderType.MISTRAL, "https://m/v1", null, null);
        assertEquals(
                "https://m/v1/embeddings",
                adapter.request(mistral, "k", "mistral-embed", r.routed(), java.time.Duration.ofSeconds(5))
                        .uri()
                        .toString());
        ProviderEndpoint together =
                new ProviderEndpoint("p", "Together", ProviderType.TOGETHER, "https://t/v1", null, null);
        UnsupportedRequestException noDimensions = assertThrows(
                UnsupportedRequestException.class,
                () -> adapter.request(
                        together, "k", "BAAI/bge-large-en-v1.5", r.routed(), java.time.Duration.ofSeconds(5)));
        assertEquals("dimensions", noDimensions.param());

        // A vendor that answered floats where base64 was asked for: encoded; the usage kept.
        String answer =
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"embedding\":[1.0,-0.5],\"index\":0}],"
                        + "\"model\":\"mistral-embed\",\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7,\"completion_tokens\":0}}";
        ChatResult result = adapter.parse(answer.getBytes(StandardCharsets.UTF_8));
        assertEquals("AACAPwAAAL8=", result.response().at("/data/0/embedding").asText());
        assertEquals(7, result.usage().promptTokens());
        assertEquals(0, result.usage().completionTokens());
        // Already what the caller asked for: the vendor's bytes as they are.
        String asked = answer.replace("[1.0,-0.5]", "\"AACAPwAAAL8=\"");
        assertTrue(adapter.parse(asked.getBytes(StandardCharsets.UTF_8)).body() != null);
    }
}
