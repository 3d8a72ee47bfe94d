package dev.llmgateway.keycloak.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The vendors we speak to. Each knows its default base URL, how it authenticates and how it lists models; an admin
 * may override the base URL (proxies, regional endpoints) and must give one for {@link #CUSTOM}.
 */
public enum ProviderType {
    OPENROUTER(
            "openrouter",
            "OpenRouter",
            "https://openrouter.ai/api/v1",
            "/models",
            Auth.BEARER,
            ModelListFormat.OPENAI,
            "#7C3AED"),
    OPENAI("openai", "OpenAI", "https://api.openai.com/v1", "/models", Auth.BEARER, ModelListFormat.OPENAI, "#10A37F"),
    ANTHROPIC(
            "anthropic",
            "Anthropic",
            "https://api.anthropic.com/v1",
            "/models?limit=1000",
            Auth.ANTHROPIC,
            ModelListFormat.OPENAI,
            "#D97706"),
    TOGETHER(
            "together",
            "Together AI",
            "https://api.together.xyz/v1",
            "/models",
            Auth.BEARER,
            ModelListFormat.TOGETHER,
            "#3B82F6"),
    HUGGINGFACE(
            "huggingface",
            "HuggingFace",
            "https://router.huggingface.co/v1",
            "/models",
            Auth.BEARER,
            ModelListFormat.OPENAI,
            "#F59E0B"),
    COHERE(
            "cohere",
            "Cohere",
            "https://api.cohere.com",
            "/v1/models?page_size=1000",
            Auth.BEARER,
            ModelListFormat.COHERE,
            "#8B5CF6"),
    GROQ("groq", "Groq", "https://api.groq.com/openai/v1", "/models", Auth.BEARER, ModelListFormat.OPENAI, "#06B6D4"),
    MISTRAL(
            "mistral",
            "Mistral",
            "https://api.mistral.ai/v1",
            "/models",
            Auth.BEARER,
            ModelListFormat.OPENAI,
            "#EC4899"),
    CUSTOM("custom", "Custom", null, "/models", Auth.BEARER, ModelListFormat.OPENAI, "#6B7280");

    /** How the vendor expects the API key. */
    public enum Auth {
        BEARER,
        ANTHROPIC
    }

    /** The shape of the vendor's list-models answer. */
    public enum ModelListFormat {
        /** {@code {"data":[{"id":…}]}} — OpenAI and everyone compatible, Anthropic included. */
        OPENAI,
        /** A bare JSON array of models with {@code context_length} and {@code pricing} per 1M tokens. */
        TOGETHER,
        /** {@code {"models":[{"name":…,"context_length":…,"endpoints":[…]}]}}. */
        COHERE
    }

    public static final String ANTHROPIC_VERSION = "2023-06-01";

    private final String id;
    private final String displayName;
    private final String defaultBaseUrl;
    private final String modelsPath;
    private final Auth auth;
    private final ModelListFormat modelListFormat;
    private final String color;

    ProviderType(
            String id,
            String displayName,
            String defaultBaseUrl,
            String modelsPath,
            Auth auth,
            ModelListFormat modelListFormat,
            String color) {
        this.id = id;
        this.displayName = displayName;
        this.defaultBaseUrl = defaultBaseUrl;
        this.modelsPath = modelsPath;
        this.auth = auth;
        this.modelListFormat = modelListFormat;
        this.color = color;
    }

    public static Optional<ProviderType> fromId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.id.equals(wanted)).findFirst();
    }

    public static String knownIds() {
        return Arrays.stream(values()).map(ProviderType::id).collect(Collectors.joining(", "));
    }

    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** Null for {@link #CUSTOM}, which has no default. */
    public String defaultBaseUrl() {
        return defaultBaseUrl;
    }

    public boolean requiresBaseUrl() {
        return defaultBaseUrl == null;
    }

    public String modelsPath() {
        return modelsPath;
    }

    public Auth auth() {
        return auth;
    }

    public ModelListFormat modelListFormat() {
        return modelListFormat;
    }

    public String color() {
        return color;
    }
}
