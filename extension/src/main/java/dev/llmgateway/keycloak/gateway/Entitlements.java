package dev.llmgateway.keycloak.gateway;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Predicate;

import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.powerlevel.PowerLevelResolver;
import dev.llmgateway.keycloak.routing.RoutingSnapshot;
import dev.llmgateway.keycloak.usage.Budgets;
import dev.llmgateway.keycloak.vendor.OpenAiErrors;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorResponseException;

/**
 * What a caller may use: the candidates their power level reaches, and whether their monthly budget has room.
 * Refusals are OpenAI-style errors: 404 for a model nobody offers, 403 naming the level for a model above it, 429
 * naming the budget and its reset date.
 */
public final class Entitlements {

    private Entitlements() {}

    public static PowerLevel levelOf(UserModel user, RoutingSnapshot snapshot) {
        return PowerLevelResolver.levelOf(user, snapshot.powerLevels());
    }

    /** The ordered candidates for the requested name that the level reaches; never empty. */
    public static List<Candidate> candidates(RoutingSnapshot snapshot, PowerLevel level, String requested) {
        return candidates(snapshot, level, requested, InboundApi.CHAT);
    }

    /**
     * The candidates for {@code requested} that {@code api} can use ({@link InboundApi#serves}): a 404 when nobody offers
     * the model, a 400 when its providers offer it only for another API (an embedding model asked to chat), a 403 when
     * the level does not reach it.
     */
    public static List<Candidate> candidates(
            RoutingSnapshot snapshot, PowerLevel level, String requested, InboundApi api) {
        List<Candidate> offered = snapshot.orderedCandidatesFor(requested);
        List<Candidate> served = servedBy(offered, api);
        if (!offered.isEmpty() && served.isEmpty()) {
            throw OpenAiErrors.error(
                    400,
                    "invalid_request_error",
                    "model_not_supported",
                    "model",
                    api.notServed(SafeText.quote(requested)));
        }
        offered = served;
        if (offered.isEmpty()) {
            throw OpenAiErrors.error(
                    404,
                    "invalid_request_error",
                    "model_not_found",
                    "model",
                    "The model " + SafeText.quote(requested) + " does not exist or you do not have access to it.");
        }
        List<Candidate> allowed = servedBy(snapshot.orderedCandidatesFor(requested, level), api);
        if (allowed.isEmpty()) {
            boolean unpriced = offered.stream().allMatch(c -> c.blendedPrice() == null);
            throw OpenAiErrors.error(
                    403,
                    "permission_error",
                    "model_not_allowed",
                    "model",
                    "The model " + SafeText.quote(requested) + " is "
                            + (unpriced ? "unpriced and not named by" : "above")
                            + " your power level '" + level.name() + "' (" + reach(level) + "). "
                            + "Pick a model within your level or ask an administrator for a higher level.");
        }
        return allowed;
    }

    /** The candidates {@code api} can use, in the same order; the same list (no copy) when it can use all. */
    private static List<Candidate> servedBy(List<Candidate> candidates, InboundApi api) {
        for (Candidate c : candidates) {
            if (!api.serves(c)) {
                return candidates.stream().filter(api::serves).toList();
            }
        }
        return candidates;
    }

    /**
     * For a level with a monthly budget, the candidates whose cost is known, or that go out with the caller's own key
     * (BYOK calls never count): a model without a price would cost nothing against the budget, so a budget would not
     * limit it. Levels without a budget keep every candidate. Refuses with a 403 when nothing is left.
     */
    public static List<Candidate> pricedForBudget(
            List<Candidate> ordered, PowerLevel level, Predicate<Candidate> ownKey, String requested) {
        if (level.monthlyBudget() == null) {
            return ordered;
        }
        List<Candidate> priced = ordered.stream()
                .filter(c -> (c.inputPrice() != null && c.outputPrice() != null) || ownKey.test(c))
                .toList();
        if (priced.isEmpty()) {
            throw OpenAiErrors.error(
                    403,
                    "permission_error",
                    "model_not_priced",
                    "model",
                    "The model " + SafeText.quote(requested) + " has no price in this realm, and your power level '"
                            + level.name() + "' has a monthly budget, so its calls could not be counted. Ask an "
                            + "administrator to set its price (LLM Gateway → Providers → the model), or use your "
                            + "own key for its provider.");
        }
        return priced;
    }

    /**
     * The 429 for a caller whose level has a monthly budget they have spent, or null while it has room. The caller
     * decides: calls that can go out with the user's own keys are still allowed.
     */
    public static ErrorResponseException budgetSpent(
            KeycloakSession session, RealmModel realm, UserModel user, PowerLevel level, Budgets budgets) {
        BigDecimal budget = level.monthlyBudget();
        if (budget == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        BigDecimal spent = budgets.spentThisMonth(session, realm.getId(), user.getId(), budget, now);
        if (spent.compareTo(budget) < 0) {
            return null;
        }
        LocalDate reset = Budgets.resetDate(now);
        String message = "You have used $" + money(spent) + " of your monthly LLM budget of $" + money(budget)
                + " (power level '" + level.name() + "'). It resets on " + reset + " (UTC). Calls with your own "
                + "provider keys (LLM API keys in your account console) are still allowed.";
        return new ErrorResponseException(Response.status(429)
                .type(MediaType.APPLICATION_JSON_TYPE)
                // OpenAI's SDKs retry a 429 unless told not to; waiting will not help before the reset date.
                .header("x-should-retry", "false")
                .entity(OpenAiErrors.body("insufficient_quota", "budget_exceeded", null, message))
                .build());
    }

    /** As people read amounts: cents from a dollar up, small amounts to six places (never "$0.00 of $0.00"). */
    static String money(BigDecimal amount) {
        return Decimals.money(amount);
    }

    /** What a level reaches, in words. */
    public static String reach(PowerLevel level) {
        StringBuilder s = new StringBuilder();
        if (level.priceCeiling() != null) {
            s.append("priced models up to $")
                    .append(money(level.priceCeiling()))
                    .append(" per 1M tokens");
        }
        if (level.models() != null && !level.models().isEmpty()) {
            s.append(s.length() > 0 ? ", and " : "").append("the models ");
            List<String> named = level.models();
            s.append(String.join(", ", named.subList(0, Math.min(named.size(), 5))));
            if (named.size() > 5) {
                s.append(" and ").append(named.size() - 5).append(" more");
            }
        }
        return s.toString();
    }
}
