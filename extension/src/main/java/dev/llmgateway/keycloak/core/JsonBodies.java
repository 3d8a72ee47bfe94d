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

    private JsonBodies() {}

    /** Reads at most {@code maxBytes + 1} bytes: a longer result means the body is over the limit. */
    public static byte[] readBounded(InputStream in, int maxBytes) throws IOException {
        return in == null ? new byte[0] : in.readNBytes(maxBytes + 1);
    }

    public static ObjectNode readObject(InputStream in, int maxBytes) {
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
}
