package dev.llmgateway.keycloak.vendor.openai;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.SseParser;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * Relays OpenAI's Responses stream byte for byte, reading on the way the usage of its closing event
 * ({@code response.completed}, {@code response.incomplete} or {@code response.failed}) and counting the text and
 * argument deltas, from which the usage of a stream cut short is estimated. Ends with nothing of its own: OpenAI sends
 * no {@code [DONE]} here.
 */
final class ResponsesPassThroughStream implements StreamTranslator {

    private static final ObjectMapper JSON = Json.MAPPER;
    private static final byte[] NOTHING = new byte[0];

    private final SseParser parser = new SseParser();
    private Usage usage = Usage.NONE;
    private boolean usageFinal;
    private long textChars;

    @Override
    public List<byte[]> translate(ByteBuffer vendorBytes) {
        byte[] bytes = new byte[vendorBytes.remaining()];
        vendorBytes.get(bytes);
        for (String data : parser.feed(ByteBuffer.wrap(bytes))) {
            if (data.contains("\"usage\":{") || data.contains("\"usage\": {")) {
                noteUsage(data);
            } else if (data.contains(".delta\"")) {
                // output_text, refusal and function_call_arguments deltas: scanned, not parsed
                textChars += OpenAiStreamTranslator.stringChars(data, "\"delta\":");
            }
        }
        return bytes.length == 0 ? List.of() : List.of(bytes);
    }

    private void noteUsage(String data) {
        try {
            JsonNode event = JSON.readTree(data);
            JsonNode response = event.path("response");
            if (response.path("usage").isObject()) {
                usage = ResponsesObjects.usageOf(response);
                usageFinal = true;
            }
        } catch (IOException e) {
            // not an event we can read: relayed as it is
        }
    }

    @Override
    public byte[] finish() {
        return NOTHING;
    }

    @Override
    public Usage usage() {
        return usage;
    }

    @Override
    public boolean usageFinal() {
        return usageFinal;
    }

    @Override
    public long textChars() {
        return textChars;
    }
}
