package dev.llmgateway.keycloak.vendor.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import org.junit.jupiter.api.Test;

/** OpenAI providers get the caller's Responses request itself, and the caller OpenAI's answer byte for byte. */
class ResponsesPassThroughTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProviderEndpoint OPENAI =
            new ProviderEndpoint("p", "OpenAI", ProviderType.OPENAI, "https://api.openai.com/v1/", "s", "c");

    /** The body an HTTP request would send. */
    static byte[] bodyOf(HttpRequest http) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        http.bodyPublisher().orElseThrow().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.writeBytes(b);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {}
        });
        return out.toByteArray();
    }

    @Test
    void theCallersBodyGoesToResponsesWithTheVendorsModelAndStoreOff() throws IOException {
        ResponsesRequest r = ResponsesRequestTest.read(
                "{\"model\":\"fast\",\"input\":\"Hi\",\"stream\":true,\"store\":true,"
                        + "\"tools\":[{\"type\":\"web_search_preview\"}],\"include\":[\"reasoning.encrypted_content\"]}");
        HttpRequest http = new ResponsesPassThroughAdapter(r)
                .request(OPENAI, "sk-test", "gpt-4.1-mini", r.chat(), Duration.ofSeconds(9));
        assertEquals("https://api.openai.com/v1/responses", http.uri().toString());
        assertEquals(
                "Bearer sk-test", http.headers().firstValue("Authorization").orElseThrow());
        JsonNode sent = JSON.readTree(bodyOf(http));
        assertEquals(
                JSON.readTree("{\"model\":\"gpt-4.1-mini\",\"input\":\"Hi\",\"stream\":true,"
                        + "\"tools\":[{\"type\":\"web_search_preview\"}],"
                        + "\"include\":[\"reasoning.encrypted_content\"],\"store\":false}"),
                sent);
        assertEquals("fast", r.body().get("model").asText(), "the caller's body is left as it is");
    }

    @Test
    void theResponseIsRelayedAsItCameWithItsUsage() throws IOException {
        byte[] body = ResponsesChatAdapterTest.fixture("openai", "response.json");
        ChatResult result = new ResponsesPassThroughAdapter(null).parse(body);
        assertArrayEquals(body, result.body());
        assertEquals(new Usage(1200, 80, 1000, 0).withServiceTier("default"), result.usage());
    }

    @Test
    void theStreamIsRelayedByteForByteAndItsUsageRead() throws IOException {
        byte[] stream = ResponsesChatAdapterTest.fixture("openai", "responses-stream.txt");
        StreamTranslator t = new ResponsesPassThroughAdapter(null).streamTranslator(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < stream.length; i += 5) {
            t.translate(ByteBuffer.wrap(stream, i, Math.min(5, stream.length - i)))
                    .forEach(out::writeBytes);
            if (i < stream.length / 2) {
                assertFalse(t.usageFinal());
            }
        }
        out.writeBytes(t.finish());
        assertArrayEquals(stream, out.toByteArray());
        assertTrue(t.usageFinal());
        assertEquals(new Usage(1200, 80, 1000, 0).withServiceTier("default"), t.usage());
        assertEquals("In Paris it is 21 °C and sunny.".length(), t.textChars());
        // The fixture is what the SDK reads: every event validates.
        ResponsesChatAdapterTest.events(new ResponsesPassThroughStream(), stream, 64);
    }
}
