package dev.llmgateway.keycloak.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SseParserTest {

    private static List<String> feedInPieces(String stream, int pieceSize) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        SseParser parser = new SseParser();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += pieceSize) {
            events.addAll(parser.feed(ByteBuffer.wrap(bytes, i, Math.min(pieceSize, bytes.length - i))));
        }
        return events;
    }

    @Test
    void eventsSplitAnywhereEvenInsideACharacter() {
        String stream =
                "event: message\ndata: {\"c\":\"héllo ✓\"}\n\n: comment\n\ndata: two\r\ndata: lines\r\n\r\ndata: [DONE]\n\n";
        for (int size = 1; size <= 7; size++) {
            assertEquals(
                    List.of("{\"c\":\"héllo ✓\"}", "two\nlines", "[DONE]"),
                    feedInPieces(stream, size),
                    "piece size " + size);
        }
    }

    @Test
    void anUnfinishedEventWaitsForItsBlankLine() {
        SseParser parser = new SseParser();
        assertEquals(List.of(), parser.feed(ByteBuffer.wrap("data: half".getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of("half"), parser.feed(ByteBuffer.wrap("\n\n".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void largeEventsGrowTheBuffer() {
        String big = "x".repeat(50_000);
        assertEquals(List.of(big), feedInPieces("data: " + big + "\n\n", 4096));
    }
}
