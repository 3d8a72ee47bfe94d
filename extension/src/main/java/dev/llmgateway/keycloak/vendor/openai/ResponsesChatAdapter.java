package dev.llmgateway.keycloak.vendor.openai;

import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.StreamTranslator;

/**
 * The Responses API served through a vendor's chat adapter: the request goes out as its Chat Completions equivalent
 * ({@link ResponsesRequest#chat()}), the vendor's answer, once in OpenAI's chat.completion shape, comes back as a
 * response object, its stream as the Responses streaming events. The usage is the vendor's, unchanged.
 */
public final class ResponsesChatAdapter implements ChatAdapter {

    private final ChatAdapter chat;
    private final ResponsesRequest request;

    public ResponsesChatAdapter(ChatAdapter chat, ResponsesRequest request) {
        this.chat = chat;
        this.request = request;
    }

    @Override
    public HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest chatRequest, Duration timeout) {
        if (request.untranslatable() != null) {
            throw request.untranslatable();
        }
        return chat.request(endpoint, apiKey, vendorModel, chatRequest, timeout);
    }

    @Override
    public ChatResult parse(byte[] body) {
        ChatResult completion = chat.parse(body);
        return new ChatResult(response(completion), completion.usage());
    }

    /** The response object of a chat completion. */
    ObjectNode response(ChatResult result) {
        JsonNode completion = result.response();
        long created = completion.path("created").asLong(System.currentTimeMillis() / 1000);
        JsonNode choice = completion.path("choices").path(0);
        String finish = choice.path("finish_reason").asText(null);
        ObjectNode details = ResponsesObjects.incompleteDetails(finish);
        ObjectNode response = ResponsesObjects.response(
                ResponsesObjects.newId("resp_"),
                created,
                completion.path("model").asText(request.chat().model()),
                details == null ? "completed" : "incomplete",
                request.body());
        if (details != null) {
            response.set("incomplete_details", details);
        }
        JsonNode tier = completion.get("service_tier");
        if (tier != null && tier.isTextual()) {
            response.put("service_tier", tier.asText());
        }
        ArrayNode output = (ArrayNode) response.get("output");
        JsonNode message = choice.path("message");
        String text =
                message.path("content").isTextual() ? message.path("content").asText() : null;
        String refusal =
                message.path("refusal").isTextual() ? message.path("refusal").asText() : null;
        if ((text != null && !text.isEmpty()) || refusal != null) {
            output.add(ResponsesObjects.message(
                    ResponsesObjects.newId("msg_"),
                    "completed",
                    text != null && !text.isEmpty() ? text : null,
                    refusal));
        }
        for (JsonNode call : message.path("tool_calls")) {
            output.add(ResponsesObjects.functionCall(
                    ResponsesObjects.newId("fc_"),
                    "completed",
                    call.path("id").asText(ResponsesObjects.newId("call_")),
                    call.path("function").path("name").asText(""),
                    call.path("function").path("arguments").asText("")));
        }
        response.set("usage", ResponsesObjects.usage(result.usage()));
        return response;
    }

    @Override
    public StreamTranslator streamTranslator(ChatRequest chatRequest) {
        return new ResponsesEventStream(chat.streamTranslator(chatRequest), request);
    }
}
