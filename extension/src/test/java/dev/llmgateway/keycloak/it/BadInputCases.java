package dev.llmgateway.keycloak.it;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.it.LlmFixture.Identity;

/**
 * The cases of {@link BadInputIT}, generated from per-endpoint field specifications: for each field, the values that
 * are wrong for its kind (types, bounds, lengths, characters), plus what is wrong with any body (syntax, size, content
 * type) and with path segments and query parameters. Every case knows the status it expects (0: any 4xx), the field
 * its error must name (null: none in particular), and the fake keys it carries, which no answer may quote.
 */
final class BadInputCases {

    /** The two error shapes of the docs. */
    enum Shape {
        /** {@code {"success":false,"error","field"}} of the admin, account and service APIs. */
        API,
        /** OpenAI's {@code {"error":{"message","type","param","code"}}} of {@code /v1}. */
        OPENAI
    }

    /** One endpoint that takes a body: where, as whom, its error shape, size limit and a valid body to spoil. */
    record Target(String name, String method, String url, Identity caller, Shape shape, int maxBytes, String valid) {}

    /** One request and what must come back. */
    record Case(
            String name,
            Target target,
            String url,
            String contentType,
            byte[] body,
            int status,
            String field,
            List<String> secrets) {}

    /** A wrong value: a label and its raw JSON text (null: leave the field out). */
    record Bad(String label, String raw, int status, List<String> secrets) {
        Bad(String label, String raw) {
            this(label, raw, 400, List.of());
        }
    }

    static final String MARK = "@@bad-value@@";
    static final int TEN_MIB = 10 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** Characters no name, id or key should hold, as JSON escapes. */
    static final String[][] CONTROL = {
        {"CR", "\\r"},
        {"LF", "\\n"},
        {"CRLF header", "\\r\\nX-Injected: 1"},
        {"NUL", "\\u0000"},
        {"ESC", "\\u001b"},
        {"DEL", "\\u007f"},
        {"NEL", "\\u0085"},
        {"RTL override", "\\u202e"},
        {"lone surrogate", "\\ud800"},
    };

    final List<Case> cases = new ArrayList<>();

    /** A recognisable fake key, different in every case: {@code sk-badinput-} and 32 random letters and digits. */
    static String secret() {
        StringBuilder b = new StringBuilder("sk-badinput-");
        for (int i = 0; i < 32; i++) {
            b.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
        }
        String key = b.toString();
        KeyLedger.track(key);
        return key;
    }

