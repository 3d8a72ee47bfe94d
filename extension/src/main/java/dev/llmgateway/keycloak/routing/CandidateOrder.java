package dev.llmgateway.keycloak.routing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.llmgateway.keycloak.core.Candidate;

/**
 * Orders candidates by a strategy. Pure: no Keycloak types, no I/O.
 * <ul>
 *   <li>{@code cost}: cheapest blended price first; unpriced models last.</li>
 *   <li>{@code quality}: highest quality first; unknown quality last; then cheaper first.</li>
 *   <li>{@code balanced}: the mean of normalised quality and normalised cheapness, where cheapness is measured on a
 *   log scale of the blended price (a 10x price difference counts the same at any price level) over the candidates
 *   at hand; unknown quality counts as the lowest, an unknown price as the highest.</li>
 * </ul>
 * Ties go to the higher provider priority, then to provider name and model id so the order is stable.
 */
public final class CandidateOrder {

    /** Prices below this (USD per 1M tokens, e.g. free models) are treated as this on the log scale. */
    static final double PRICE_FLOOR = 0.01;

    private static final Comparator<Candidate> TIES = Comparator.comparingInt(Candidate::priority)
            .reversed()
            .thenComparing(Candidate::providerName)
            .thenComparing(Candidate::modelId);

    private CandidateOrder() {}

    public static List<Candidate> sort(List<Candidate> candidates, RoutingStrategy strategy) {
        List<Candidate> out = new ArrayList<>(candidates);
        out.sort(
                switch (strategy) {
                    case COST -> byPrice().thenComparing(TIES);
                    case QUALITY -> byQuality().thenComparing(byPrice()).thenComparing(TIES);
                    case BALANCED -> byBalancedScore(candidates).thenComparing(TIES);
                });
        return out;
    }

    private static Comparator<Candidate> byPrice() {
        return Comparator.comparing(Candidate::blendedPrice, Comparator.nullsLast(Comparator.naturalOrder()));
    }

    private static Comparator<Candidate> byQuality() {
        return Comparator.comparing(Candidate::quality, Comparator.nullsLast(Comparator.reverseOrder()));
    }

    private static Comparator<Candidate> byBalancedScore(List<Candidate> candidates) {
        double qMin = Double.MAX_VALUE;
        double qMax = -Double.MAX_VALUE;
        double pMin = Double.MAX_VALUE;
        double pMax = -Double.MAX_VALUE;
        for (Candidate c : candidates) {
            if (c.quality() != null) {
                qMin = Math.min(qMin, c.quality());
                qMax = Math.max(qMax, c.quality());
            }
            BigDecimal p = c.blendedPrice();
            if (p != null) {
                double lp = logPrice(p);
                pMin = Math.min(pMin, lp);
                pMax = Math.max(pMax, lp);
            }
        }
        Map<Candidate, Double> scores = new HashMap<>();
        for (Candidate c : candidates) {
            double quality = c.quality() == null ? 0 : normalise(c.quality(), qMin, qMax);
            double cheapness = c.blendedPrice() == null ? 0 : 1 - normalise(logPrice(c.blendedPrice()), pMin, pMax);
            scores.put(c, (quality + cheapness) / 2);
        }
        return Comparator.comparing((Candidate c) -> scores.get(c)).reversed();
    }

    private static double logPrice(BigDecimal price) {
        return Math.log(Math.max(price.doubleValue(), PRICE_FLOOR));
    }

    /** 0..1 within [min, max]; 1 when all values are equal. */
    private static double normalise(double v, double min, double max) {
        return max <= min ? 1 : (v - min) / (max - min);
    }
}
