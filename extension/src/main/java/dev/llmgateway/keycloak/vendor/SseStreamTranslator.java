package dev.llmgateway.keycloak.vendor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The part every server-sent-events vendor stream shares: the SSE parser across arbitrary byte splits, whether the
 * caller asked for usage, and one call per event's data.
 */
public abstract class SseStreamTranslator implements StreamTranslator {

    private final SseParser parser = new SseParser();
    /** Whether the caller asked for usage ({@code stream_options.include_usage}); the ledger always gets it. */
    protected final boolean callerWantsUsage;

    protected SseStreamTranslator(boolean callerWantsUsage) {
        this.callerWantsUsage = callerWantsUsage;
    }

    @Override
    public final List<byte[]> translate(ByteBuffer vendorBytes) {
        List<String> events = parser.feed(vendorBytes);
        List<byte[]> out = new ArrayList<>(events.size());
        for (String data : events) {
            if (!onEvent(data, out)) {
                break;
            }
        }
        return out;
    }

    /** Handles one event's data, adding what the caller gets to {@code out}; false ignores the rest of this piece. */
    protected abstract boolean onEvent(String data, List<byte[]> out);
}
