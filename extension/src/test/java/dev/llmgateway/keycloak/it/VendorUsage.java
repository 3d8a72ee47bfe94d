package dev.llmgateway.keycloak.it;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The token figures a fake vendor reports, and how each vendor writes them, as their documentation and SDK types show
 * (OpenAI's {@code usage} with {@code prompt_tokens_details}; OpenRouter's {@code cost} and {@code cache_write_tokens};
 * Groq's timings and its {@code x_groq} object; Mistral's cached tokens; Together's, Cohere's compatibility API's,
 * Hugging Face's (TGI) and vLLM's bare counts; Anthropic's {@code input_tokens} without cache reads and writes, and its
 * {@code cache_creation} split).
 *
 * <p>Figures are OpenAI's way round: {@code prompt} includes the cached (cache-read) tokens and the cache writes;
 * {@code cacheWrite1h} is the part of the cache writes that went to the 1-hour cache. {@code serviceTier}: the tier
 * the vendor says served the call (null: the vendor's default); {@code vendorCost}: what the vendor says the call
 * cost (OpenRouter), as a decimal string, or null.
 */
public record VendorUsage(
        long prompt,
        long completion,
        long cached,
        long cacheWrite,
        long cacheWrite1h,
        long reasoning,
        String serviceTier,
        String vendorCost) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the fakes report unless a test scripts other figures. */
    public static final VendorUsage DEFAULT = new VendorUsage(
            FakeVendors.PROMPT_TOKENS, FakeVendors.COMPLETION_TOKENS, FakeVendors.CACHED_TOKENS, 0, 0, 0, null, null);

    /** Whether the vendor's usage object has a place for cached prompt tokens at all. */
    public static boolean reportsCachedTokens(String vendor) {
        return switch (vendor) {
            case "openai", "openrouter", "groq", "mistral", "custom" -> true;
            default -> false;
        };
    }

    /** The vendor's {@code usage} object (OpenAI-compatible vendors). */
    public ObjectNode usageJson(String vendor) {
        ObjectNode u = JSON.createObjectNode();
        switch (vendor) {
            case "openai" -> {
                counts(u);
                ObjectNode p = u.putObject("prompt_tokens_details");
                p.put("cached_tokens", cached);
                p.put("audio_tokens", 0);
                ObjectNode c = u.putObject("completion_tokens_details");
                c.put("reasoning_tokens", reasoning);
                c.put("audio_tokens", 0);
                c.put("accepted_prediction_tokens", 0);
                c.put("rejected_prediction_tokens", 0);
            }
            case "openrouter" -> {
                counts(u);
                if (vendorCost != null) {
                    u.put("cost", new BigDecimal(vendorCost).doubleValue());
                }
                u.put("is_byok", false);
                ObjectNode p = u.putObject("prompt_tokens_details");
                p.put("cached_tokens", cached);
                if (cacheWrite > 0) {
                    p.put("cache_write_tokens", cacheWrite);
                }
                p.put("audio_tokens", 0);
                ObjectNode d = u.putObject("cost_details");
                d.putNull("upstream_inference_cost");
                u.putObject("completion_tokens_details").put("reasoning_tokens", reasoning);
            }
            case "groq" -> {
                u.put("queue_time", 0.018737);
                u.put("prompt_tokens", prompt);
                u.put("prompt_time", 0.002108);
                u.put("completion_tokens", completion);
                u.put("completion_time", 0.066666667);
                u.put("total_tokens", prompt + completion);
                u.put("total_time", 0.068774667);
                if (cached > 0) {
                    u.putObject("prompt_tokens_details").put("cached_tokens", cached);
                }
                if (reasoning > 0) {
                    u.putObject("completion_tokens_details").put("reasoning_tokens", reasoning);
                }
            }
            case "mistral" -> {
                u.put("prompt_tokens", prompt);
                u.put("total_tokens", prompt + completion);
                u.put("completion_tokens", completion);
                if (cached > 0) {
                    u.putObject("prompt_tokens_details").put("cached_tokens", cached);
                }
            }
            case "custom" -> {
                // vLLM: details only when the server runs with --enable-prompt-tokens-details
                u.put("prompt_tokens", prompt);
                u.put("total_tokens", prompt + completion);
                u.put("completion_tokens", completion);
                if (cached > 0) {
                    u.putObject("prompt_tokens_details").put("cached_tokens", cached);
                } else {
                    u.putNull("prompt_tokens_details");
                }
            }
            default -> counts(u); // together, cohere (compatibility API), huggingface (TGI)
        }
        return u;
    }

    private void counts(ObjectNode u) {
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
    }

    /** Anthropic's {@code usage}: input without cache reads and writes, and the 5-minute / 1-hour split. */
    public ObjectNode anthropicUsage(long outputTokens) {
        ObjectNode u = JSON.createObjectNode();
        u.put("input_tokens", prompt - cached - cacheWrite);
        u.put("cache_creation_input_tokens", cacheWrite);
        u.put("cache_read_input_tokens", cached);
        ObjectNode split = u.putObject("cache_creation");
        split.put("ephemeral_5m_input_tokens", cacheWrite - cacheWrite1h);
        split.put("ephemeral_1h_input_tokens", cacheWrite1h);
        u.put("output_tokens", outputTokens);
        u.put("service_tier", serviceTier == null ? "standard" : serviceTier);
        return u;
    }
}
