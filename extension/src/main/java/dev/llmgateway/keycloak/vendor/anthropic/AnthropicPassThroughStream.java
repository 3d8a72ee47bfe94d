package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.SseParser;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * Relays Anthropic's stream to a Messages API caller byte for byte, reading on the way the usage of {@code
 * message_start} (input and cache tokens) and {@code message_delta} (the final counts) and the text for estimates.
 * Adds nothing at the end: Anthropic's stream ends with its own {@code message_stop}.
 */
final class AnthropicPassThroughStream implements StreamTranslator {

    private static final byte[] NOTHING = new byte[0];

    private final SseParser parser = new SseParser();
    private long inputTokens;
    private long cacheReadTokens;
    private long cacheWriteTokens;
    private long cacheWrite1hTokens;
    private long outputTokens;
    private boolean usageFinal;
    private long textChars;

    @Override
    public List<byte[]> translate(ByteBuffer vendorBytes) {
        byte[] bytes = new byte[vendorBytes.remaining()];
        vendorBytes.get(bytes);
        for (String data : parser.feed(ByteBuffer.wrap(bytes))) {
            note(data);
        }
        return bytes.length == 0 ? List.of() : List.of(bytes);
    }

    private void note(String data) {
        // Text deltas are counted without parsing; only the events carrying usage are read.
        if (data.startsWith("{\"type\":\"content_block_delta\"") || data.contains("\"content_block_delta\"")) {
            textChars += ChatToMessagesStream.stringChars(data, "\"text\":")
                    + ChatToMessagesStream.stringChars(data, "\"partial_json\":")
                    + ChatToMessagesStream.stringChars(data, "\"thinking\":");
            return;
        }
        if (!data.contains("\"usage\"")) {
            return;
        }
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(data);
        } catch (IOException e) {
            return;
        }
        if (event == null) {
            return;
        }
        switch (event.path("type").asText()) {
            case "message_start" -> noteUsage(event.path("message").path("usage"));
            case "message_delta" -> {
                noteUsage(event.path("usage"));
                usageFinal = usageFinal || event.path("usage").isObject();
            }
            default -> {}
        }
    }

    /** Anthropic's counts are cumulative, and later events may leave some out. */
    private void noteUsage(JsonNode u) {
        inputTokens = Math.max(inputTokens, u.path("input_tokens").asLong(0));
        cacheReadTokens =
                Math.max(cacheReadTokens, u.path("cache_read_input_tokens").asLong(0));
        cacheWriteTokens =
                Math.max(cacheWriteTokens, u.path("cache_creation_input_tokens").asLong(0));
        cacheWrite1hTokens = Math.max(cacheWrite1hTokens, AnthropicMessagesAdapter.oneHourWrites(u));
        outputTokens = Math.max(outputTokens, u.path("output_tokens").asLong(0));
    }

    @Override
    public byte[] finish() {
        return NOTHING;
    }

    @Override
    public Usage usage() {
        return AnthropicMessagesAdapter.usage(
                inputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, outputTokens);
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
