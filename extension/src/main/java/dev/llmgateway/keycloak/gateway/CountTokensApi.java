package dev.llmgateway.keycloak.gateway;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Json;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.core.ProviderType;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.core.Usage;
import dev.llmgateway.keycloak.crypto.SecretCipher;
import dev.llmgateway.keycloak.routing.CooldownTracker;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
import dev.llmgateway.keycloak.vendor.ChatAdapter;
import dev.llmgateway.keycloak.vendor.ChatRequest;
import dev.llmgateway.keycloak.vendor.ChatResult;
import dev.llmgateway.keycloak.vendor.OutboundPolicy;
import dev.llmgateway.keycloak.vendor.StreamTranslator;
import dev.llmgateway.keycloak.vendor.VendorError;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicErrors;
import dev.llmgateway.keycloak.vendor.anthropic.AnthropicPassThroughAdapter;
import dev.llmgateway.keycloak.vendor.anthropic.MessagesRequest;

/**
 * Anthropic's token counting ({@code POST /v1/messages/count_tokens}): served only by Anthropic providers, passed
 * through as the caller sent it (but for the model), with the organisation's key. It costs nothing and uses no tokens:
 * it is not recorded in the ledger, counted against rate limits or budgets, and a provider's failure to count starts no
 * cooldown (its Messages calls are unaffected); the next Anthropic provider is tried on 429, 5xx and connection errors.
 */
public final class CountTokensApi implements InboundApi {

    private final MessagesRequest request;

    public CountTokensApi(MessagesRequest request) {
        this.request = request;
    }

    /** Reads the caller's token-counting request (refused in Anthropic's error shape). */
    public static CountTokensApi read(java.io.InputStream body, int maxBytes, String anthropicBeta) {
        return new CountTokensApi(MessagesRequest.readCountTokens(body, maxBytes, anthropicBeta));
    }

    /** The model the caller asked for. */
    public String model() {
        return request.model();
    }

    @Override
    public String kind() {
        return "count_tokens";
    }

    @Override
    public boolean serves(Candidate candidate) {
        return ProviderType.ANTHROPIC.id().equals(candidate.providerType());
    }

    @Override
    public String notServed(String model) {
        return "Token counting is offered only for models served by an Anthropic provider, and no Anthropic provider"
                + " serves the model " + model + ".";
    }

    @Override
    public boolean tokenInApiKeyHeader() {
        return true;
    }

    @Override
    public byte[] errorBody(int status, byte[] openAiError) {
        return AnthropicErrors.fromOpenAi(status, openAiError);
    }

    @Override
    public ChatAdapter adapter(ProviderType type) {
        AnthropicPassThroughAdapter anthropic = new AnthropicPassThroughAdapter(request);
        return new ChatAdapter() {
            @Override
            public HttpRequest request(
                    ProviderEndpoint endpoint, String apiKey, String vendorModel, ChatRequest chat, Duration timeout) {
                return anthropic.countTokens(endpoint, apiKey, vendorModel, timeout);
            }

            @Override
            public ChatResult parse(byte[] body) {
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(body);
                } catch (IOException e) {
                    throw new IllegalArgumentException("not JSON");
                }
                if (node == null || !node.path("input_tokens").canConvertToLong()) {
                    throw new IllegalArgumentException("not a token count");
                }
                return new ChatResult((ObjectNode) node, Usage.NONE, body);
            }

            @Override
            public StreamTranslator streamTranslator(ChatRequest chat) {
                throw new IllegalStateException("token counts are not streamed");
            }
        };
    }

    /** How the count ended: the provider that answered (null: none), the status and the body in Anthropic's shape. */
    public record Counted(Candidate chosen, int status, byte[] body) {}

    /** Asks the first of {@code candidates} (Anthropic providers, in routing order) that answers. */
    public CompletableFuture<Counted> count(
            HttpClient http,
            RoutingSnapshot snapshot,
            List<Candidate> candidates,
            CooldownTracker cooldowns,
            SecretCipher cipher,
            OutboundPolicy policy,
            Duration timeout) {
        return next(http, snapshot, candidates, 0, new ArrayList<>(), cooldowns, cipher, policy, timeout);
    }

    private CompletableFuture<Counted> next(
            HttpClient http,
            RoutingSnapshot snapshot,
            List<Candidate> candidates,
            int from,
            List<String> failures,
            CooldownTracker cooldowns,
            SecretCipher cipher,
            OutboundPolicy policy,
            Duration timeout) {
        for (int i = from; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (cooldowns.isCoolingDown(c.providerId(), System.currentTimeMillis())) {
                failures.add(c.providerName() + ": cooling down");
                continue;
            }
            ProviderEndpoint endpoint = snapshot.endpoint(c.providerId());
            String key;
            HttpRequest request;
            try {
                key = cipher.decrypt(endpoint.sealedKey(), endpoint.keyContext());
                request = adapter(endpoint.type()).request(endpoint, key, c.modelId(), null, timeout);
            } catch (RuntimeException e) {
                failures.add(c.providerName() + ": unusable key");
                continue;
            }
            if (policy.connectRefusal(request.uri()) != null) {
                failures.add(c.providerName() + ": not allowed by the outbound policy");
                continue;
            }
            int following = i + 1;
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .handle((response, error) -> {
                        if (error != null) {
                            failures.add(c.providerName() + ": connection error or timeout");
                            return null;
                        }
                        int status = response.statusCode();
                        if (status / 100 == 2) {
                            try {
                                return new Counted(
                                        c,
                                        200,
                                        adapter(endpoint.type())
                                                .parse(response.body())
                                                .body());
                            } catch (IllegalArgumentException e) {
                                failures.add(c.providerName() + ": unreadable answer");
                                return null;
                            }
                        }
                        if (status == 429 || status >= 500) {
                            failures.add(c.providerName() + ": HTTP " + status);
                            return null;
                        }
                        // The caller's request was refused: answered as Anthropic did, its message without the key.
                        String message = SafeText.redact(
                                VendorError.parse(response.body(), true).message(), key);
                        return new Counted(
                                c,
                                status,
                                AnthropicErrors.body(
                                        AnthropicErrors.typeOf(status),
                                        message != null
                                                ? message
                                                : c.providerName() + " refused the request (HTTP " + status + ")"));
                    })
                    .thenCompose(counted -> counted != null
                            ? CompletableFuture.completedFuture(counted)
                            : next(
                                    http,
                                    snapshot,
                                    candidates,
                                    following,
                                    failures,
                                    cooldowns,
                                    cipher,
                                    policy,
                                    timeout));
        }
        return CompletableFuture.completedFuture(new Counted(
                null,
                503,
                AnthropicErrors.body(
                        "api_error",
                        "No Anthropic provider could count the tokens: "
                                + (failures.isEmpty() ? "none was tried" : String.join("; ", failures)))));
    }
}
