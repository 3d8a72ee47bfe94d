package dev.llmgateway.keycloak.core;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.Response;

/** Reads request bodies with a size limit, and reports malformed JSON by position only (bodies may hold keys). */
public final class JsonBodies {

    private static final ObjectMapper JSON = Json.MAPPER;
    /** A field given twice, or anything after the object, is an error rather than silently the last value. */
    private static final ObjectReader STRICT = JSON.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /**
     * What to do about an empty body: it is most often JSON sent as a form (curl -d without a Content-Type), which the
     * server reads apart.
     */
    public static final String EMPTY_BODY_HINT = "send a JSON object with 'Content-Type: application/json'"
            + " (curl -d without that header sends a form, which is not read as JSON)";

    /** Fields of prose (a power level's description) where line feeds and tabs are text, not an attack. */
    private static final java.util.Set<String> FREE_TEXT_FIELDS = java.util.Set.of("description");

    /** Fields holding a key: checked by the key rules instead, which trim what a paste picks up around a key. */
    private static final java.util.Set<String> KEY_FIELDS = java.util.Set.of("apiKey", "api_key");

    private JsonBodies() {}

    /** Reads at most {@code maxBytes + 1} bytes: a longer result means the body is over the limit. */
    public static byte[] readBounded(InputStream in, int maxBytes) throws IOException {
        return in == null ? new byte[0] : in.readNBytes(maxBytes + 1);
    }

    /**
     * Reads a JSON object of the admin or account API. No string in it (field names included) may hold a control
     * character, a bidirectional override or an unpaired surrogate: every such API takes names, ids and keys, none of
     * which has a use for them, and they break logs, headers and the vendors' HTTP requests.
     */
    public static ObjectNode readObject(InputStream in, int maxBytes) {
        ObjectNode json = readObjectAsIs(in, maxBytes);
        refuseForbiddenCharacters(json, "", false);
        return json;
    }

    /** Reads a JSON object without checking its strings (a price table: a vendor's file, validated entry by entry). */
    public static ObjectNode readObjectAsIs(InputStream in, int maxBytes) {
        byte[] body;
        try {
            body = readBounded(in, maxBytes);
        } catch (IOException e) {
            throw ApiErrors.badRequest(null, "could not read the request body");
        }
        if (body.length > maxBytes) {
            throw ApiErrors.error(
                    Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    null,
                    "request body is larger than " + maxBytes + " bytes");
        }
        if (body.length == 0) {
            throw ApiErrors.badRequest(null, "request body is empty; " + EMPTY_BODY_HINT);
        }
        JsonNode node;
        try {
            node = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            // Never the parser's own message: it quotes the body (a field name could be a pasted key).
            String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            if (original.startsWith("Duplicate field")) {
                throw ApiErrors.badRequest(null, "malformed JSON: a field appears twice" + where);
            }
            if (original.startsWith("Trailing token")) {
                throw ApiErrors.badRequest(null, "malformed JSON: more content after the JSON object" + where);
            }
            throw ApiErrors.badRequest(null, "malformed JSON" + where);
        } catch (IOException e) {
            throw ApiErrors.badRequest(null, "malformed JSON");
        }
        if (node == null || !node.isObject()) {
            throw ApiErrors.badRequest(null, "request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Refuses the first string (or field name) holding a forbidden character, naming where it is. */
    static void refuseForbiddenCharacters(JsonNode node, String path, boolean freeText) {
        if (node.isTextual()) {
            String text = node.textValue();
            int at = freeText ? SafeText.firstForbiddenInText(text) : SafeText.firstForbidden(text);
            if (at >= 0) {
                String field = path.isEmpty() ? null : path;
                throw ApiErrors.badRequest(
                        field,
                        (field == null ? "the body" : field) + " contains a character that is not allowed ("
                                + SafeText.codePoint(text, at) + " at position " + (at + 1)
                                + "): names, ids and keys must be printable text without control characters");
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseForbiddenCharacters(node.get(i), path + "[" + i + "]", false);
            }
        } else if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                String name = f.getKey();
                int at = SafeText.firstForbidden(name);
                if (at >= 0) {
                    throw ApiErrors.badRequest(
                            path.isEmpty() ? null : path,
                            "a field name" + (path.isEmpty() ? "" : " in " + path)
                                    + " contains a character that is not allowed (" + SafeText.codePoint(name, at)
                                    + " at position " + (at + 1) + ")");
                }
                if (KEY_FIELDS.contains(name)) {
                    continue; // keys have their own rules: pasted surroundings trimmed, the rest refused (ApiKeys)
                }
                String safe = SafeText.fieldName(name);
                refuseForbiddenCharacters(
                        f.getValue(),
                        (path.isEmpty() ? "" : path + ".") + (safe == null ? "(field)" : safe),
                        FREE_TEXT_FIELDS.contains(name));
            }
        }
    }
}
