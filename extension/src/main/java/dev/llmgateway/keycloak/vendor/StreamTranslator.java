package dev.llmgateway.keycloak.vendor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.llmgateway.keycloak.core.Usage;

/**
 * Turns one vendor's streamed answer into OpenAI chat.completion.chunk events for the caller, and notes the usage the
 * vendor reports on the way. One instance per stream.
 */
public interface StreamTranslator {

    /** The event that ends every stream to the caller. Never modified. */
    byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The caller's SSE bytes for this piece of the vendor's stream (possibly none). */
    List<byte[]> translate(ByteBuffer vendorBytes);

    /** The closing bytes ({@code data: [DONE]}). */
    byte[] finish();

    /** The usage seen so far; complete once the stream ended. */
    Usage usage();

    /**
     * Whether the vendor's final usage has come (OpenAI's usage chunk, Anthropic's {@code message_delta}); until then
     * {@link #usage()} may hold only what the stream's start said (Anthropic: the prompt and one output token).
     */
    boolean usageFinal();

    /** Characters of answer text and tool-call arguments relayed so far: what an estimate of the usage starts from. */
    long textChars();
}
