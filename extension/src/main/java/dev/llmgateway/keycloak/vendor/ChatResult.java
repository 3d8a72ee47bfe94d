package dev.llmgateway.keycloak.vendor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.Usage;

/**
 * A completion in OpenAI's shape and its token usage; {@code body} is the vendor's own bytes when they are that
 * completion unchanged (an OpenAI-format vendor), so the caller gets them without writing the JSON again, else null.
 * {@code usageEstimated}: the vendor reported no usage and {@code usage} is the gateway's estimate (the ledger marks
 * the row so).
 */
public record ChatResult(ObjectNode response, Usage usage, byte[] body, boolean usageEstimated) {

    /** An answer whose usage the vendor reported. */
    public ChatResult(ObjectNode response, Usage usage, byte[] body) {
        this(response, usage, body, false);
    }

    /** A completion translated from another format: written from {@code response}. */
    public ChatResult(ObjectNode response, Usage usage) {
        this(response, usage, null);
    }
}
