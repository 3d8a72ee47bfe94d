package dev.llmgateway.keycloak.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ProviderType;
import org.junit.jupiter.api.Test;
import org.keycloak.services.ErrorResponseException;

class ProviderInputTest {

    private static ObjectNode json(String s) throws IOException {
        return (ObjectNode) new ObjectMapper().readTree(s);
    }

    @Test
    void originalClientShape() throws IOException {
        ProviderInput in = ProviderInput.parse(
                json(
                        "{\"type\":\"openrouter\",\"apiKey\":\" sk-or-v1-abc \",\"priority\":50,"
                                + "\"autoFallback\":true,\"models\":[\"openai/gpt-4\",\"anthropic/claude-3\",\"openai/gpt-4\"]}"),
                true);
        assertEquals(ProviderType.OPENROUTER, in.type());
        assertEquals("sk-or-v1-abc", in.apiKey(), "surrounding spaces of a pasted key are dropped");
        assertEquals(2, in.models().size(), "duplicates removed");
        assertNull(in.baseUrl());
    }

    @Test
    void snakeCaseSpellingsAndStringPriority() throws IOException {
        ProviderInput in = ProviderInput.parse(
                json("{\"provider\":\"custom\",\"api_key\":\"k\",\"base_url\":\"https://x.example/v1/\","
                        + "\"priority\":\"7\"}"),
                true);
        assertEquals(ProviderType.CUSTOM, in.type());
        assertEquals("https://x.example/v1", in.baseUrl());
        assertEquals(7, in.priority());
    }

    @Test
    void updateMayOmitEverything() throws IOException {
        ProviderInput in = ProviderInput.parse(json("{}"), false);
        assertNull(in.type());
        assertNull(in.apiKey());
        assertTrue(!in.baseUrlGiven() && !in.modelsGiven());
    }

    @Test
    void refusals() {
        assertThrows(
                ErrorResponseException.class,
                () -> ProviderInput.parse(json("{\"type\":\"openai\",\"apiKey\":\"a b\"}"), true));
        assertThrows(
                ErrorResponseException.class,
                () -> ProviderInput.parse(json("{\"type\":\"openai\",\"apiKey\":\"k\",\"api_key\":\"k\"}"), true));
        assertThrows(
                ErrorResponseException.class, () -> ProviderInput.parse(json("{\"type\":7,\"apiKey\":\"k\"}"), true));
        assertThrows(
                ErrorResponseException.class,
                () -> ProviderInput.parse(
                        json("{\"type\":\"openai\",\"apiKey\":\"k\",\"baseUrl\":\"https://h/v1?x=1\"}"), true));
    }
}
