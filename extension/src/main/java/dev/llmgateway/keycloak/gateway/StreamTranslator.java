package dev.llmgateway.keycloak.gateway;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns one vendor's streamed answer into OpenAI chat.completion.chunk events for the caller, and notes the usage the
 * vendor reports on the way. One instance per stream.
 */
public interface StreamTranslator {

    /** The caller's SSE bytes for this piece of the vendor's stream (possibly none). */
    List<byte[]> translate(ByteBuffer vendorBytes);

    /** The closing bytes ({@code data: [DONE]}). */
    byte[] finish();

    /** The usage seen so far; complete once the stream ended. */
    Usage usage();
}