    static String str(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- kinds of fields: the wrong values of each ----

    static List<Bad> wrongTypes(String... except) {
        List<Bad> out = new ArrayList<>();
        String[][] all = {
            {"number", "123"},
            {"boolean", "true"},
            {"array", "[\"x\"]"},
            {"object", "{\"x\":1}"},
            {"string", "\"x\""},
            {"null", "null"}
        };
        for (String[] t : all) {
            if (!List.of(except).contains(t[0])) {
                out.add(new Bad("wrong type " + t[0], t[1]));
            }
        }
        return out;
    }

    /** A string of at most {@code max} characters; {@code strict}: an identifier, where emoji and blanks are wrong too. */
    static List<Bad> text(int max, boolean strict, boolean nullable) {
        List<Bad> out = wrongTypes(nullable ? new String[] {"string", "null"} : new String[] {"string"});
        out.add(new Bad("empty", "\"\""));
        out.add(new Bad("blank", "\"   \""));
        out.add(new Bad("over " + max + " characters", str("x".repeat(max + 1))));
        for (String[] c : CONTROL) {
            out.add(new Bad(c[0] + " inside", "\"a" + c[1] + "b\""));
        }
        if (strict) {
            out.add(new Bad("emoji", "\"a\\ud83d\\ude00b\""));
            out.add(new Bad("blank inside", "\"a b\""));
        }
        return out;
    }

    /** Prose (a description): as {@link #text}, but a line feed inside is text (a CR is not). */
    static List<Bad> prose(int max, boolean nullable) {
        List<Bad> out = text(max, false, nullable);
        out.removeIf(b -> b.label().equals("LF inside"));
        return out;
    }

    /** A value of a closed list. */
    static List<Bad> choice(boolean nullable) {
        List<Bad> out = wrongTypes(nullable ? new String[] {"string", "null"} : new String[] {"string"});
        out.add(new Bad("unknown value", "\"no-such-value\""));
        out.add(new Bad("empty", "\"\""));
        out.add(new Bad("LF inside", "\"open\\nai\""));
        out.add(new Bad("emoji", "\"\\ud83d\\ude00\""));
        String key = secret();
        out.add(new Bad("a pasted key", str(key), 400, List.of(key)));
        return out;
    }

    /** A whole number from min to max; {@code strings}: numeric strings are accepted too. */
    static List<Bad> integer(long min, long max, boolean strings, boolean nullable) {
        List<Bad> out = new ArrayList<>();
        for (String[] t : new String[][] {{"boolean", "true"}, {"array", "[1]"}, {"object", "{\"n\":1}"}}) {
            out.add(new Bad("wrong type " + t[0], t[1]));
        }
        if (!nullable) {
            out.add(new Bad("null", "null"));
        }
        out.add(new Bad("letters", "\"abc\""));
        out.add(new Bad("NaN string", "\"NaN\""));
        if (!strings) {
            out.add(new Bad("numeric string", str(Long.toString(min))));
        }
        out.add(new Bad("below minimum " + min, Long.toString(min - 1)));
        out.add(new Bad("above maximum " + max, Long.toString(max + 1)));
        if (min > -1) {
            out.add(new Bad("negative", "-1"));
        }
        out.add(new Bad("2147483648", "2147483648"));
        out.add(new Bad("-2147483649", "-2147483649"));
        out.add(new Bad("1e99999", "1e99999"));
        out.add(new Bad("-1e99999", "-1e99999"));
        out.add(new Bad("fraction", (min + 1) + ".5"));
        out.add(new Bad("30 digits", "123456789012345678901234567890"));
        return out;
    }

    /** An amount from 0 to max with at most {@code scale} decimals; {@code strings}: numeric strings too. */
    static List<Bad> amount(String max, int scale, boolean strings, boolean nullable) {
        List<Bad> out = new ArrayList<>();
        for (String[] t : new String[][] {{"boolean", "true"}, {"array", "[1]"}, {"object", "{\"n\":1}"}}) {
            out.add(new Bad("wrong type " + t[0], t[1]));
        }
        if (!nullable) {
            out.add(new Bad("null", "null"));
        }
        out.add(new Bad("letters", "\"abc\""));
        out.add(new Bad("NaN string", "\"NaN\""));
        out.add(new Bad("Infinity string", "\"Infinity\""));
        if (!strings) {
            out.add(new Bad("numeric string", "\"1\""));
        }
        out.add(new Bad("negative", "-1"));
        out.add(new Bad("tiny negative", "-0.000001"));
        out.add(new Bad("above maximum " + max, max + "1"));
        out.add(new Bad("1e99999", "1e99999"));
        out.add(new Bad("-1e99999", "-1e99999"));
        out.add(new Bad("too many decimals", "0." + "1".repeat(scale + 1)));
        return out;
    }

    static List<Bad> bool() {
        List<Bad> out = wrongTypes("boolean", "null");
        out.add(new Bad("string true", "\"true\""));
        out.add(new Bad("number 1", "1"));
        out.add(new Bad("number 0", "0"));
        return out;
    }

    /** An array of at most {@code maxItems} strings of at most {@code itemMax} characters. */
    static List<Bad> list(int maxItems, int itemMax, boolean nullable) {
        List<Bad> out = wrongTypes(nullable ? new String[] {"array", "null"} : new String[] {"array"});
        out.add(new Bad("number item", "[1]"));
        out.add(new Bad("null item", "[null]"));
        out.add(new Bad("object item", "[{}]"));
        out.add(new Bad("empty item", "[\"\"]"));
        out.add(new Bad("blank item", "[\"  \"]"));
        out.add(new Bad("item over " + itemMax + " characters", "[" + str("m".repeat(itemMax + 1)) + "]"));
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= maxItems; i++) {
            many.append(i == 0 ? "" : ",").append("\"m").append(i).append('"');
        }
        out.add(new Bad("over " + maxItems + " items", many.append(']').toString()));
        for (String[] c : CONTROL) {
            out.add(new Bad(c[0] + " in an item", "[\"m" + c[1] + "x\"]"));
        }
        return out;
    }

