package dev.llmgateway.keycloak.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>Besides the current KEK (the only one that seals), a cipher may accept other KEKs for opening, chosen by the id in
 * the sealed value: <em>previous</em> ones (being rotated away from; {@link #reseal} moves their rows to the current
 * KEK) and <em>next</em> ones (announced before they become current, so every node of a cluster can open what a node
 * already on the new KEK seals). Which of them is older does not matter for opening.
 */
public final class SecretCipher {

    private static final String VERSION = "v1";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKey kek;
    private final String kekId;
    /** Every KEK this cipher opens with, by id: the current one first. */
    private final Map<String, SecretKey> accepted = new LinkedHashMap<>();

    private final Set<String> previousIds = new LinkedHashSet<>();
    private final Set<String> nextIds = new LinkedHashSet<>();
    private final SecureRandom random = new SecureRandom();

    public SecretCipher(byte[] kekBytes) {
        this(kekBytes, List.of(), List.of());
    }

    /**
     * @param kekBytes the current KEK: seals everything
     * @param previous KEKs being rotated away from: open rows, which {@link #reseal} moves to the current KEK
     * @param next     KEKs about to become current elsewhere in the cluster: open rows, are never moved away from
     */
    public SecretCipher(byte[] kekBytes, List<byte[]> previous, List<byte[]> next) {
        checkLength(kekBytes);
        this.kek = new SecretKeySpec(kekBytes.clone(), "AES");
        this.kekId = kekIdOf(kekBytes);
        accepted.put(kekId, kek);
        for (byte[] key : previous) {
            checkLength(key);
            String id = kekIdOf(key);
            if (!id.equals(kekId) && accepted.putIfAbsent(id, new SecretKeySpec(key.clone(), "AES")) == null) {
                previousIds.add(id);
            }
        }
        for (byte[] key : next) {
            checkLength(key);
            String id = kekIdOf(key);
            if (previousIds.contains(id)) {
                throw new IllegalArgumentException(
                        "the key-encryption key with id " + id + " is given both as a previous and as a next key");
            }
            if (!id.equals(kekId) && accepted.putIfAbsent(id, new SecretKeySpec(key.clone(), "AES")) == null) {
                nextIds.add(id);
            }
        }
    }

    private static void checkLength(byte[] kekBytes) {
        if (kekBytes == null || kekBytes.length != 32) {
            throw new IllegalArgumentException("the key-encryption key must be 32 bytes (256 bits), base64-encoded");
        }
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

    /** The id of the current KEK, the one that seals. */
    public String kekId() {
        return kekId;
    }

    /** The ids of the previous KEKs: rows sealed with them are re-sealed under the current one. */
    public Set<String> previousIds() {
        return Collections.unmodifiableSet(previousIds);
    }

    /** The ids of the next KEKs: accepted for opening, never re-sealed away from. */
    public Set<String> nextIds() {
        return Collections.unmodifiableSet(nextIds);
    }

    /** The id of the KEK that sealed a value, or null if the value is not in a known format. Not secret. */
    public static String kekIdOfSealed(String sealed) {
        String[] parts = sealed == null ? new String[0] : sealed.split("\\.");
        return parts.length == 4 && VERSION.equals(parts[0]) ? parts[1] : null;
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
        String[] parts = parts(sealed);
        byte[] aad = aad(context);
        byte[] dataKey = open(UNWRAPPERS, keyFor(parts[1]), B64D.decode(parts[2]), aad);
        try {
            return new String(
                    open(DECRYPTERS, new SecretKeySpec(dataKey, "AES"), B64D.decode(parts[3]), aad),
                    StandardCharsets.UTF_8);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * The same secret sealed under the current KEK: the data key is unwrapped with the KEK that sealed it and wrapped
     * again with the current one, under the same associated data; the ciphertext of the secret is kept as it is (the
     * secret itself is never decrypted). A value already sealed with the current KEK is returned unchanged.
     *
     * @throws SecretCipherException if the value's KEK is not accepted, or its wrapped data key fails the integrity
     *                               check for this context
     */
    public String reseal(String sealed, String context) {
        String[] parts = parts(sealed);
        if (kekId.equals(parts[1])) {
            return sealed;
        }
        byte[] aad = aad(context);
        byte[] dataKey = open(UNWRAPPERS, keyFor(parts[1]), B64D.decode(parts[2]), aad);
        try {
            byte[] wrapped = seal(kek, dataKey, aad);
            return VERSION + "." + kekId + "." + B64.encodeToString(wrapped) + "." + parts[3];
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    private static String[] parts(String sealed) {
        String[] parts = sealed == null ? new String[0] : sealed.split("\\.");
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new SecretCipherException("stored secret has an unknown format");
        }
        return parts;
    }

    private SecretKey keyFor(String id) {
        SecretKey key = accepted.get(id);
        if (key == null) {
            String configured = accepted.size() == 1
                    ? "configured id " + kekId
                    : "configured ids " + String.join(", ", new ArrayList<>(accepted.keySet())) + "; current " + kekId;
            throw new SecretCipherException(
                    "stored secret was encrypted with another key-encryption key (id " + id + ", " + configured + ")");
        }
        return key;
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

    private static final ThreadLocal<Cipher> UNWRAPPERS = ThreadLocal.withInitial(SecretCipher::gcm);
    private static final ThreadLocal<Cipher> DECRYPTERS = ThreadLocal.withInitial(SecretCipher::gcm);

    private static Cipher gcm() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new SecretCipherException(
                    "AES/GCM is not available: " + e.getClass().getSimpleName());
        }
    }

    private static byte[] open(ThreadLocal<Cipher> ciphers, SecretKey key, byte[] sealed, byte[] aad) {
        if (sealed.length <= IV_BYTES) {
            throw new SecretCipherException("stored secret is truncated");
        }
        try {
            // One cipher per thread and use: no provider lookup per call, and the JDK keeps the key schedule while the
            // key stays the same (the KEK when unwrapping, a provider's data key for its repeated calls). Decryption
            // only: a GCM cipher refuses to encrypt twice with one IV, so sealing takes a new one each time.
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new SecretCipherException(
                    "stored secret failed its integrity check (tampered, or moved to another row)");
        }
    }
}
