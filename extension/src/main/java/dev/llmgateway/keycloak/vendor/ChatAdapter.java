package dev.llmgateway.keycloak.vendor;

import java.net.http.HttpRequest;
import java.time.Duration;

import dev.llmgateway.keycloak.core.ProviderEndpoint;

/** Translates between the OpenAI Chat Completions format our callers speak and one vendor wire format. */
public interface ChatAdapter {

    /** The vendor request for {@code vendorModel}, streamed when the caller asked for a stream. */
    HttpRequest request(
            ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest request, Duration timeout);

    /** The vendor's successful non-streamed answer as an OpenAI chat.completion, with its usage. */
    ChatResult parse(byte[] body);

    /** A translator for the vendor's streamed answer to this request. */
    StreamTranslator streamTranslator(ChatRequest request);
}
