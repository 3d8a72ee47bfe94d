package dev.llmgateway.keycloak.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private final SecretCipher cipher = new SecretCipher(SecretCipher.generateKey());

    @Test
    void roundTrip() {
        String sealed = cipher.encrypt("sk-live-abcdef123456", "provider|r1|p1");
        assertTrue(sealed.startsWith("v1." + cipher.kekId() + "."));
        assertFalse(sealed.contains("abcdef"));
        assertEquals("sk-live-abcdef123456", cipher.decrypt(sealed, "provider|r1|p1"));
    }

    @Test
    void sameSecretSealsDifferentlyEachTime() {
        assertNotEquals(cipher.encrypt("k", "c"), cipher.encrypt("k", "c"));
    }

    @Test
    void ciphertextMovedToAnotherRowDoesNotOpen() {
        String sealed = cipher.encrypt("sk-live-abcdef123456", "provider|r1|p1");
        SecretCipherException e =
                assertThrows(SecretCipherException.class, () -> cipher.decrypt(sealed, "provider|r2|p1"));
        assertTrue(e.getMessage().contains("integrity"));
    }

    @Test
    void tamperingIsDetected() {
        String sealed = cipher.encrypt("sk-live-abcdef123456", "c");
        char last = sealed.charAt(sealed.length() - 1);
        String tampered = sealed.substring(0, sealed.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThrows(SecretCipherException.class, () -> cipher.decrypt(tampered, "c"));
    }

    @Test
    void anotherKekIsNamedNotGuessed() {
        String sealed = cipher.encrypt("secret", "c");
        SecretCipher other = new SecretCipher(SecretCipher.generateKey());
        SecretCipherException e = assertThrows(SecretCipherException.class, () -> other.decrypt(sealed, "c"));
        assertTrue(e.getMessage().contains(cipher.kekId()), e.getMessage());
    }

    @Test
    void kekMustBe256Bits() {
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher(new byte[16]));
    }

    @Test
    void hintsShowAtMostFourCharactersOfLongKeys() {
        assertEquals("…wxyz", KeyHints.of("sk-abcdefghwxyz"));
        assertEquals("…", KeyHints.of("short-key"));
        assertEquals("…", KeyHints.of(null));
    }
}
