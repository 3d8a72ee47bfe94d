package dev.llmgateway.keycloak.vendor;

import java.net.http.HttpRequest;

import dev.llmgateway.keycloak.core.ProviderType;

/**
 * The rules for provider API keys, in one place: what a key may contain where it enters (admin API, users' own keys,
 * key tests), and the one place that puts a key into a vendor request.
 * <p>
 * Vendors' keys are printable ASCII without spaces (HTTP header values, RFC 9110). Characters that a paste picks up
 * around a key (spaces, tabs, line breaks, no-break spaces, zero-width spaces and joiners, byte-order marks) are trimmed
 * like any surrounding whitespace; any other character outside printable ASCII, or any whitespace inside the key, is
 * refused with the position and code point of the first offending character, never the key itself.
 */
public final class ApiKeys {

    public static final int MAX_LENGTH = 1024;

    private ApiKeys() {}

    /** A key that cannot be used, with a sentence that names the problem but never contains the key. */
    public static final class InvalidKeyException extends IllegalArgumentException {
        public InvalidKeyException(String message) {
            super(message);
        }
    }

    /**
     * The key as stored and sent: surrounding whitespace and invisible characters trimmed.
     *
     * @param field the field name for the message ({@code apiKey})
     * @throws InvalidKeyException when the key is empty, too long or contains a character no vendor accepts
     */
    public static String normalize(String field, String raw) {
        int start = 0;
        int end = raw.length();
        while (start < end && trimmable(raw.charAt(start))) {
            start++;
        }
        while (end > start && trimmable(raw.charAt(end - 1))) {
            end--;
        }
        String key = raw.substring(start, end);
        if (key.isEmpty()) {
            throw new InvalidKeyException(field + " must not be empty");
        }
        if (key.length() > MAX_LENGTH) {
            throw new InvalidKeyException(field + " is longer than " + MAX_LENGTH + " characters");
        }
        String problem = firstProblem(key);
        if (problem != null) {
            throw new InvalidKeyException(field + " " + problem + "; paste the key exactly as the vendor shows it");
        }
        return key;
    }

    /**
     * Adds the vendor's authentication header for {@code key}. A key that cannot be sent (only possible for keys stored
     * before keys were checked on entry) raises {@link InvalidKeyException} without the key in its message, where the
     * JDK's own exception would carry the whole header value.
     */
    public static HttpRequest.Builder authorize(HttpRequest.Builder request, ProviderType type, String key) {
        String problem = key == null || key.isEmpty() ? "is empty" : firstProblem(key);
        if (problem != null) {
            throw new InvalidKeyException("the stored " + type.displayName() + " key " + problem + "; replace the key");
        }
        if (type.auth() == ProviderType.Auth.ANTHROPIC) {
            return request.header("x-api-key", key).header("anthropic-version", ProviderType.ANTHROPIC_VERSION);
        }
        return request.header("Authorization", "Bearer " + key);
    }

    /** What is wrong with a trimmed key, or null: a sentence fragment naming position and code point, never the key. */
    static String firstProblem(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c > 0x20 && c < 0x7F) {
                continue;
            }
            String what = c == ' ' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                    ? "whitespace"
                    : Character.isISOControl(c)
                            ? "a control character"
                            : Character.getType(c) == Character.FORMAT
                                    ? "an invisible formatting character"
                                    : "a character outside printable ASCII";
            return String.format(
                    "contains %s (U+%04X at position %d of %d) that no vendor accepts in a key",
                    what, (int) c, i + 1, key.length());
        }
        return null;
    }

    private static boolean trimmable(char c) {
        return Character.isWhitespace(c)
                || Character.isSpaceChar(c)
                || Character.isISOControl(c)
                || Character.getType(c) == Character.FORMAT;
    }
}
