package dev.llmgateway.keycloak.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

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
        // The thread's cipher is used again after a failure: the next secret (and the same again) opens.
        String other = cipher.encrypt("sk-live-other-987654", "d");
        assertEquals("sk-live-other-987654", cipher.decrypt(other, "d"));
        assertEquals("sk-live-abcdef123456", cipher.decrypt(sealed, "c"));
        assertEquals("sk-live-abcdef123456", cipher.decrypt(sealed, "c"));
    }

    @Test
    void anotherKekIsNamedNotGuessed() {
        String sealed = cipher.encrypt("secret", "c");
        SecretCipher other = new SecretCipher(SecretCipher.generateKey());
        SecretCipherException e = assertThrows(SecretCipherException.class, () -> other.decrypt(sealed, "c"));
        assertTrue(e.getMessage().contains(cipher.kekId()), e.getMessage());
    }

    // --- KEK rotation -------------------------------------------------------------------------------------------

    private final byte[] oldKek = SecretCipher.generateKey();
    private final byte[] newKek = SecretCipher.generateKey();

    @Test
    void aPreviousKekStillOpensButOnlyTheCurrentSeals() {
        SecretCipher before = new SecretCipher(oldKek);
        String sealedBefore = before.encrypt("sk-live-abcdef123456", "provider|r1|p1");
        SecretCipher rotated = new SecretCipher(newKek, List.of(oldKek), List.of());
        assertEquals("sk-live-abcdef123456", rotated.decrypt(sealedBefore, "provider|r1|p1"));
        assertEquals(Set.of(before.kekId()), rotated.previousIds());
        String sealedAfter = rotated.encrypt("sk-live-abcdef123456", "provider|r1|p1");
        assertEquals(rotated.kekId(), SecretCipher.kekIdOfSealed(sealedAfter));
        assertEquals(new SecretCipher(newKek).kekId(), rotated.kekId());
    }

    @Test
    void aNextKekOpensWhatANodeAlreadyOnItSealed() {
        SecretCipher rotatedNode = new SecretCipher(newKek, List.of(oldKek), List.of());
        SecretCipher notYetRotated = new SecretCipher(oldKek, List.of(), List.of(newKek));
        String sealed = rotatedNode.encrypt("sk-live-abcdef123456", "c");
        assertEquals("sk-live-abcdef123456", notYetRotated.decrypt(sealed, "c"));
        assertEquals(Set.of(rotatedNode.kekId()), notYetRotated.nextIds());
        assertTrue(notYetRotated.previousIds().isEmpty(), "a next key is never re-sealed away from");
        // and a "previous" key may be newer: accepted whatever its age
        SecretCipher newerAsPrevious = new SecretCipher(oldKek, List.of(newKek), List.of());
        assertEquals("sk-live-abcdef123456", newerAsPrevious.decrypt(sealed, "c"));
    }

    @Test
    void resealRewrapsTheDataKeyUnderTheCurrentKekAndKeepsTheCiphertextAndItsBinding() {
        String sealed = new SecretCipher(oldKek).encrypt("sk-live-abcdef123456", "byok|r1|u1|openai");
        SecretCipher rotated = new SecretCipher(newKek, List.of(oldKek), List.of());
        String resealed = rotated.reseal(sealed, "byok|r1|u1|openai");
        assertEquals(rotated.kekId(), SecretCipher.kekIdOfSealed(resealed));
        assertNotEquals(sealed, resealed);
        assertEquals(
                sealed.substring(sealed.lastIndexOf('.')),
                resealed.substring(resealed.lastIndexOf('.')),
                "only the wrapped data key changes");
        assertFalse(resealed.contains("abcdef"));
        // the new KEK alone opens it, under the same context only
        SecretCipher newOnly = new SecretCipher(newKek);
        assertEquals("sk-live-abcdef123456", newOnly.decrypt(resealed, "byok|r1|u1|openai"));
        assertThrows(SecretCipherException.class, () -> newOnly.decrypt(resealed, "byok|r1|u2|openai"));
        SecretCipherException oldOnly = assertThrows(
                SecretCipherException.class, () -> new SecretCipher(oldKek).decrypt(resealed, "byok|r1|u1|openai"));
        assertTrue(oldOnly.getMessage().contains(rotated.kekId()), oldOnly.getMessage());
        // already current: unchanged
        assertEquals(resealed, rotated.reseal(resealed, "byok|r1|u1|openai"));
    }

    @Test
    void resealRefusesAValueMovedToAnotherRowOrUnderAnUnknownKek() {
        String sealed = new SecretCipher(oldKek).encrypt("sk-live-abcdef123456", "provider|r1|p1");
        SecretCipher rotated = new SecretCipher(newKek, List.of(oldKek), List.of());
        SecretCipherException moved =
                assertThrows(SecretCipherException.class, () -> rotated.reseal(sealed, "provider|r1|p2"));
        assertTrue(moved.getMessage().contains("integrity"), moved.getMessage());
        SecretCipher stranger = new SecretCipher(SecretCipher.generateKey(), List.of(newKek), List.of());
        SecretCipherException unknown =
                assertThrows(SecretCipherException.class, () -> stranger.reseal(sealed, "provider|r1|p1"));
        assertTrue(unknown.getMessage().contains("id " + new SecretCipher(oldKek).kekId()), unknown.getMessage());
    }

    @Test
    void aWrongKekIsNamedWithEveryConfiguredIdAndNoKeyMaterial() {
        byte[] stray = SecretCipher.generateKey();
        String sealed = new SecretCipher(stray).encrypt("sk-live-abcdef123456", "c");
        SecretCipher rotated = new SecretCipher(newKek, List.of(oldKek), List.of());
        SecretCipherException e = assertThrows(SecretCipherException.class, () -> rotated.decrypt(sealed, "c"));
        String message = e.getMessage();
        assertTrue(message.contains("id " + SecretCipher.kekIdOf(stray)), message);
        assertTrue(message.contains(rotated.kekId()), message);
        assertTrue(message.contains(SecretCipher.kekIdOf(oldKek)), message);
        for (byte[] k : List.of(stray, newKek, oldKek)) {
            assertFalse(message.contains(java.util.Base64.getEncoder().encodeToString(k)), message);
        }
        // a single KEK keeps the original wording
        SecretCipherException single =
                assertThrows(SecretCipherException.class, () -> new SecretCipher(newKek).decrypt(sealed, "c"));
        assertTrue(single.getMessage().contains("configured id " + rotated.kekId()), single.getMessage());
    }

    @Test
    void rotationKeysAreCheckedAndDeduplicated() {
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher(newKek, List.of(new byte[31]), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SecretCipher(newKek, List.of(oldKek), List.of(oldKek)));
        SecretCipher c = new SecretCipher(newKek, List.of(newKek, oldKek, oldKek.clone()), List.of(newKek));
        assertEquals(Set.of(SecretCipher.kekIdOf(oldKek)), c.previousIds(), "the current key is not a previous one");
        assertTrue(c.nextIds().isEmpty());
        assertEquals(null, SecretCipher.kekIdOfSealed("not sealed"));
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
