package dev.llmgateway.keycloak.gateway;

import dev.llmgateway.keycloak.provider.ProviderType;

/** The adapter of each vendor wire format. */
public final class ChatAdapters {

    private static final ChatAdapter OPENAI = new OpenAiChatAdapter();

    private ChatAdapters() {
    }

    /** The adapter for a provider type, or null when the gateway cannot speak its wire format yet (Anthropic). */
    public static ChatAdapter forType(ProviderType type) {
        return type == ProviderType.ANTHROPIC ? null : OPENAI;
    }
}