    static List<Bad> key() {
        List<Bad> out = wrongTypes("string");
        out.add(new Bad("empty", "\"\""));
        out.add(new Bad("blank", "\"   \""));
        out.add(new Bad("over 1024 characters", str("sk-" + "k".repeat(1025))));
        out.add(new Bad("blank inside", "\"sk-test abc\""));
        out.add(new Bad("emoji", "\"sk-test-\\ud83d\\ude00\""));
        out.add(new Bad("non-ASCII letter", "\"sk-test-é\""));
        for (String[] c : CONTROL) {
            out.add(new Bad(c[0] + " inside", "\"sk-test" + c[1] + "abc\""));
        }
        return out;
    }

    static List<Bad> url() {
        List<Bad> out = wrongTypes("string", "null");
        for (String[] u : new String[][] {
            {"not a URL", "not a url"},
            {"ftp scheme", "ftp://files.example.com"},
            {"javascript", "javascript:alert(1)"},
            {"no host", "https://"},
            {"credentials", "https://user:pw@llm.example.com/v1"},
            {"query", "https://llm.example.com/v1?x=1"},
            {"fragment", "https://llm.example.com/v1#f"},
            {"blank inside", "https://llm.example.com/v 1"},
            {"over 1024 characters", "https://e.com/" + "p".repeat(1024)}
        }) {
            out.add(new Bad(u[0], str(u[1])));
        }
        for (String[] c : CONTROL) {
            out.add(new Bad(c[0] + " inside", "\"https://llm.example.com/v1" + c[1] + "x\""));
        }
        return out;
    }

    static List<Bad> object(boolean nullable) {
        return wrongTypes(nullable ? new String[] {"object", "null"} : new String[] {"object"});
    }

    static List<Bad> missing() {
        List<Bad> out = new ArrayList<>();
        out.add(new Bad("missing", null));
        return out;
    }

    @SafeVarargs
    static List<Bad> all(List<Bad>... lists) {
        List<Bad> out = new ArrayList<>();
        for (List<Bad> l : lists) {
            out.addAll(l);
        }
        return out;
    }

    static List<Bad> only(Bad... bads) {
        return new ArrayList<>(List.of(bads));
    }

    // ---- cases ----

    /** Every wrong value of a field at {@code pointer} of the target's valid body; the error must name {@code field}. */
    void field(Target t, String pointer, String field, List<Bad> bads) {
        for (Bad b : bads) {
            add(
                    t,
                    t.name() + " · " + pointer.substring(1) + " · " + b.label(),
                    with(t.valid(), pointer, b.raw()),
                    b.status(),
                    field,
                    b.secrets());
        }
    }

    /** Unknown fields in the object at {@code pointer} ("" = the body): a pasted key as a name, and as a value. */
    void unknownFields(Target t, String pointer) {
        String where = pointer.isEmpty() ? "body" : pointer.substring(1);
        String key = secret();
        add(
                t,
                t.name() + " · " + where + " · unknown field named like a key",
                with(t.valid(), pointer + "/" + key, "1"),
                400,
                null,
                List.of(key));
        String value = secret();
        add(
                t,
                t.name() + " · " + where + " · unknown field holding a key",
                with(t.valid(), pointer + "/apiKeyy", str(value)),
                400,
                null,
                List.of(value));
    }

