package dev.llmgateway.keycloak.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;

import dev.llmgateway.keycloak.core.ProviderType;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void invisibleCharactersAroundAKeyAreTrimmed() {
        assertEquals("sk-abc-123", ApiKeys.normalize("apiKey", "  sk-abc-123\n"));
        assertEquals("sk-abc-123", ApiKeys.normalize("apiKey", "sk-abc-123\u200B"));
        assertEquals("sk-abc-123", ApiKeys.normalize("apiKey", "\u00A0\uFEFFsk-abc-123\u2060\u202F"));
    }

    @Test
    void charactersNoVendorAcceptsAreRefusedWithoutTheKey() {
        for (String key : new String[] {"sk-or-v1-…", "sk-a b", "sk-a\u200Bb", "sk-\u0007x", "sk-é", "sk-a\r\nX: y"}) {
            ApiKeys.InvalidKeyException e =
                    assertThrows(ApiKeys.InvalidKeyException.class, () -> ApiKeys.normalize("apiKey", key));
            assertTrue(e.getMessage().startsWith("apiKey contains "), e.getMessage());
            assertTrue(e.getMessage().contains("U+"), e.getMessage());
            assertFalse(e.getMessage().contains(key.substring(0, 4)), e.getMessage());
        }
        assertEquals(
                "apiKey contains a character outside printable ASCII (U+2026 at position 10 of 10) that no vendor"
                        + " accepts in a key; paste the key exactly as the vendor shows it",
                assertThrows(ApiKeys.InvalidKeyException.class, () -> ApiKeys.normalize("apiKey", "sk-or-v1-…"))
                        .getMessage());
        assertEquals(
                "apiKey must not be empty",
                assertThrows(ApiKeys.InvalidKeyException.class, () -> ApiKeys.normalize("apiKey", " \u200B "))
                        .getMessage());
    }

    @Test
    void aStoredKeyThatCannotBeSentNeverReachesAnExceptionMessage() {
        String stored = "sk-live-secret-…-9f3a";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/v1/models"));
        ApiKeys.InvalidKeyException e = assertThrows(
                ApiKeys.InvalidKeyException.class, () -> ApiKeys.authorize(b, ProviderType.OPENAI, stored));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertEquals(
                "Bearer sk-ok",
                ApiKeys.authorize(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/")), ProviderType.OPENAI, "sk-ok")
                        .build()
                        .headers()
                        .firstValue("Authorization")
                        .orElseThrow());
        assertEquals(
                "sk-ok",
                ApiKeys.authorize(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/")),
                                ProviderType.ANTHROPIC,
                                "sk-ok")
                        .build()
                        .headers()
                        .firstValue("x-api-key")
                        .orElseThrow());
    }
}
