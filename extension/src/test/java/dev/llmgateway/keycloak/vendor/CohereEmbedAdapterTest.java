package dev.llmgateway.keycloak.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import org.junit.jupiter.api.Test;

class CohereEmbedAdapterTest {

    private static final ProviderEndpoint COHERE =
            new ProviderEndpoint("p", "Cohere", ProviderType.COHERE, "https://api.cohere.com", null, null);

    private static EmbeddingsRequest read(String body) {
        return EmbeddingsRequest.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), 10_000);
    }

    @Test
    void translatesTheRequestAndTheAnswer() {
        EmbeddingsRequest r = read("{\"model\":\"embed\",\"input\":[\"a\",\"b\"],\"dimensions\":256}");
        CohereEmbedAdapter adapter = new CohereEmbedAdapter(r);
        assertEquals(
                "https://api.cohere.com/v2/embed",
                adapter.request(COHERE, "k", "embed-v4.0", r.routed(), Duration.ofSeconds(5))
                        .uri()
                        .toString());
        ObjectNode body = adapter.body("embed-v4.0");
        assertEquals(
                "{\"model\":\"embed-v4.0\",\"texts\":[\"a\",\"b\"],\"input_type\":\"search_document\","
                        + "\"embedding_types\":[\"float\"],\"output_dimension\":256}",
                body.toString());
        assertEquals(
                "dimensions",
                assertThrows(UnsupportedRequestException.class, () -> adapter.body("embed-english-v3.0"))
                        .param());
        assertEquals(
                "input",
                assertThrows(
                                UnsupportedRequestException.class,
                                () -> new CohereEmbedAdapter(read("{\"model\":\"embed\",\"input\":[1,2]}"))
                                        .body("embed-v4.0"))
                        .param());

        ChatResult result = adapter.parse(("{\"id\":\"x\",\"embeddings\":{\"float\":[[1.0,-0.5],[0.25,0.5]]},"
                        + "\"texts\":[\"a\",\"b\"],\"meta\":{\"api_version\":{\"version\":\"2\"},"
                        + "\"billed_units\":{\"input_tokens\":9}},\"response_type\":\"embeddings_by_type\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[1.0,-0.5]},"
                        + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.25,0.5]}],\"model\":\"embed-v4.0\","
                        + "\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}",
                result.response().toString());
        assertEquals(9, result.usage().promptTokens());
    }

    @Test
    void base64WhenAskedFor() {
        EmbeddingsRequest r = read("{\"model\":\"embed\",\"input\":\"a\",\"encoding_format\":\"base64\"}");
        CohereEmbedAdapter adapter = new CohereEmbedAdapter(r);
        ChatResult result = adapter.parse(
                "{\"embeddings\":{\"float\":[[1.0,-0.5]]},\"meta\":{\"billed_units\":{\"input_tokens\":1}}}"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("AACAPwAAAL8=", result.response().at("/data/0/embedding").asText());
    }
}
