package dev.llmgateway.keycloak.limits;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The open streams of one scope, per node: {@code "<node>=<count>@<millis>;…"}. A node's part counts only while it
 * is fresh (a node that died stops refreshing it, and its streams stop counting).
 */
final class StreamParts {

    private record Part(int count, long at) {}

    private final Map<String, Part> parts = new LinkedHashMap<>();

    static StreamParts parse(String stored, long freshSince) {
        StreamParts p = new StreamParts();
        if (stored == null || stored.isEmpty()) {
            return p;
        }
        for (String part : stored.split(";")) {
            int eq = part.indexOf('=');
            int at = part.indexOf('@', eq + 1);
            if (eq <= 0 || at < 0) {
                continue;
            }
            long when = Long.parseLong(part, at + 1, part.length(), 10);
            if (when >= freshSince) {
                p.parts.put(part.substring(0, eq), new Part(Integer.parseInt(part, eq + 1, at, 10), when));
            }
        }
        return p;
    }

    int othersThan(String node) {
        int sum = 0;
        for (Map.Entry<String, Part> e : parts.entrySet()) {
            if (!e.getKey().equals(node)) {
                sum += e.getValue().count();
            }
        }
        return sum;
    }

    void set(String node, int count, long now) {
        if (count <= 0) {
            parts.remove(node);
        } else {
            parts.put(node, new Part(count, now));
        }
    }

    String format() {
        StringBuilder s = new StringBuilder();
        parts.forEach((node, part) -> {
            if (s.length() > 0) {
                s.append(';');
            }
            s.append(node).append('=').append(part.count()).append('@').append(part.at());
        });
        return s.toString();
    }
}
