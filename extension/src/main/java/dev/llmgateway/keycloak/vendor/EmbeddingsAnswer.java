package dev.llmgateway.keycloak.vendor;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.Usage;

/**
 * An answer in OpenAI's embeddings shape ({@code {"object":"list","data":[{"object":"embedding","index","embedding"}],
 * "model","usage":{"prompt_tokens","total_tokens"}}}), each embedding in the encoding the caller asked for.
 */
public final class EmbeddingsAnswer {

    private EmbeddingsAnswer() {}

    /**
     * An OpenAI-format vendor's answer for {@code request}: its own bytes when they are already what the caller asked
     * for; else with the embeddings re-encoded (a vendor asked for floats where the caller wants base64) and the usage
     * added where the vendor reported none (estimated from the input's length).
     *
     * @throws IllegalArgumentException when the body is not an embeddings answer
     */
    public static ChatResult ofOpenAi(byte[] body, EmbeddingsRequest request) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null || !node.isObject() || !node.path("data").isArray()) {
            throw new IllegalArgumentException("not an embeddings answer");
        }
        ObjectNode answer = (ObjectNode) node;
        boolean changed = false;
        for (JsonNode item : answer.get("data")) {
            if (!(item instanceof ObjectNode o)) {
                throw new IllegalArgumentException("not an embeddings answer");
            }
            JsonNode e = o.get("embedding");
            if (request.base64() && e != null && e.isArray()) {
                o.put("embedding", EmbeddingsRequest.toBase64(e));
                changed = true;
            } else if (!request.base64() && e != null && e.isTextual()) {
                o.set("embedding", EmbeddingsRequest.fromBase64(e.asText()));
                changed = true;
            }
        }
        long tokens = answer.path("usage").path("prompt_tokens").asLong(0);
        if (tokens <= 0) {
            tokens = answer.path("usage").path("total_tokens").asLong(0);
        }
        boolean estimated = tokens <= 0;
        if (estimated) {
            tokens = estimate(request);
        }
        if (!answer.path("usage").path("prompt_tokens").canConvertToLong()
                || !answer.path("usage").path("total_tokens").canConvertToLong()) {
            usage(answer, tokens);
            changed = true;
        }
        return new ChatResult(answer, new Usage(tokens, 0, 0, 0), changed ? null : body, estimated);
    }

    /** An answer built from {@code embeddings} (float arrays), for a vendor that answers in another shape. */
    public static ChatResult of(ArrayNode embeddings, String model, long inputTokens, EmbeddingsRequest request) {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("object", "list");
        ArrayNode data = answer.putArray("data");
        int index = 0;
        for (JsonNode e : embeddings) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", index++);
            if (request.base64()) {
                item.put("embedding", EmbeddingsRequest.toBase64(e));
            } else {
                item.set("embedding", e);
            }
        }
        answer.put("model", model);
        long tokens = inputTokens > 0 ? inputTokens : estimate(request);
        usage(answer, tokens);
        return new ChatResult(answer, new Usage(tokens, 0, 0, 0), null, inputTokens <= 0);
    }

    private static void usage(ObjectNode answer, long tokens) {
        answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    }

    /** A quarter of the input's characters, as the gateway estimates prompts its vendor did not count. */
    private static long estimate(EmbeddingsRequest request) {
        return Math.max(1, (request.routed().promptChars() + 3) / 4);
    }
}