    /** What is wrong with any body: syntax, JSON that is not an object, encodings, size, content type. */
    void bodies(Target t, boolean strict) {
        String key = secret();
        String keyed = "{\"apiKey\":" + str(key) + ",\"model\":\"x\"";
        body(t, "empty body", "application/json", new byte[0], 400, List.of());
        body(t, "blank body", "application/json", bytes("  \n "), 400, List.of());
        body(t, "JSON null", "application/json", bytes("null"), 400, List.of());
        body(t, "JSON array", "application/json", bytes("[{\"model\":\"x\"}]"), 400, List.of());
        body(t, "JSON string", "application/json", bytes(str(key)), 400, List.of(key));
        body(t, "JSON number", "application/json", bytes("42"), 400, List.of());
        body(t, "truncated object holding a key", "application/json", bytes(keyed), 400, List.of(key));
        body(t, "unquoted key holding a key", "application/json", bytes("{" + key + ":1}"), 400, List.of(key));
        body(t, "single quotes", "application/json", bytes("{'model':'x'}"), 400, List.of());
        body(t, "comment", "application/json", bytes("{/* x */\"model\":\"x\"}"), 400, List.of());
        body(t, "NaN literal", "application/json", bytes("{\"model\":NaN}"), 400, List.of());
        body(
                t,
                "invalid UTF-8",
                "application/json",
                concat(bytes("{\"model\":\""), new byte[] {(byte) 0xff, (byte) 0xfe}, bytes("\"}")),
                400,
                List.of());
        body(t, "raw NUL in a string", "application/json", bytes("{\"model\":\"a\u0000b\"}"), 400, List.of());
        body(t, "raw LF in a string", "application/json", bytes("{\"model\":\"a\nb\"}"), 400, List.of());
        body(
                t,
                "nested 5000 deep",
                "application/json",
                bytes("{\"model\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
                400,
                List.of());
        body(
                t,
                "number of 2000 digits",
                "application/json",
                bytes("{\"model\":" + "9".repeat(2000) + "}"),
                400,
                List.of());
        body(
                t,
                "form instead of JSON",
                "application/x-www-form-urlencoded",
                bytes("apiKey=" + key + "&model=x"),
                400,
                List.of(key));
        body(t, "XML instead of JSON", "application/xml", bytes("<key>" + key + "</key>"), 400, List.of(key));
        body(t, "plain text", "text/plain", bytes("model: x, apiKey: " + key), 400, List.of(key));
        String big = secret();
        body(t, "body one byte over the limit", "application/json", padded(big, t.maxBytes() + 1), 413, List.of(big));
        if (strict) {
            String a = secret();
            String b = secret();
            body(
                    t,
                    "a field given twice",
                    "application/json",
                    bytes("{\"apiKey\":" + str(a) + ",\"apiKey\":" + str(b) + "}"),
                    400,
                    List.of(a, b));
            body(
                    t,
                    "content after the object",
                    "application/json",
                    bytes("{} {\"apiKey\":" + str(a) + "}"),
                    400,
                    List.of(a));
        }
    }

    /** A body over the server's 10 MiB HTTP limit: still the documented 413 JSON error. */
    void hugeBody(Target t) {
        String key = secret();
        body(t, "body over 10 MiB", "application/json", padded(key, TEN_MIB + 1024), 413, List.of(key));
    }

    /** A valid-looking JSON object of exactly {@code size} bytes, holding {@code key}. */
    static byte[] padded(String key, int size) {
        String head = "{\"apiKey\":" + str(key) + ",\"pad\":\"";
        String tail = "\"}";
        return bytes(head + "p".repeat(Math.max(0, size - head.length() - tail.length())) + tail);
    }

    private void body(Target t, String label, String type, byte[] body, int status, List<String> secrets) {
        cases.add(new Case(t.name() + " · " + label, t, t.url(), type, body, status, null, secrets));
    }

    void add(Target t, String name, String body, int status, String field, List<String> secrets) {
        cases.add(new Case(name, t, t.url(), "application/json", bytes(body), status, field, secrets));
    }

    /** A request without a body to a spoiled URL. */
    void url(Target t, String name, String url, byte[] body, int status, String field, List<String> secrets) {
        cases.add(new Case(name, t, url, body == null ? null : "application/json", body, status, field, secrets));
    }

    // ---- helpers ----

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * The valid body with the value at {@code pointer} replaced by raw JSON text ({@code raw} null: removed); the
     * parent must exist, the last step may be new.
     */
    static String with(String valid, String pointer, String raw) {
        try {
            JsonNode root = JSON.readTree(valid);
            JsonPointer p = JsonPointer.compile(escapeTail(pointer));
            JsonNode parent = root.at(p.head());
            String last = p.last().getMatchingProperty();
            if (parent instanceof ObjectNode o) {
                if (raw == null) {
                    o.remove(last);
                } else {
                    o.put(last, MARK);
                }
            } else if (parent instanceof ArrayNode a) {
                int i = p.last().getMatchingIndex();
                if (raw == null) {
                    a.remove(i);
                } else {
                    a.set(i, a.textNode(MARK));
                }
            } else {
                throw new IllegalArgumentException("no object or array at " + p.head() + " of " + valid);
            }
            String text = JSON.writeValueAsString(root);
            return raw == null ? text : text.replace(str(MARK), raw);
        } catch (Exception e) {
            throw new IllegalStateException("cannot spoil " + pointer + " of " + valid, e);
        }
    }

    /** Pointers are written with plain names; a key-like last step is escaped as a pointer needs. */
    private static String escapeTail(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return pointer.substring(0, slash + 1) + pointer.substring(slash + 1).replace("~", "~0");
    }
}
