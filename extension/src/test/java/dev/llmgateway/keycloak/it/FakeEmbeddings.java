package dev.llmgateway.keycloak.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * The fake vendors' embeddings, in each vendor's wire format: OpenAI's {@code POST /embeddings} (OpenAI, OpenRouter,
 * Together, Mistral, custom endpoints; {@code encoding_format} float or base64 of little-endian float32, {@code
 * dimensions}, and Mistral's {@code output_dimension}; {@code usage} with {@code prompt_tokens} and {@code
 * total_tokens}) and Cohere's {@code POST /v2/embed} ({@code texts}, {@code input_type} required, {@code
 * embedding_types}, {@code output_dimension}; {@code embeddings.float} and {@code meta.billed_units.input_tokens}).
 * The key steers failures as in chat calls: {@code fail401}, {@code fail429}, {@code fail503}, each in the vendor's own
 * error shape; {@code nousage} leaves {@code usage} out of an OpenAI-format answer. Embeddings are deterministic
 * ({@link #vector}), their values exact in float32; each text counts
 * {@link #tokens} tokens, each token id one.
 */
final class FakeEmbeddings {

    /** The size of an embedding when the request names none. */
    static final int DEFAULT_DIMENSIONS = 32;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OPENAI_FORMAT = Set.of("openai", "openrouter", "together", "mistral", "custom");

    private FakeEmbeddings() {}

    /** Whether {@code path} (under the vendor's prefix) is the vendor's embeddings endpoint. */
    static boolean serves(String vendor, String path, String basePath) {
        return vendor.equals("cohere")
                ? path.equals("/v2/embed")
                : OPENAI_FORMAT.contains(vendor) && path.equals(basePath + "/embeddings");
    }

    /** The tokens the fakes count for a text: one per started group of four characters. */
    static long tokens(String text) {
        return (text.length() + 3) / 4;
    }

    /** The embedding of a text (or of token ids, by their text form): values k/1024, exact in float32. */
    static float[] vector(String text, int dimensions) {
        float[] v = new float[dimensions];
        int h = text.hashCode();
        for (int i = 0; i < dimensions; i++) {
            v[i] = (Math.floorMod(h + i * 7919, 2048) - 1024) / 1024f;
        }
        return v;
    }

    static void answer(HttpExchange ex, String vendor, String authorization, String body) throws IOException {
        String key = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        boolean cohere = vendor.equals("cohere");
        if (key.contains("fail401") || !key.startsWith("sk-test")) {
            send(ex, 401, fixture(vendor, "error-401.json").replace("{KEY}", key));
            return;
        }
        if (key.contains("fail429")) {
            ex.getResponseHeaders().add("Retry-After", FakeVendors.RETRY_AFTER);
            send(ex, 429, fixture(vendor, "error-429.json"));
            return;
        }
        if (key.contains("fail503")) {
            send(
                    ex,
                    503,
                    cohere
                            ? "{\"id\":\"5f1e7c2a-0b9d-4c55-9d7e-2d4f0f1a6b3e\",\"message\":\"internal server error, this has been reported to our developers\"}"
                            : "{\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\"}}");
            return;
        }
        JsonNode request = JSON.readTree(body);
        if (cohere) {
            cohereEmbed(ex, request);
        } else {
            openAiEmbeddings(ex, vendor, key, request);
        }
    }

    private static void openAiEmbeddings(HttpExchange ex, String vendor, String key, JsonNode request)
            throws IOException {
        JsonNode input = request.path("input");
        List<String> items = new ArrayList<>();
        long tokens = 0;
        if (input.isTextual()) {
            items.add(input.asText());
            tokens += tokens(input.asText());
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isNumber()) {
            items.add(input.toString());
            tokens += input.size();
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode i : input) {
                if (i.isTextual()) {
                    items.add(i.asText());
                    tokens += tokens(i.asText());
                } else {
                    items.add(i.toString());
                    tokens += i.size();
                }
            }
        } else {
            send(
                    ex,
                    400,
                    "{\"error\":{\"message\":\"'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
            return;
        }
        String dimensionsField = vendor.equals("mistral") ? "output_dimension" : "dimensions";
        int dimensions = request.path(dimensionsField).asInt(DEFAULT_DIMENSIONS);
        // Only OpenAI's own API and those that copy it all the way send base64; Mistral and Together send floats.
        boolean base64 = request.path("encoding_format").asText("float").equals("base64")
                && !vendor.equals("mistral")
                && !vendor.equals("together");
        ObjectNode answer = JSON.createObjectNode();
        answer.put("object", "list");
        if (vendor.equals("mistral") || vendor.equals("together")) {
            answer.put("id", "emb-fake-1");
        }
        ArrayNode data = answer.putArray("data");
        for (int i = 0; i < items.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            float[] v = vector(items.get(i), dimensions);
            if (base64) {
                item.put("embedding", base64(v));
            } else {
                ArrayNode floats = item.putArray("embedding");
                for (float f : v) {
                    floats.add(f);
                }
            }
            item.put("index", i);
        }
        answer.put("model", request.path("model").asText());
        if (key.contains("nousage")) {
            // A vendor that counts nothing: the gateway estimates the tokens.
            send(ex, 200, JSON.writeValueAsString(answer));
            return;
        }
        ObjectNode usage = answer.putObject("usage");
        usage.put("prompt_tokens", tokens);
        if (vendor.equals("mistral")) {
            usage.put("completion_tokens", 0);
        }
        usage.put("total_tokens", tokens);
        send(ex, 200, JSON.writeValueAsString(answer));
    }

    private static void cohereEmbed(HttpExchange ex, JsonNode request) throws IOException {
        JsonNode texts = request.path("texts");
        String inputType = request.path("input_type").asText("");
        if (!Set.of("search_document", "search_query", "classification", "clustering", "image")
                .contains(inputType)) {
            send(
                    ex,
                    400,
                    "{\"id\":\"0b8c5e8e-6a42-4d54-8a8c-1f0f9d1f2c11\",\"message\":\"invalid request: valid input_type must be provided with the provided model\"}");
            return;
        }
        if (!texts.isArray() || texts.isEmpty()) {
            send(
                    ex,
                    400,
                    "{\"id\":\"3e1f7a52-2b8e-4c1d-9a34-6f5e2d7c8b90\",\"message\":\"invalid request: texts must be a non-empty list\"}");
            return;
        }
        int dimensions = request.path("output_dimension").asInt(DEFAULT_DIMENSIONS);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("id", "da6e531f-54c6-4a73-bf92-f60566d8d753");
        ObjectNode embeddings = answer.putObject("embeddings");
        ArrayNode floats = embeddings.putArray("float");
        long tokens = 0;
        for (JsonNode t : texts) {
            ArrayNode one = floats.addArray();
            for (float f : vector(t.asText(), dimensions)) {
                one.add(f);
            }
            tokens += tokens(t.asText());
        }
        answer.set("texts", texts);
        ObjectNode meta = answer.putObject("meta");
        meta.putObject("api_version").put("version", "2");
        meta.putObject("billed_units").put("input_tokens", tokens);
        answer.put("response_type", "embeddings_by_type");
        send(ex, 200, JSON.writeValueAsString(answer));
    }

    private static String base64(float[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bytes.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static String fixture(String vendor, String file) {
        try (InputStream in = FakeEmbeddings.class.getResourceAsStream("/vendors/" + vendor + "/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + vendor + "/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the caller gave up
        }
    }
}
