package dev.llmgateway.keycloak.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Every provider key any test sends to the server, recorded (base64, one a line) in {@code target/it-keys.txt}. After
 * the suite, {@code src/test/scripts/ScanServerLog.java} (run by Maven in the verify phase) fails the build when the
 * server log of the whole suite holds any of them. {@link Api} records the {@code apiKey}/{@code api_key} fields of every
 * body it sends; tests that send keys another way (a browser, a shell snippet) call {@link #track(String)}.
 */
public final class KeyLedger {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    private KeyLedger() {}

    public static Path file() {
        return LlmServerConfig.workDir().resolve("it-keys.txt").toAbsolutePath();
    }

    public static void track(String key) {
        if (key == null || key.isBlank() || !SEEN.add(key)) {
            return;
        }
        String line = Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8)) + "\n";
        synchronized (KeyLedger.class) {
            try {
                Files.writeString(
                        file(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Records the key fields of a JSON body about to be sent; bodies that are not JSON are searched by pattern. */
    static void trackBody(String body) {
        if (body == null || !(body.contains("apiKey") || body.contains("api_key"))) {
            return;
        }
        try {
            walk(JSON.readTree(body));
        } catch (IOException e) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "\"api_?[kK]ey\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
                    .matcher(body);
            while (m.find()) {
                track(m.group(1));
            }
        }
    }

    private static void walk(JsonNode node) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if ((f.getKey().equals("apiKey") || f.getKey().equals("api_key"))
                        && f.getValue().isTextual()) {
                    track(f.getValue().asText());
                } else {
                    walk(f.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(KeyLedger::walk);
        }
    }
}
