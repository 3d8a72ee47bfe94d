package dev.llmgateway.keycloak.crypto;

/** The only form in which a stored key is ever shown: an ellipsis and its last four characters. */
public final class KeyHints {

    /** Keys shorter than this show no characters at all, so a hint never gives away a large share of a key. */
    static final int MIN_LENGTH_FOR_TAIL = 12;

    private KeyHints() {}

    public static String of(String key) {
        if (key == null || key.length() < MIN_LENGTH_FOR_TAIL) {
            return "…";
        }
        return "…" + key.substring(key.length() - 4);
    }
}
