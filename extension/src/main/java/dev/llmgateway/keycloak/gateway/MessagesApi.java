package dev.llmgateway.keycloak.gateway;

import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicErrors;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicPassThroughAdapter;
import dev.llmgateway.keycloak.vendor.anthropic.ChatAsMessagesAdapter;
import dev.llmgateway.keycloak.vendor.anthropic.MessagesRequest;

/**
 * Anthropic's Messages API, for Claude Code and the Anthropic SDKs: Anthropic providers get the caller's request as it
 * is (but for the model) and answer as they do; every other provider gets the equivalent chat request through its own
 * adapter, its answer translated to Anthropic's message or stream events. Errors are in Anthropic's shape. One per
 * call: its adapters hold the caller's request.
 */
public final class MessagesApi implements InboundApi {

    private final MessagesRequest request;

    public MessagesApi(MessagesRequest request) {
        this.request = request;
    }

    /** The routed request: the caller's as Chat Completions (what the pipeline estimates, traces and fingerprints). */
    public ChatRequest chatRequest() {
        return request.toChat();
    }

    @Override
    public String kind() {
        return "messages";
    }

    @Override
    public ChatAdapter adapter(ProviderType type) {
        return type == ProviderType.ANTHROPIC
                ? new AnthropicPassThroughAdapter(request)
                : new ChatAsMessagesAdapter(ChatAdapters.forType(type), type, request);
    }

    @Override
    public byte[] errorBody(int status, byte[] openAiError) {
        return AnthropicErrors.fromOpenAi(status, openAiError);
    }
}
