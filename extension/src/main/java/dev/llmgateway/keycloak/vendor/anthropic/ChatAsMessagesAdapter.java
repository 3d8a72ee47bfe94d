package dev.llmgateway.keycloak.vendor.anthropic;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.UnsupportedRequestException;

/**
 * A Messages API caller served by a provider that speaks Chat Completions: its own adapter ({@code inner}) is given
 * the equivalent chat request ({@link MessagesRequest#toChat}), and its chat.completion (or chunk stream) comes back as
 * Anthropic's {@code message} (or Anthropic's stream events). A request Chat Completions cannot express skips the
 * provider.
 */
public final class ChatAsMessagesAdapter implements ChatAdapter {

    private static final ObjectMapper JSON = Json.MAPPER;

    private final ChatAdapter inner;
    private final ProviderType type;
    private final MessagesRequest caller;

    public ChatAsMessagesAdapter(ChatAdapter inner, ProviderType type, MessagesRequest caller) {
        this.inner = inner;
        this.type = type;
        this.caller = caller;
    }

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout) {
        UnsupportedRequestException untranslatable = caller.untranslatable();
        if (untranslatable != null) {
            throw untranslatable;
        }
        ObjectNode body = request.body().deepCopy();
        JsonNode topK = caller.body().get("top_k");
        if (topK != null && topK.isIntegralNumber()) {
            if (type == ProviderType.OPENAI) {
                throw new UnsupportedRequestException("top_k", "OpenAI models take no 'top_k'");
            }
            // OpenRouter, Together, Groq's and vLLM's servers read it under OpenAI's names too.
            body.set("top_k", topK);
        }
        if (type == ProviderType.OPENAI && body.has("max_tokens")) {
            // OpenAI's reasoning models refuse max_tokens; max_completion_tokens is what every OpenAI model takes.
            body.set("max_completion_tokens", body.remove("max_tokens"));
        }
        return inner.request(
                endpoint,
                apiKey,
                vendorModel,
                new ChatRequest(request.model(), request.stream(), request.includeUsage(), body, request.original()),
                timeout);
    }

    @Override
    public ChatResult parse(byte[] body) {
        ChatResult chat = inner.parse(body);
        return new ChatResult(message(chat.response(), chat.usage()), chat.usage());
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest request) {
        return new ChatToMessagesStream(inner.streamTranslator(request));
    }

    /** A chat.completion as Anthropic's {@code message}: its text and tool calls as content blocks, and the usage. */
    static ObjectNode message(JsonNode completion, Usage usage) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", messageId(completion.path("id").asText("")));
        out.put("type", "message");
        out.put("role", "assistant");
        out.put("model", completion.path("model").asText(""));
        ArrayNode content = out.putArray("content");
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        String text = text(message.get("content"));
        if (text.isEmpty() && message.path("refusal").isTextual()) {
            text = message.get("refusal").asText();
        }
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            content.addObject()
                    .put("type", "tool_use")
                    .put("id", call.path("id").asText())
                    .put("name", function.path("name").asText())
                    .set("input", input(function.path("arguments").asText("")));
        }
        out.put(
                "stop_reason",
                stopReason(
                        choice.path("finish_reason").asText(null),
                        !message.path("tool_calls").isEmpty()));
        out.putNull("stop_sequence");
        out.set("usage", usageJson(usage));
        return out;
    }

    /** Anthropic's message ids start with {@code msg_}; clients show them, none parses them. */
    static String messageId(String id) {
        return id.startsWith("msg_") ? id : "msg_" + id;
    }

    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                text.append(part.get("text").asText());
            }
        }
        return text.toString();
    }

    /** A tool call's arguments as the tool_use block's input object ({} when they are not a JSON object). */
    static JsonNode input(String arguments) {
        try {
            JsonNode input = arguments.isBlank() ? null : JSON.readTree(arguments);
            return input != null && input.isObject() ? input : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** OpenAI's finish reason as Anthropic's stop reason. */
    static String stopReason(String finishReason, boolean toolCalls) {
        if (finishReason == null) {
            return toolCalls ? "tool_use" : "end_turn";
        }
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> toolCalls ? "tool_use" : "end_turn";
        };
    }

    /**
     * The usage as Anthropic reports it: input tokens without the cache reads and writes, which have their own fields.
     */
    static ObjectNode usageJson(Usage usage) {
        ObjectNode u = JSON.createObjectNode();
        u.put("input_tokens", Math.max(0, usage.promptTokens() - usage.cachedTokens() - usage.cacheWriteTokens()));
        u.put("cache_creation_input_tokens", usage.cacheWriteTokens());
        u.put("cache_read_input_tokens", usage.cachedTokens());
        u.put("output_tokens", usage.completionTokens());
        return u;
    }
}
