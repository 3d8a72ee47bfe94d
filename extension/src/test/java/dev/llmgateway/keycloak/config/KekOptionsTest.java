package dev.llmgateway.keycloak.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.llmgateway.keycloak.crypto.SecretCipher;
import org.junit.jupiter.api.Test;
import org.keycloak.Config;

/** The KEK rotation options are checked at startup (the factory's init), and errors never print a key. */
class KekOptionsTest {

    private static final AtomicInteger SCOPES = new AtomicInteger();
    private static final String CURRENT = b64(SecretCipher.generateKey());
    private static final String OLD = b64(SecretCipher.generateKey());

    @Test
    void validPreviousAndNextKeysAreTaken() {
        DefaultLlmGatewayConfigFactory f = init(Map.of(
                "kek", CURRENT, "kek-previous", OLD + ", " + b64(SecretCipher.generateKey()) + ",", "kek-next", ""));
        assertTrue(f.previousKeksConfigured());
        assertTrue(f.kekResealIntervalMillis() == 300_000L, "default interval");
        assertFalse(init(Map.of("kek", CURRENT, "kek-next", OLD)).previousKeksConfigured());
        assertFalse(init(Map.of("kek", CURRENT)).previousKeksConfigured());
    }

    @Test
    void aPreviousKeyThatIsNotBase64Of32BytesIsRefusedWithoutPrintingIt() {
        String shortKey = b64(new byte[16]);
        RuntimeException e = assertThrows(
                RuntimeException.class, () -> init(Map.of("kek", CURRENT, "kek-previous", OLD + "," + shortKey)));
        assertTrue(e.getMessage().contains("kek-previous (entry 2)"), e.getMessage());
        assertTrue(e.getMessage().contains("32 bytes"), e.getMessage());
        assertFalse(e.getMessage().contains(shortKey), e.getMessage());
        assertFalse(e.getMessage().contains(OLD), e.getMessage());

        String notBase64 = "this is not base64 at all!";
        RuntimeException n = assertThrows(RuntimeException.class, () -> init(Map.of("kek-next", notBase64)));
        assertTrue(n.getMessage().contains("kek-next") && n.getMessage().contains("base64"), n.getMessage());
        assertFalse(n.getMessage().contains(notBase64), n.getMessage());
    }

    @Test
    void aKeyGivenBothAsPreviousAndNextIsRefused() {
        RuntimeException e = assertThrows(
                RuntimeException.class, () -> init(Map.of("kek", CURRENT, "kek-previous", OLD, "kek-next", OLD)));
        assertTrue(e.getMessage().contains("both"), e.getMessage());
        assertFalse(e.getMessage().contains(OLD), e.getMessage());
        assertThrows(RuntimeException.class, () -> init(Map.of("kek-previous", OLD, "kek-next", OLD)));
    }

    @Test
    void theResealIntervalHasAFloor() {
        assertThrows(RuntimeException.class, () -> init(Map.of("kek", CURRENT, "kek-reseal-interval-ms", "999")));
        assertDoesNotThrow(() -> init(Map.of("kek", CURRENT, "kek-reseal-interval-ms", "1000")));
    }

    private static DefaultLlmGatewayConfigFactory init(Map<String, String> options) {
        String prefix = "llm-kek-options-test-" + SCOPES.incrementAndGet() + ".";
        options.forEach((k, v) -> System.setProperty(prefix + k, v));
        try {
            DefaultLlmGatewayConfigFactory f = new DefaultLlmGatewayConfigFactory();
            f.init(new Config.SystemPropertiesScope(prefix));
            return f;
        } finally {
            options.keySet().forEach(k -> System.clearProperty(prefix + k));
        }
    }

    private static String b64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
