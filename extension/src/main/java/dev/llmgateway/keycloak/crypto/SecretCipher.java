package dev.llmgateway.keycloak.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM envelope encryption of small secrets (API keys).
 *
 * <p>Each secret gets a fresh data key; the data key is wrapped with the key-encryption key (KEK), which never lives
 * in the database. The sealed form is {@code v1.<kekId>.<wrapped data key>.<ciphertext>} (base64url parts, each
 * starting with its 12-byte IV). The caller's context string (realm, row id) is bound as associated data, so a
 * ciphertext copied to another row does not decrypt.
 */
public final class SecretCipher {

    private static final String VERSION = "v1";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKey kek;
    private final String kekId;
    private final SecureRandom random = new SecureRandom();

    public SecretCipher(byte[] kekBytes) {
        if (kekBytes == null || kekBytes.length != 32) {
            throw new IllegalArgumentException("the key-encryption key must be 32 bytes (256 bits), base64-encoded");
        }
        this.kek = new SecretKeySpec(kekBytes.clone(), "AES");
        this.kekId = kekIdOf(kekBytes);
    }

    /** A short, non-secret fingerprint of a KEK, stored with each ciphertext to diagnose key mix-ups. */
    public static String kekIdOf(byte[] kekBytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(kekBytes);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] generateKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, new SecureRandom());
            return generator.generateKey().getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String kekId() {
        return kekId;
    }

    public String encrypt(String plaintext, String context) {
        byte[] dataKey = generateKey();
        try {
            byte[] aad = aad(context);
            byte[] wrapped = seal(kek, dataKey, aad);
            byte[] body = seal(new SecretKeySpec(dataKey, "AES"), plaintext.getBytes(StandardCharsets.UTF_8), aad);
            return VERSION + "." + kekId + "." + B64.encodeToString(wrapped) + "." + B64.encodeToString(body);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    public String decrypt(String sealed, String context) {
        String[] parts = sealed == null ? new String[0] : sealed.split("\\.");
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new SecretCipherException("stored secret has an unknown format");
        }
        if (!kekId.equals(parts[1])) {
            throw new SecretCipherException("stored secret was encrypted with another key-encryption key (id "
                    + parts[1] + ", configured id " + kekId + ")");
        }
        byte[] aad = aad(context);
        byte[] dataKey = open(kek, B64D.decode(parts[2]), aad);
        try {
            return new String(
                    open(new SecretKeySpec(dataKey, "AES"), B64D.decode(parts[3]), aad), StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static byte[] aad(String context) {
        return (VERSION + "|" + context).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] seal(SecretKey key, byte[] plaintext, byte[] aad) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad);
            byte[] ciphertext = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(IV_BYTES + ciphertext.length)
                    .put(iv)
                    .put(ciphertext)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new SecretCipherException("encryption failed: " + e.getClass().getSimpleName());
        }
    }

    private static byte[] open(SecretKey key, byte[] sealed, byte[] aad) {
        if (sealed.length <= IV_BYTES) {
            throw new SecretCipherException("stored secret is truncated");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new SecretCipherException(
                    "stored secret failed its integrity check (tampered, or moved to another row)");
        }
    }
}
