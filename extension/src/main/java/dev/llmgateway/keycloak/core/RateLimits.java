package dev.llmgateway.keycloak.core;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Rate limits of one scope (a power level, a user, a client or a provider): requests per minute, tokens per minute
 * (prompt and completion) and concurrent streams. A null field sets no limit of that kind; {@code 0} refuses every
 * call. The same JSON object everywhere: {@code {"requests_per_minute": 60, "tokens_per_minute": 100000,
 * "concurrent_streams": 4}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RateLimits(
        @JsonProperty("requests_per_minute") Integer requestsPerMinute,
        @JsonProperty("tokens_per_minute") Long tokensPerMinute,
        @JsonProperty("concurrent_streams") Integer concurrentStreams) {

    public static final RateLimits NONE = new RateLimits(null, null, null);

    /**
     * The user and client attributes that override a level's limits, one per kind (admins set them; users cannot:
     * the User Profile declares them admin-only).
     */
    public static final String REQUESTS_ATTRIBUTE = "llm_requests_per_minute";

    public static final String TOKENS_ATTRIBUTE = "llm_tokens_per_minute";
    public static final String STREAMS_ATTRIBUTE = "llm_concurrent_streams";

    public static final int MAX_REQUESTS = 1_000_000;
    public static final long MAX_TOKENS = 2_000_000_000L;
    public static final int MAX_STREAMS = 100_000;
    static final String FIELDS = "requests_per_minute, tokens_per_minute, concurrent_streams";
    private static final Set<String> NAMES = Set.of("requests_per_minute", "tokens_per_minute", "concurrent_streams");

    @JsonIgnore
    public boolean isEmpty() {
        return requestsPerMinute == null && tokensPerMinute == null && concurrentStreams == null;
    }

    /** Null when empty: what entities and representations store. */
    public RateLimits orNull() {
        return isEmpty() ? null : this;
    }

    /** Each kind from {@code override} where it sets one, else from this. */
    public RateLimits overriddenBy(RateLimits override) {
        if (override == null || override.isEmpty()) {
            return this;
        }
        return new RateLimits(
                override.requestsPerMinute != null ? override.requestsPerMinute : requestsPerMinute,
                override.tokensPerMinute != null ? override.tokensPerMinute : tokensPerMinute,
                override.concurrentStreams != null ? override.concurrentStreams : concurrentStreams);
    }

    public static RateLimits of(RateLimits limits) {
        return limits == null ? NONE : limits;
    }

    /**
     * Reads the object at {@code field} ({@code "limits"}, {@code "levels[0].limits"}): null or absent is no limit.
     * Each kind is a whole number from 0 (refuse every call) to its maximum, or null.
     */
    public static RateLimits parse(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw ApiErrors.badRequest(field, field + " must be an object with " + FIELDS);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            String name = fields.next().getKey();
            if (!NAMES.contains(name)) {
                throw ApiErrors.unknownField(field + ".", name, FIELDS);
            }
        }
        Long requests = whole(node, field, "requests_per_minute", MAX_REQUESTS);
        Long tokens = whole(node, field, "tokens_per_minute", MAX_TOKENS);
        Long streams = whole(node, field, "concurrent_streams", MAX_STREAMS);
        return new RateLimits(
                requests == null ? null : requests.intValue(), tokens, streams == null ? null : streams.intValue());
    }

    /** One kind from a user's or client's attribute value; a value that is not a whole number counts as unset. */
    public static Long attribute(String value, long max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long v = Long.parseLong(value.strip());
            return v < 0 || v > max ? null : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** From the three attribute values (user or client); unset kinds are null. */
    public static RateLimits ofAttributes(String requests, String tokens, String streams) {
        Long r = attribute(requests, MAX_REQUESTS);
        Long s = attribute(streams, MAX_STREAMS);
        return new RateLimits(
                r == null ? null : r.intValue(), attribute(tokens, MAX_TOKENS), s == null ? null : s.intValue());
    }

    private static Long whole(JsonNode node, String field, String name, long max) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        String at = field + "." + name;
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > max) {
            throw ApiErrors.badRequest(at, at + " must be a whole number from 0 to " + max + ", or null for no limit");
        }
        return v.asLong();
    }
}
