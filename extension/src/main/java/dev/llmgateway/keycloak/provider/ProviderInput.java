package dev.llmgateway.keycloak.provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.RateLimits;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.vendor.ApiKeys;

/**
 * A validated create or update request for a provider. Field names follow the original console's client
 * ({@code apiKey}, {@code autoFallback}); snake_case spellings are accepted too. Absent fields are null: on update they
 * leave the stored value as it is ({@code limits}: {@code {}} or null removes them).
 */
public record ProviderInput(
        ProviderType type,
        String name,
        String apiKey,
        String baseUrl,
        boolean baseUrlGiven,
        Integer priority,
        Boolean autoFallback,
        Boolean enabled,
        List<String> models,
        boolean modelsGiven,
        RateLimits limits) {

    public static final int DEFAULT_PRIORITY = 50;
    static final int MAX_MODELS = 2000;

    private static final Map<String, String> ALIASES =
            Map.of("api_key", "apiKey", "base_url", "baseUrl", "auto_fallback", "autoFallback", "provider", "type");
    private static final Set<String> FIELDS =
            Set.of("type", "name", "apiKey", "baseUrl", "priority", "autoFallback", "enabled", "models", "limits");

    public static ProviderInput parse(ObjectNode body, boolean create) {
        ObjectNode json = canonical(body);

        ProviderType type = null;
        JsonNode typeNode = json.get("type");
        if (typeNode != null && !typeNode.isNull()) {
            if (!typeNode.isTextual()) {
                throw ApiErrors.badRequest("type", "type must be a string, one of: " + ProviderType.knownIds());
            }
            type = ProviderType.fromId(typeNode.asText())
                    .orElseThrow(() -> ApiErrors.badRequest(
                            "type",
                            "unknown provider type " + SafeText.quote(typeNode.asText()) + "; expected one of: "
                                    + ProviderType.knownIds()));
        } else if (create) {
            throw ApiErrors.badRequest("type", "type is required, one of: " + ProviderType.knownIds());
        }

        String apiKey = apiKey(json.get("apiKey"), create);
        String name = optionalText(json, "name", 255);
        if (name != null && name.isBlank()) {
            throw ApiErrors.badRequest("name", "name must not be blank");
        }
        boolean baseUrlGiven = json.has("baseUrl");
        String baseUrl = baseUrl(json.get("baseUrl"));
        if (create && type.requiresBaseUrl() && baseUrl == null) {
            throw ApiErrors.badRequest(
                    "baseUrl",
                    "baseUrl is required for provider type '" + type.id()
                            + "' (the OpenAI-compatible endpoint, e.g. https://llm.example.com/v1)");
        }
        Integer priority = priority(json.get("priority"));
        Boolean autoFallback = optionalBoolean(json, "autoFallback");
        Boolean enabled = optionalBoolean(json, "enabled");
        boolean modelsGiven = json.has("models");
        List<String> models = models(json.get("models"));
        RateLimits limits = json.has("limits") ? RateLimits.parse(json.get("limits"), "limits") : null;

        return new ProviderInput(
                type,
                name == null ? null : name.trim(),
                apiKey,
                baseUrl,
                baseUrlGiven,
                priority,
                autoFallback,
                enabled,
                models,
                modelsGiven,
                limits);
    }

    /** Maps accepted spellings to one, and refuses unknown or doubly given fields. */
    private static ObjectNode canonical(ObjectNode body) {
        ObjectNode out = body.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String name = ALIASES.getOrDefault(f.getKey(), f.getKey());
            if (!FIELDS.contains(name)) {
                throw ApiErrors.unknownField(
                        "",
                        f.getKey(),
                        String.join(
                                ", ",
                                List.of(
                                        "type",
                                        "name",
                                        "apiKey",
                                        "baseUrl",
                                        "priority",
                                        "autoFallback",
                                        "enabled",
                                        "models",
                                        "limits")));
            }
            if (out.has(name)) {
                throw ApiErrors.badRequest(name, "field '" + name + "' is given twice");
            }
            out.set(name, f.getValue());
        }
        return out;
    }

    /** Reads and checks an API key field (also used for users' own keys). */
    public static String apiKey(JsonNode node, boolean create) {
        if (node == null || node.isNull()) {
            if (create) {
                throw ApiErrors.badRequest("apiKey", "apiKey is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ApiErrors.badRequest("apiKey", "apiKey must be a string");
        }
        try {
            return ApiKeys.normalize("apiKey", node.asText());
        } catch (ApiKeys.InvalidKeyException e) {
            throw ApiErrors.badRequest("apiKey", e.getMessage());
        }
    }

    static String baseUrl(JsonNode node) {
        if (node == null || node.isNull() || (node.isTextual() && node.asText().isBlank())) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl must be a string");
        }
        String value = node.asText().strip();
        if (value.length() > 1024) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl is longer than 1024 characters");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl must be an http or https URL");
        }
        if (uri.getHost() == null) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl must not contain credentials; use apiKey");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw ApiErrors.badRequest("baseUrl", "baseUrl must not have a query or fragment");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static Integer priority(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        int value;
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            value = node.intValue();
        } else if (node.isTextual() && node.asText().strip().matches("-?\\d{1,9}")) {
            value = Integer.parseInt(node.asText().strip());
        } else {
            throw ApiErrors.badRequest("priority", "priority must be a whole number between 1 and 100");
        }
        if (value < 1 || value > 100) {
            throw ApiErrors.badRequest("priority", "priority must be between 1 and 100, got " + value);
        }
        return value;
    }

    private static Boolean optionalBoolean(ObjectNode json, String field) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw ApiErrors.badRequest(field, field + " must be true or false");
        }
        return node.booleanValue();
    }

    private static String optionalText(ObjectNode json, String field, int maxLength) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiErrors.badRequest(field, field + " must be a string");
        }
        if (node.asText().length() > maxLength) {
            throw ApiErrors.badRequest(field, field + " is longer than " + maxLength + " characters");
        }
        return node.asText();
    }

    private static List<String> models(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw ApiErrors.badRequest("models", "models must be an array of model ids");
        }
        if (node.size() > MAX_MODELS) {
            throw ApiErrors.badRequest("models", "models lists more than " + MAX_MODELS + " entries");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode m : node) {
            if (!m.isTextual() || m.asText().isBlank()) {
                throw ApiErrors.badRequest("models", "models must contain non-empty strings");
            }
            String id = m.asText().strip();
            if (id.length() > 255) {
                throw ApiErrors.badRequest("models", "model id longer than 255 characters");
            }
            ids.add(id);
        }
        return new ArrayList<>(ids);
    }
}
