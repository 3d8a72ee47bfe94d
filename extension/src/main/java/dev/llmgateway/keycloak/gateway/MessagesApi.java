package dev.llmgateway.keycloak.gateway;

import java.io.InputStream;

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
 * adapter, its answer translated to Anthropic's message or stream events. Errors are in Anthropic's shape; the access
 * token may come as {@code x-api-key}. One per call: it reads the caller's request ({@link #read}) and its adapters
 * hold it.
 */
public final class MessagesApi implements InboundApi {

    private final String anthropicBeta;
    private MessagesRequest request;

    /** @param anthropicBeta the caller's {@code anthropic-beta} header, passed on to Anthropic providers (null: none) */
    public MessagesApi(String anthropicBeta) {
        this.anthropicBeta = anthropicBeta;
    }

    /** For a request already read. */
    public MessagesApi(MessagesRequest request) {
        this.anthropicBeta = request.beta();
        this.request = request;
    }

    /**
     * Reads the caller's Messages request (refused in Anthropic's error shape) and returns what the gateway routes:
     * its Chat Completions equivalent, which the pipeline estimates, traces and fingerprints.
     */
    public ChatRequest read(InputStream body, int maxBytes) {
        request = MessagesRequest.read(body, maxBytes, anthropicBeta);
        return request.toChat();
    }

    /** The caller's request, once read. */
    public MessagesRequest request() {
        return request;
    }

    /** An error answer in Anthropic's shape, its type following the status. */
    public static jakarta.ws.rs.core.Response errorResponse(int status, String message) {
        return AnthropicErrors.response(status, message);
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
    public boolean tokenInApiKeyHeader() {
        return true;
    }

    @Override
    public byte[] errorBody(int status, byte[] openAiError) {
        return AnthropicErrors.fromOpenAi(status, openAiError);
    }
}
