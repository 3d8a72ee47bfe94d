package dev.llmgateway.keycloak.config;

import java.time.Duration;

import dev.llmgateway.keycloak.catalog.ModelCatalog;
import dev.llmgateway.keycloak.core.KeyTestLimiter;
import dev.llmgateway.keycloak.crypto.SecretCipher;
import dev.llmgateway.keycloak.vendor.ConnectionTester;
import dev.llmgateway.keycloak.vendor.OutboundPolicy;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/** The extension's settings, read once at startup, and the cipher for stored secrets. */
public interface LlmGatewayConfig extends Provider {

    /** The cipher for secrets of this realm; throws {@link dev.llmgateway.keycloak.crypto.SecretCipherException} if no KEK is configured. */
    SecretCipher cipher(RealmModel realm);

    /** Timeout of a connection test (list-models call) to a vendor. */
    Duration vendorTestTimeout();

    /** Deadline of one gateway attempt at a vendor, until its answer is complete (non-streamed calls). */
    Duration upstreamTimeout();

    /** Largest chat request body the gateway accepts. */
    int gatewayMaxBodyBytes();

    /** Calls vendors' list-models endpoints; shares one HTTP client per server. */
    ConnectionTester connectionTester();

    /** Where the server may connect to: checked when a base URL is saved and before every outbound request. */
    OutboundPolicy outboundPolicy();

    /** The built-in model catalogue, loaded once. */
    ModelCatalog catalog();

    /** Largest request body the admin API accepts. */
    int maxBodyBytes();

    /** Bounds key tests per admin and per user (option {@code key-tests-per-minute}). */
    KeyTestLimiter keyTestLimiter();

    /** At most one refusal event per user and reason per node within this time (option {@code refusal-event-interval-ms}). */
    Duration refusalEventInterval();

    @Override
    default void close() {}
}
