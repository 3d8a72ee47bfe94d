package dev.llmgateway.keycloak.core;

import java.util.List;

/**
 * How answers and logs mention text a caller sent. Callers paste keys into the wrong places (a field name, a type, a
 * model id), so an error quotes such text only when it cannot be a secret and is printable; otherwise it describes it
 * ("(a value of 51 characters, not shown)"). Also finds the characters no name or id may hold.
 */
public final class SafeText {

    /** Longest text quoted back at all. */
    static final int MAX_QUOTED = 100;
    /** A run of letters and digits this long, mixing both, reads as a key rather than a name. */
    static final int SECRET_RUN = 20;

    /** Prefixes vendors give their keys (and what a pasted header starts with). */
    private static final List<String> KEY_PREFIXES = List.of(
            "sk-", "sk_", "gsk_", "hf_", "xai-", "aiza", "r8_", "pk-", "rk-", "pplx-", "csk-", "nvapi-", "bearer ",
            "key-", "api-key");

    private SafeText() {}

    /** True when {@code s} could be (part of) a key: a vendor key prefix, a long mixed run, or masked characters. */
    public static boolean looksSecret(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        for (String prefix : KEY_PREFIXES) {
            if (lower.startsWith(prefix) || lower.contains(" " + prefix) || lower.contains("'" + prefix)) {
                return true;
            }
        }
        if (s.contains("***") || s.contains("•••") || s.contains("…")) {
            return true;
        }
        int run = 0;
        boolean digit = false;
        boolean letter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean d = c >= '0' && c <= '9';
            boolean l = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (d || l) {
                run++;
                digit |= d;
                letter |= l;
                if (run >= SECRET_RUN && digit && letter) {
                    return true;
                }
            } else {
                run = 0;
                digit = false;
                letter = false;
            }
        }
        return false;
    }

    /** True when {@code s} may be quoted back: short, printable, and not key-like. */
    public static boolean quotable(String s) {
        return s != null && !s.isEmpty() && s.length() <= MAX_QUOTED && firstForbidden(s) < 0 && !looksSecret(s);
    }

    /** {@code 'gpt-4o'}, or {@code (a value of 51 characters, not shown)} when it must not be quoted. */
    public static String quote(String s) {
        if (s == null) {
            return "a missing value";
        }
        return quotable(s) ? "'" + s + "'" : "(a value of " + s.length() + " characters, not shown)";
    }

    /** A caller-chosen field name, if it may be named back (for an error's {@code field} member), else null. */
    public static String fieldName(String name) {
        return name != null && name.length() <= 64 && name.matches("[A-Za-z0-9_.\\[\\]-]+") && !looksSecret(name)
                ? name
                : null;
    }

    /** {@code field 'temprature'}, or {@code field (a name of 51 characters, not shown)}. */
    public static String describeField(String name) {
        String safe = fieldName(name);
        return safe != null
                ? "field '" + safe + "'"
                : "field (a name of " + (name == null ? 0 : name.length()) + " characters, not shown)";
    }

    /**
     * The index of the first character no name, id or key may hold, or -1: control characters (C0, DEL, C1), the line
     * and paragraph separators, bidirectional overrides and isolates (which make text display other than it reads),
     * and unpaired surrogates.
     */
    public static int firstForbidden(String s) {
        return firstForbidden(s, false);
    }

    private static int firstForbidden(String s, boolean allowBreaks) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (allowBreaks && (c == '\n' || c == '\t')) {
                continue;
            }
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029) {
                return i;
            }
            if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
                return i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** As {@link #firstForbidden}, but line feeds and tabs are allowed (prose such as a description; not CR). */
    public static int firstForbiddenInText(String s) {
        return firstForbidden(s, true);
    }

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[^\\s\"'`,;()<>{}]+");

    /**
     * A vendor's error text made fit for the caller: the key itself, and any word that could be part of a key — a
     * vendor key prefix, a masked form ({@code sk-echo4****3456}, {@code sk-...3456}), a long mixed run, or a word
     * ending in the key's last four characters — become {@code [redacted]}. Vendors quote rejected keys in such
     * forms. Longer than 500 characters is cut.
     */
    public static String redact(String text, String key) {
        if (text == null) {
            return null;
        }
        String out = key == null || key.isEmpty() ? text : text.replace(key, "[redacted]");
        String tail = key != null && key.length() >= 12 ? key.substring(key.length() - 4) : null;
        String head = key != null && key.length() >= 12 ? key.substring(0, 8) : null;
        out = TOKEN.matcher(out).replaceAll(m -> {
            String word = m.group();
            // A sentence's full stop stays (a masked key never ends in one).
            String stop = word.endsWith(".") && !word.endsWith("...") ? "." : "";
            word = word.substring(0, word.length() - stop.length());
            boolean echo = looksSecret(word)
                    || word.contains("...")
                    || (tail != null && word.length() > 4 && word.endsWith(tail))
                    || (head != null && word.contains(head));
            return java.util.regex.Matcher.quoteReplacement((echo ? "[redacted]" : word) + stop);
        });
        return out.length() > 500 ? out.substring(0, 500) + "…" : out;
    }

    /** {@code U+000A}: how an error names a forbidden character (never the text around it). */
    public static String codePoint(String s, int index) {
        return String.format("U+%04X", (int) s.charAt(index));
    }
}
