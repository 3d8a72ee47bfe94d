package dev.llmgateway.keycloak.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.TierPrices;
import dev.llmgateway.keycloak.core.Usage;
import org.junit.jupiter.api.Test;

class PricingTest {

    private static final BigDecimal IN = new BigDecimal("0.15");
    private static final BigDecimal OUT = new BigDecimal("0.60");
    private static final BigDecimal CACHED = new BigDecimal("0.075");

    @Test
    void cachedTokensAtTheCachedPrice() {
        // 200 uncached * 0.15 + 1000 cached * 0.075 + 80 * 0.60 = 30 + 75 + 48 = 153 per million
        assertEquals(new BigDecimal("0.000153"), Pricing.cost(new Usage(1200, 80, 1000, 0), IN, OUT, CACHED, null));
    }

    @Test
    void withoutACachedPriceCachedTokensCostTheInputPrice() {
        assertEquals(new BigDecimal("0.000228"), Pricing.cost(new Usage(1200, 80, 1000, 0), IN, OUT, null, null));
    }

    @Test
    void reasoningTokensArePartOfTheCompletionAndNotCountedTwice() {
        assertEquals(
                0, new BigDecimal("0.0006").compareTo(Pricing.cost(new Usage(0, 1000, 0, 700), IN, OUT, CACHED, null)));
    }

    @Test
    void noDriftOverManyCalls() {
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < 100_000; i++) {
            sum = sum.add(Pricing.cost(new Usage(7, 3, 1, 0), IN, OUT, CACHED, null));
        }
        // per call: 6*0.15 + 1*0.075 + 3*0.60 = 2.775 per million
        assertEquals(0, new BigDecimal("0.2775").compareTo(sum));
    }

    @Test
    void unpricedModelsHaveNoCost() {
        assertNull(Pricing.cost(new Usage(10, 10, 0, 0), null, null, null, null));
    }

    @Test
    void cacheWritesAtTheCacheWritePriceAndReadsAtTheCachedPrice() {
        // Claude Sonnet 4.5: input 3, cache write 3.75, cache read 0.30, output 15 (per 1M tokens).
        // 21 plain * 3 + 188 written * 3.75 + 1800 read * 0.30 + 27 * 15 = 63 + 705 + 540 + 405 = 1713 per million
        Usage usage = new Usage(21 + 188 + 1800, 27, 1800, 0, 188);
        assertEquals(
                new BigDecimal("0.001713"),
                Pricing.cost(
                        usage,
                        new BigDecimal("3"),
                        new BigDecimal("15"),
                        new BigDecimal("0.30"),
                        new BigDecimal("3.75")));
    }

    @Test
    void withoutACacheWritePriceCacheWritesCostTheInputPrice() {
        Usage usage = new Usage(21 + 188 + 1800, 27, 1800, 0, 188);
        // 209 * 3 + 540 + 405 = 1572 per million
        assertEquals(
                new BigDecimal("0.001572"),
                Pricing.cost(usage, new BigDecimal("3"), new BigDecimal("15"), new BigDecimal("0.30"), null));
    }

    @Test
    void oneHourCacheWritesAtTheOneHourPrice() {
        // Claude Sonnet 4.5: 10,000 tokens written to the 1-hour cache at 6.00 (2 x input), 15 plain at 3, 50 out at
        // 15:
        // 60,000 + 45 + 750 = 60,795 per million. At the 5-minute price (3.75) it would be 38,295.
        Usage usage = new Usage(10_015, 50, 0, 0, 10_000, 10_000);
        assertEquals(
                new BigDecimal("0.060795"),
                Pricing.cost(
                        usage,
                        new BigDecimal("3"),
                        new BigDecimal("15"),
                        new BigDecimal("0.30"),
                        new BigDecimal("3.75"),
                        new BigDecimal("6")));
        // Split writes: 4,000 of 10,000 to the 1-hour cache.
        Usage split = new Usage(10_000, 0, 0, 0, 10_000, 4_000);
        assertEquals(
                0,
                new BigDecimal("0.0465")
                        .compareTo(Pricing.cost(
                                split,
                                new BigDecimal("3"),
                                new BigDecimal("15"),
                                null,
                                new BigDecimal("3.75"),
                                new BigDecimal("6"))),
                "6,000 x 3.75 + 4,000 x 6.00");
        // A model without a 1-hour price bills those writes as its cache writes.
        assertEquals(
                0,
                new BigDecimal("0.0375")
                        .compareTo(Pricing.cost(
                                split, new BigDecimal("3"), new BigDecimal("15"), null, new BigDecimal("3.75"), null)));
    }

    private static Candidate gpt5() {
        return new Candidate(
                "p",
                "OpenAI",
                "openai",
                50,
                true,
                "gpt-5",
                new BigDecimal("1.25"),
                new BigDecimal("10"),
                new BigDecimal("0.125"),
                null,
                null,
                90,
                Set.of("gpt-5"),
                Map.of(
                        "priority",
                        new TierPrices(new BigDecimal("2.5"), new BigDecimal("20"), new BigDecimal("0.25")),
                        "flex",
                        new TierPrices(new BigDecimal("0.625"), new BigDecimal("5"), new BigDecimal("0.0625"))));
    }

    @Test
    void theServiceTierTheVendorNamesPicksItsPrices() {
        Usage u = new Usage(2000, 1500, 1024, 0);
        // 976 x 1.25 + 1024 x 0.125 + 1500 x 10
        assertEquals(0, new BigDecimal("0.016348").compareTo(Pricing.cost(u, gpt5())));
        assertEquals(0, new BigDecimal("0.016348").compareTo(Pricing.cost(u.withServiceTier("default"), gpt5())));
        assertEquals(0, new BigDecimal("0.016348").compareTo(Pricing.cost(u.withServiceTier("scale"), gpt5())));
        // 976 x 2.5 + 1024 x 0.25 + 1500 x 20; "fast" is priority's newer name
        assertEquals(0, new BigDecimal("0.032696").compareTo(Pricing.cost(u.withServiceTier("priority"), gpt5())));
        assertEquals(0, new BigDecimal("0.032696").compareTo(Pricing.cost(u.withServiceTier("fast"), gpt5())));
        // 976 x 0.625 + 1024 x 0.0625 + 1500 x 5
        assertEquals(0, new BigDecimal("0.008174").compareTo(Pricing.cost(u.withServiceTier("flex"), gpt5())));
    }

    @Test
    void aVendorsOwnCostIsComparedWithinAMicroDollarAndOnePercent() {
        assertFalse(VendorCostCheck.differs(new BigDecimal("0.001713"), new BigDecimal("0.001713")));
        assertFalse(
                VendorCostCheck.differs(new BigDecimal("0.0000015"), new BigDecimal("0.000001")), "under $0.000001");
        assertFalse(VendorCostCheck.differs(new BigDecimal("1.005"), new BigDecimal("1.0")), "under 1 %");
        assertTrue(VendorCostCheck.differs(new BigDecimal("0.00026"), new BigDecimal("0.0002")));
    }
}
