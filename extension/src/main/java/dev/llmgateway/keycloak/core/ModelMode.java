package dev.llmgateway.keycloak.core;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a model does: {@code chat} (Chat Completions and the APIs translated to it) or {@code embeddings}
 * ({@code /v1/embeddings} only). The catalogue says it for the models it knows ({@code "mode": "embeddings"}); for the
 * others a model whose id names an embedding family ({@code embed}, {@code bge-}, {@code gte-}, {@code e5-},
 * {@code -retrieval}) is taken for an embedding model, every other one for a chat model.
 */
public final class ModelMode {

    public static final String CHAT = "chat";
    public static final String EMBEDDINGS = "embeddings";

    /** The modes a catalogue entry may name. */
    public static final List<String> ALL = List.of(CHAT, EMBEDDINGS);

    private static final Pattern EMBEDDING_NAME = Pattern.compile("embed|(^|[/_.-])(bge|gte|e5)-|-retrieval");

    private ModelMode() {}

    /** The mode a model id suggests, for models the catalogue does not know. */
    public static String guess(String modelId) {
        return modelId != null
                        && EMBEDDING_NAME
                                .matcher(modelId.toLowerCase(Locale.ROOT))
                                .find()
                ? EMBEDDINGS
                : CHAT;
    }

    /**
     * A mode as a table names it ({@code embedding}, LiteLLM's word, is {@code embeddings}), or null when it names
     * none of ours.
     */
    public static String normalize(String mode) {
        if (mode == null) {
            return null;
        }
        String m = mode.trim().toLowerCase(Locale.ROOT);
        return switch (m) {
            case "chat" -> CHAT;
            case "embeddings", "embedding" -> EMBEDDINGS;
            default -> null;
        };
    }
}
