package dev.llmgateway.keycloak.gateway;

import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicMessagesAdapter;
import dev.llmgateway.keycloak.vendor.openai.OpenAiChatAdapter;

/** The adapter of each vendor wire format. */
public final class ChatAdapters {

    private static final ChatAdapter OPENAI = new OpenAiChatAdapter();
    private static final ChatAdapter ANTHROPIC = new AnthropicMessagesAdapter();

    private ChatAdapters() {}

    /** The adapter for a provider type: Anthropic's Messages API, or OpenAI Chat Completions for every other vendor. */
    public static ChatAdapter forType(ProviderType type) {
        return type == ProviderType.ANTHROPIC ? ANTHROPIC : OPENAI;
    }
}
