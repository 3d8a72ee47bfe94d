package dev.llmgateway.keycloak.vendor;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An OpenAI embeddings request ({@code POST /v1/embeddings}), checked before any vendor is called: {@code model};
 * {@code input} a string, an array of strings, an array of token ids or an array of token-id arrays, not empty, at most
 * {@link #MAX_INPUTS} of them; {@code dimensions} a positive whole number; {@code encoding_format} {@code float} or
 * {@code base64}; {@code user} a string. {@code input_type} (Cohere's word for what the texts are for: {@code
 * search_document}, the default, {@code search_query}, {@code classification}, {@code clustering}) is taken as an
 * extension and only sent to Cohere.
 */
public record EmbeddingsRequest(
        String model,
        List<String> texts,
        int count,
        Integer dimensions,
        boolean base64,
        String inputType,
        ObjectNode body) {

    /** The most inputs one request may hold: OpenAI's own limit for an embeddings request. */
    public static final int MAX_INPUTS = 2048;

    public static final String ENCODING_FLOAT = "float";
    public static final String ENCODING_BASE64 = "base64";

    /** Cohere's input types; {@link #DEFAULT_INPUT_TYPE} when the caller names none. */
    public static final Set<String> INPUT_TYPES =
            Set.of("search_document", "search_query", "classification", "clustering");

    public static final String DEFAULT_INPUT_TYPE = "search_document";

    /** Reads and checks the body: OpenAI's 400 naming the parameter, 413 over {@code maxBytes}. */
    public static EmbeddingsRequest read(InputStream in, int maxBytes) {
        return of(ChatRequest.readBody(in, maxBytes));
    }

    /** Checks a parsed body. */
    public static EmbeddingsRequest of(ObjectNode body) {
        String model = ChatRequest.model(body);
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw OpenAiErrors.invalidRequest("input", "you must provide an input parameter");
        }
        List<String> texts = new ArrayList<>();
        int count;
        if (input.isTextual()) {
            nonEmpty(input.asText(), "'input'");
            texts.add(input.asText());
            count = 1;
        } else if (input.isArray()) {
            if (input.isEmpty()) {
                throw OpenAiErrors.invalidRequest("input", "'input' must not be an empty array");
            }
            if (input.size() > MAX_INPUTS) {
                throw OpenAiErrors.invalidRequest(
                        "input",
                        "'input' holds " + input.size() + " items; an embeddings request takes at most " + MAX_INPUTS);
            }
            JsonNode first = input.get(0);
            if (first.isTextual()) {
                for (int i = 0; i < input.size(); i++) {
                    JsonNode t = input.get(i);
                    if (!t.isTextual()) {
                        throw OpenAiErrors.invalidRequest(
                                "input", "'input[" + i + "]' must be a string, as the items before it");
                    }
                    nonEmpty(t.asText(), "'input[" + i + "]'");
                    texts.add(t.asText());
                }
                count = input.size();
            } else if (first.isIntegralNumber()) {
                tokens(input, "'input'");
                texts = null;
                count = 1;
            } else if (first.isArray()) {
                for (int i = 0; i < input.size(); i++) {
                    JsonNode t = input.get(i);
                    if (!t.isArray() || t.isEmpty()) {
                        throw OpenAiErrors.invalidRequest(
                                "input", "'input[" + i + "]' must be a non-empty array of token ids");
                    }
                    tokens(t, "'input[" + i + "]'");
                }
                texts = null;
                count = input.size();
            } else {
                throw invalidInput();
            }
        } else {
            throw invalidInput();
        }
        Integer dimensions = null;
        JsonNode d = body.get("dimensions");
        if (d != null && !d.isNull()) {
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 1) {
                throw OpenAiErrors.invalidRequest("dimensions", "'dimensions' must be a positive whole number");
            }
            dimensions = d.asInt();
        }
        JsonNode format = body.get("encoding_format");
        boolean base64 = false;
        if (format != null && !format.isNull()) {
            if (!format.isTextual()
                    || !(format.asText().equals(ENCODING_FLOAT)
                            || format.asText().equals(ENCODING_BASE64))) {
                throw OpenAiErrors.invalidRequest("encoding_format", "'encoding_format' must be 'float' or 'base64'");
            }
            base64 = format.asText().equals(ENCODING_BASE64);
        }
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw OpenAiErrors.invalidRequest("user", "'user' must be a string");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && stream.asBoolean(false)) {
            throw OpenAiErrors.invalidRequest("stream", "embeddings are not streamed; leave 'stream' out");
        }
        String inputType = DEFAULT_INPUT_TYPE;
        JsonNode type = body.get("input_type");
        if (type != null && !type.isNull()) {
            if (!type.isTextual() || !INPUT_TYPES.contains(type.asText())) {
                throw OpenAiErrors.invalidRequest(
                        "input_type",
                        "'input_type' must be one of search_document, search_query, classification, clustering");
            }
            inputType = type.asText();
        }
        return new EmbeddingsRequest(
                model, texts == null ? null : List.copyOf(texts), count, dimensions, base64, inputType, body);
    }

    /** The request the gateway routes: the model, never streamed, this body. */
    public ChatRequest routed() {
        return new ChatRequest(model, false, false, body);
    }

    /** Whether the input is token ids rather than text. */
    public boolean tokenIds() {
        return texts == null;
    }

    private static void nonEmpty(String text, String what) {
        if (text.isEmpty()) {
            throw OpenAiErrors.invalidRequest("input", what + " must not be an empty string");
        }
    }

    private static void tokens(JsonNode ids, String what) {
        for (JsonNode t : ids) {
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 0) {
                throw OpenAiErrors.invalidRequest("input", what + " must hold token ids: whole numbers from 0");
            }
        }
    }

    private static RuntimeException invalidInput() {
        return OpenAiErrors.invalidRequest(
                "input",
                "'input' must be a string, an array of strings, an array of token ids or an array of token-id arrays");
    }

    /** An embedding as OpenAI's {@code base64} encoding sends it: the float32 values, little-endian, in base64. */
    public static String toBase64(JsonNode floats) {
        ByteBuffer bytes = ByteBuffer.allocate(floats.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode v : floats) {
            bytes.putFloat(v.floatValue());
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /** The floats of an embedding in OpenAI's {@code base64} encoding. */
    public static ArrayNode fromBase64(String base64) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        while (bytes.remaining() >= Float.BYTES) {
            out.add(bytes.getFloat());
        }
        return out;
    }
}
