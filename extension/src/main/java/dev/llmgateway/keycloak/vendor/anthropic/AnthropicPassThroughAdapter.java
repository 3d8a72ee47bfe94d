package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.ApiKeys;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * A Messages API caller served by an Anthropic provider: the caller's own body goes to Anthropic unchanged but for
 * the model (so prompt caching, extended thinking and every field the gateway does not know reach Anthropic as sent),
 * with the caller's {@code anthropic-beta} header; Anthropic's answer comes back as its bytes, streamed or not, the
 * gateway only reading its usage.
 */
public final class AnthropicPassThroughAdapter implements ChatAdapter {

    private final MessagesRequest caller;

    public AnthropicPassThroughAdapter(MessagesRequest caller) {
        this.caller = caller;
    }

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout) {
        return post(AnthropicMessagesAdapter.messagesUrl(endpoint), endpoint, apiKey, vendorModel, timeout);
    }

    /** The caller's token-counting request for Anthropic's {@code /v1/messages/count_tokens}. */
    public HttpRequest countTokens(ProviderEndpoint endpoint, String apiKey, String vendorModel, Duration timeout) {
        return post(
                AnthropicMessagesAdapter.messagesUrl(endpoint) + "/count_tokens",
                endpoint,
                apiKey,
                vendorModel,
                timeout);
    }

    private HttpRequest post(
            String url, ProviderEndpoint endpoint, String apiKey, String vendorModel, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        ApiKeys.authorize(builder, endpoint.type(), apiKey).header("content-type", "application/json");
        if (caller.beta() != null) {
            builder.header("anthropic-beta", caller.beta());
        }
        return builder.POST(HttpRequest.BodyPublishers.ofByteArray(caller.forVendor(vendorModel)))
                .build();
    }

    @Override
    public ChatResult parse(byte[] body) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null
                || !"message".equals(node.path("type").asText())
                || !node.path("content").isArray()) {
            throw new IllegalArgumentException("not an Anthropic message");
        }
        return new ChatResult((ObjectNode) node, usage(node.path("usage")), body);
    }

    /** Anthropic's usage object as the ledger counts it (cache reads and writes are part of the prompt). */
    static Usage usage(JsonNode u) {
        return AnthropicMessagesAdapter.usage(
                u.path("input_tokens").asLong(0),
                u.path("cache_read_input_tokens").asLong(0),
                u.path("cache_creation_input_tokens").asLong(0),
                AnthropicMessagesAdapter.oneHourWrites(u),
                u.path("output_tokens").asLong(0));
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest request) {
        return new AnthropicPassThroughStream();
    }
}
