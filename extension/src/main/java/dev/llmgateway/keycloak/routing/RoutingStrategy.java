package dev.llmgateway.keycloak.routing;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How candidates are ordered: cheapest first, best first, or best quality for the cost. */
public enum RoutingStrategy {
    COST,
    BALANCED,
    QUALITY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RoutingStrategy> fromId(String id) {
        return Arrays.stream(values()).filter(s -> s.id().equals(id)).findFirst();
    }
}
