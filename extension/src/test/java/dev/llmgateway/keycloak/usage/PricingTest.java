package dev.llmgateway.keycloak.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;

import dev.llmgateway.keycloak.gateway.Usage;
import org.junit.jupiter.api.Test;

class PricingTest {

    private static final BigDecimal IN = new BigDecimal("0.15");
    private static final BigDecimal OUT = new BigDecimal("0.60");
    private static final BigDecimal CACHED = new BigDecimal("0.075");

    @Test
    void cachedTokensAtTheCachedPrice() {
        // 200 uncached * 0.15 + 1000 cached * 0.075 + 80 * 0.60 = 30 + 75 + 48 = 153 per million
        assertEquals(new BigDecimal("0.000153"), Pricing.cost(new Usage(1200, 80, 1000, 0), IN, OUT, CACHED));
    }

    @Test
    void withoutACachedPriceCachedTokensCostTheInputPrice() {
        assertEquals(new BigDecimal("0.000228"), Pricing.cost(new Usage(1200, 80, 1000, 0), IN, OUT, null));
    }

    @Test
    void reasoningTokensArePartOfTheCompletionAndNotCountedTwice() {
        assertEquals(0, new BigDecimal("0.0006").compareTo(Pricing.cost(new Usage(0, 1000, 0, 700), IN, OUT, CACHED)));
    }

    @Test
    void noDriftOverManyCalls() {
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < 100_000; i++) {
            sum = sum.add(Pricing.cost(new Usage(7, 3, 1, 0), IN, OUT, CACHED));
        }
        // per call: 6*0.15 + 1*0.075 + 3*0.60 = 2.775 per million
        assertEquals(0, new BigDecimal("0.2775").compareTo(sum));
    }

    @Test
    void unpricedModelsHaveNoCost() {
        assertNull(Pricing.cost(new Usage(10, 10, 0, 0), null, null, null));
    }
}
