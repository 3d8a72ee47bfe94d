package dev.llmgateway.keycloak.gateway;

import java.io.InputStream;

import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import dev.llmgateway.keycloak.vendor.openai.ResponsesChatAdapter;
import dev.llmgateway.keycloak.vendor.openai.ResponsesPassThroughAdapter;
import dev.llmgateway.keycloak.vendor.openai.ResponsesRequest;
import jakarta.ws.rs.core.Response;

/**
 * OpenAI's Responses API, without state, for one call: OpenAI providers get the caller's request as it is (with
 * {@code store: false}); every other vendor its Chat Completions equivalent through its usual adapter, the answer
 * translated back into a response object or the Responses streaming events. Routed, limited and recorded like chat,
 * as call kind {@code responses}.
 */
public final class ResponsesApi implements InboundApi {

    /** The caller's request, once read. */
    private ResponsesRequest request;

    /** The API of one call; {@link #read} reads its request. */
    public ResponsesApi() {}

    /**
     * Reads the caller's body (bad input is a 400 in OpenAI's shape naming the problem) and returns the request the
     * pipeline routes, counts and traces: its Chat Completions equivalent, with the caller's body as {@code original}.
     */
    public ChatRequest read(InputStream body, int maxBytes) {
        request = ResponsesRequest.read(body, maxBytes);
        return request.chat();
    }

    @Override
    public String kind() {
        return UsageEvent.KIND_RESPONSES;
    }

    @Override
    public ChatAdapter adapter(ProviderType type) {
        return type == ProviderType.OPENAI
                ? new ResponsesPassThroughAdapter(request)
                : new ResponsesChatAdapter(ChatAdapters.forType(type), request);
    }

    /**
     * What {@code GET}, {@code DELETE} and the other calls on a stored response get: nothing is stored, so nothing is
     * found. The id is quoted only when it looks like one.
     */
    public static Response notStored(String id) {
        // Only an id of the shape OpenAI gives responses is quoted: a key pasted into the URL stays out of the answer.
        String shown = id != null && id.matches("resp_[A-Za-z0-9]{1,100}") ? "'" + id + "'" : "";
        return OpenAiErrors.response(
                404,
                "invalid_request_error",
                "response_not_found",
                null,
                "Response " + (shown.isEmpty() ? "" : shown + " ") + "not found: " + ResponsesRequest.NO_STATE + ".");
    }
}
