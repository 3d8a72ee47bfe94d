package dev.llmgateway.keycloak.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Relays an OpenAI-compatible stream. The gateway always asks the vendor for usage; when the caller did not ask
 * ({@code stream_options.include_usage}), the usage is kept for the ledger and removed from what the caller sees.
 * Events without usage pass through unparsed.
 */
final class OpenAiStreamTranslator implements StreamTranslator {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final SseParser parser = new SseParser();
    private final boolean callerWantsUsage;
    private Usage usage = Usage.NONE;

    OpenAiStreamTranslator(boolean callerWantsUsage) {
        this.callerWantsUsage = callerWantsUsage;
    }

    @Override
    public List<byte[]> translate(ByteBuffer vendorBytes) {
        List<String> events = parser.feed(vendorBytes);
        List<byte[]> out = new ArrayList<>(events.size());
        for (String data : events) {
            if (data.equals("[DONE]")) {
                continue;
            }
            String relayed = data;
            if (data.contains("\"usage\":{") || data.contains("\"usage\": {")) {
                relayed = withUsageNoted(data);
            }
            if (relayed != null) {
                out.add(("data: " + relayed + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Notes the usage; returns the event as the caller should see it, or null to drop it. */
    private String withUsageNoted(String data) {
        try {
            JsonNode node = JSON.readTree(data);
            JsonNode u = node.get("usage");
            if (u == null || !u.isObject()) {
                return data;
            }
            usage = Usage.fromOpenAi(u);
            if (callerWantsUsage) {
                return data;
            }
            JsonNode choices = node.get("choices");
            if (choices == null || choices.isEmpty()) {
                return null;
            }
            ((ObjectNode) node).remove("usage");
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            return data;
        }
    }

    @Override
    public byte[] finish() {
        return DONE;
    }

    @Override
    public Usage usage() {
        return usage;
    }
}
