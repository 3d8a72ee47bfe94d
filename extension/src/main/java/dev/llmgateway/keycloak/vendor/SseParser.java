package dev.llmgateway.keycloak.vendor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a server-sent-events byte stream into the data of each event (its {@code data:} lines joined by newlines).
 * Events may arrive split across buffers at any byte, also inside a UTF-8 character. Not thread-safe: one per stream.
 */
public final class SseParser {

    private byte[] buf = new byte[8192];
    private int len;

    public List<String> feed(ByteBuffer chunk) {
        int n = chunk.remaining();
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        chunk.get(buf, len, n);
        len += n;
        List<String> events = new ArrayList<>(2);
        int start = 0;
        int lineStart = 0;
        StringBuilder data = null;
        for (int i = 0; i < len; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            int lineEnd = i > lineStart && buf[i - 1] == '\r' ? i - 1 : i;
            if (lineEnd == lineStart) {
                // a blank line ends the event
                if (data != null) {
                    events.add(data.toString());
                    data = null;
                }
                start = i + 1;
            } else if (startsWith(lineStart, lineEnd, "data:")) {
                int from = lineStart + 5;
                if (from < lineEnd && buf[from] == ' ') {
                    from++;
                }
                String line = new String(buf, from, lineEnd - from, StandardCharsets.UTF_8);
                data = data == null
                        ? new StringBuilder(line)
                        : data.append('\n').append(line);
            }
            lineStart = i + 1;
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, len - start);
            len -= start;
        }
        return events;
    }

    private boolean startsWith(int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (buf[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
