package dev.llmgateway.keycloak.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;

import dev.llmgateway.keycloak.core.Candidate;
import org.junit.jupiter.api.Test;

/** Each strategy's order on a fixed catalogue. */
class CandidateOrderTest {

    private static Candidate c(String provider, int priority, String model, String in, String out, Integer quality) {
        return new Candidate(
                provider,
                provider,
                "openai",
                priority,
                true,
                model,
                in == null ? null : new BigDecimal(in),
                out == null ? null : new BigDecimal(out),
                null,
                null,
                quality);
    }

    // blended: llama 0.065, mini 0.375, haiku 3.0, opus 45.0; unknown has no price and no quality
    private final Candidate llama = c("groq", 50, "llama-3.1-8b-instant", "0.05", "0.08", 55);
    private final Candidate mini = c("openai", 50, "gpt-4o-mini", "0.15", "0.60", 78);
    private final Candidate haiku = c("anthropic", 50, "claude-haiku-4-5", "1.00", "5.00", 88);
    private final Candidate opus = c("anthropic", 50, "claude-opus-4-1", "15", "75", 97);
    private final Candidate unknown = c("custom", 50, "local-llama", null, null, null);
    private final List<Candidate> all = List.of(opus, unknown, haiku, llama, mini);

    private static List<String> ids(List<Candidate> cs) {
        return cs.stream().map(Candidate::modelId).toList();
    }

    @Test
    void costIsCheapestFirstAndUnpricedLast() {
        assertEquals(
                List.of("llama-3.1-8b-instant", "gpt-4o-mini", "claude-haiku-4-5", "claude-opus-4-1", "local-llama"),
                ids(CandidateOrder.sort(all, RoutingStrategy.COST)));
    }

    @Test
    void qualityIsBestFirstAndUnknownLast() {
        assertEquals(
                List.of("claude-opus-4-1", "claude-haiku-4-5", "gpt-4o-mini", "llama-3.1-8b-instant", "local-llama"),
                ids(CandidateOrder.sort(all, RoutingStrategy.QUALITY)));
    }

    @Test
    void balancedWeighsQualityAgainstLogPrice() {
        // quality normalised over 55..97, cheapness over ln(0.065)..ln(45):
        // mini 0.640, haiku 0.600, llama (0+1)/2 = 0.5, opus (1+0)/2 = 0.5, unknown 0
        // llama and opus tie at 0.5: equal priority, so provider name decides (anthropic < groq).
        assertEquals(
                List.of("gpt-4o-mini", "claude-haiku-4-5", "claude-opus-4-1", "llama-3.1-8b-instant", "local-llama"),
                ids(CandidateOrder.sort(all, RoutingStrategy.BALANCED)));
    }

    @Test
    void tiesGoToTheHigherProviderPriority() {
        Candidate viaOpenRouter = c("openrouter", 80, "gpt-4o-mini", "0.15", "0.60", 78);
        Candidate direct = c("openai", 40, "gpt-4o-mini", "0.15", "0.60", 78);
        for (RoutingStrategy s : RoutingStrategy.values()) {
            assertEquals(
                    "openrouter",
                    CandidateOrder.sort(List.of(direct, viaOpenRouter), s)
                            .get(0)
                            .providerId(),
                    s.id());
        }
    }

    @Test
    void freeModelsAreCheapestWithoutBreakingTheLogScale() {
        Candidate free = c("openrouter", 50, "free-model", "0", "0", 40);
        List<Candidate> sorted = CandidateOrder.sort(List.of(mini, free), RoutingStrategy.BALANCED);
        assertEquals(2, sorted.size());
        assertEquals(
                "free-model",
                CandidateOrder.sort(List.of(mini, free), RoutingStrategy.COST)
                        .get(0)
                        .modelId());
    }
}
