package dev.llmgateway.keycloak.vendor;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.core.ProviderType;

/** Reads the three list-models shapes the vendors answer with. Pure: no I/O. */
public final class ModelListParser {

    private static final BigDecimal PER_MILLION = BigDecimal.valueOf(1_000_000);

    private ModelListParser() {}

    /** @throws IllegalArgumentException when the document is not a model list of that shape */
    public static List<ListedModel> parse(ProviderType.ModelListFormat format, JsonNode root) {
        return switch (format) {
            case OPENAI -> openAi(root);
            case TOGETHER -> together(root);
            case COHERE -> cohere(root);
        };
    }

    private static List<ListedModel> openAi(JsonNode root) {
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("no 'data' array");
        }
        List<ListedModel> models = new ArrayList<>(data.size());
        for (JsonNode m : data) {
            String id = text(m, "id");
            if (id == null) {
                continue;
            }
            String name = firstText(m, "display_name", "name");
            Integer context = firstInt(m, "context_length", "context_window", "max_context_length");
            if (context == null) {
                context = firstInt(m.path("top_provider"), "context_length");
            }
            JsonNode pricing = m.path("pricing");
            // OpenRouter states prices per token, as strings.
            models.add(new ListedModel(
                    id,
                    name,
                    context,
                    perToken(pricing, "prompt"),
                    perToken(pricing, "completion"),
                    perToken(pricing, "input_cache_read"),
                    perToken(pricing, "input_cache_write")));
        }
        return models;
    }

    private static List<ListedModel> together(JsonNode root) {
        JsonNode list = root.isArray() ? root : root.get("data");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("not a model array");
        }
        List<ListedModel> models = new ArrayList<>(list.size());
        for (JsonNode m : list) {
            String id = text(m, "id");
            String type = text(m, "type");
            if (id == null
                    || (type != null
                            && !type.equals("chat")
                            && !type.equals("language")
                            && !type.equals("embedding"))) {
                continue;
            }
            JsonNode pricing = m.path("pricing");
            models.add(new ListedModel(
                    id,
                    text(m, "display_name"),
                    firstInt(m, "context_length"),
                    positive(pricing, "input"),
                    positive(pricing, "output"),
                    null));
        }
        return models;
    }

    private static List<ListedModel> cohere(JsonNode root) {
        JsonNode list = root.get("models");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("no 'models' array");
        }
        List<ListedModel> models = new ArrayList<>(list.size());
        for (JsonNode m : list) {
            String name = text(m, "name");
            if (name == null || !hasChatOrEmbedEndpoint(m.path("endpoints"))) {
                continue;
            }
            models.add(new ListedModel(name, null, firstInt(m, "context_length"), null, null, null));
        }
        return models;
    }

    /** Chat models and embedding models: the gateway serves both ({@code /v1/chat/completions}, {@code /v1/embeddings}). */
    private static boolean hasChatOrEmbedEndpoint(JsonNode endpoints) {
        if (!endpoints.isArray() || endpoints.isEmpty()) {
            return true;
        }
        for (JsonNode e : endpoints) {
            if ("chat".equals(e.asText()) || "embed".equals(e.asText())) {
                return true;
            }
        }
        return false;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isValueNode() || v.asText().isBlank() ? null : v.asText();
    }

    private static String firstText(JsonNode node, String... fields) {
        for (String f : fields) {
            String v = text(node, f);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static Integer firstInt(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode v = node.get(f);
            if (v != null && v.canConvertToInt() && v.asInt() > 0) {
                return v.asInt();
            }
        }
        return null;
    }

    private static BigDecimal perToken(JsonNode pricing, String field) {
        BigDecimal v = decimal(pricing, field);
        return v == null || v.signum() < 0 ? null : v.multiply(PER_MILLION).stripTrailingZeros();
    }

    private static BigDecimal positive(JsonNode pricing, String field) {
        BigDecimal v = decimal(pricing, field);
        return v == null || v.signum() <= 0 ? null : v;
    }

    private static BigDecimal decimal(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return new BigDecimal(v.asText());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
