package dev.llmgateway.keycloak.vendor.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.SseStreamTranslator;

/**
 * Relays an OpenAI-compatible stream. The gateway always asks the vendor for usage; when the caller did not ask
 * ({@code stream_options.include_usage}), the usage is kept for the ledger and removed from what the caller sees.
 * Events without usage pass through unparsed.
 */
final class OpenAiStreamTranslator extends SseStreamTranslator {

    private static final ObjectMapper JSON = Json.MAPPER;

    private Usage usage = Usage.NONE;
    private boolean usageFinal;
    private long textChars;

    OpenAiStreamTranslator(boolean callerWantsUsage) {
        super(callerWantsUsage);
    }

    @Override
    protected boolean onEvent(String data, List<byte[]> out) {
        if (data.equals("[DONE]")) {
            return true;
        }
        String relayed = data;
        textChars += stringChars(data, "\"content\":") + stringChars(data, "\"arguments\":");
        if (data.contains("\"usage\":{") || data.contains("\"usage\": {")) {
            relayed = withUsageNoted(data);
        } else if (!callerWantsUsage && data.contains(",\"usage\":null")) {
            // Asked for usage on the caller's behalf, the vendor marks every chunk "usage": null; a caller who did not
            // ask sees the chunks as OpenAI sends them without it. (Inside JSON strings quotes are escaped, so this
            // text is only ever the member itself.)
            relayed = data.replace(",\"usage\":null", "");
        }
        if (relayed != null) {
            out.add(("data: " + relayed + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        return true;
    }

    /** Notes the usage; returns the event as the caller should see it, or null to drop it. */
    private String withUsageNoted(String data) {
        try {
            JsonNode node = JSON.readTree(data);
            JsonNode u = node.get("usage");
            if (u == null || !u.isObject()) {
                // Groq streams its usage inside its own extension object of the last chunk.
                JsonNode groq = node.path("x_groq").path("usage");
                if (!groq.isObject()) {
                    return data;
                }
                usage = Usage.fromOpenAi(groq);
                usageFinal = true;
                if (callerWantsUsage) {
                    return data;
                }
                // Usage only for callers who ask, wherever the vendor puts it.
                ((ObjectNode) node.get("x_groq")).remove("usage");
                ((ObjectNode) node).remove("usage");
                return JSON.writeValueAsString(node);
            }
            // The usage chunk carries the service tier that served the call, as every chunk does.
            usage = Usage.fromOpenAiCompletion(node);
            usageFinal = true;
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

    /**
     * The characters of every JSON string value of {@code key} in a chunk (escapes count as one), found by scanning
     * rather than parsing: most chunks pass through unparsed.
     */
    static int stringChars(String data, String key) {
        int n = 0;
        int i = data.indexOf(key);
        while (i >= 0) {
            int j = i + key.length();
            while (j < data.length() && data.charAt(j) == ' ') {
                j++;
            }
            if (j < data.length() && data.charAt(j) == '"') {
                j++;
                while (j < data.length() && data.charAt(j) != '"') {
                    j += data.charAt(j) == '\\' ? 2 : 1;
                    n++;
                }
            }
            i = data.indexOf(key, j);
        }
        return n;
    }

    @Override
    public long textChars() {
        return textChars;
    }

    @Override
    public byte[] finish() {
        return DONE;
    }

    @Override
    public boolean usageFinal() {
        return usageFinal;
    }

    @Override
    public Usage usage() {
        return usage;
    }
}
