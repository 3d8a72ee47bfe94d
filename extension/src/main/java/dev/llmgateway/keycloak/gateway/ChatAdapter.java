package dev.llmgateway.keycloak.gateway;

import java.net.http.HttpRequest;
import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.routing.ProviderEndpoint;

/** Translates between the OpenAI Chat Completions format our callers speak and one vendor wire format. */
public interface ChatAdapter {

    /** The vendor request for a non-streamed call of {@code vendorModel}. */
    HttpRequest request(ProviderEndpoint endpoint, String apiKey, String vendorModel, ObjectNode openAiBody, Duration timeout);

    /** The vendor's successful answer as an OpenAI chat.completion, with its token usage. */
    ChatResult parse(byte[] body);

    /** What a vendor's error answer says, for callers whose own request was at fault (never contains our key). */
    String errorMessage(byte[] body);
}
