package dev.llmgateway.keycloak.gateway;

import java.net.http.HttpClient;

import dev.llmgateway.keycloak.byok.UserKeyCache;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.limits.RateLimiter;
import dev.llmgateway.keycloak.routing.CooldownTracker;
import dev.llmgateway.keycloak.routing.RoutingSnapshots;
import dev.llmgateway.keycloak.usage.Budgets;
import dev.llmgateway.keycloak.usage.UsageLedger;

/**
 * What the gateway keeps for the life of the server, per node: snapshots, cooldowns, one HTTP client, the ledger,
 * the budget tracker, users' sealed own keys, the recovery of providers in error
 * the rate limiter (whose counts are the cluster's) and the bearer tokens it verified recently.
 */
public record GatewayState(
        RoutingSnapshots snapshots,
        CooldownTracker cooldowns,
        HttpClient http,
        UsageLedger ledger,
        Budgets budgets,
        UserKeyCache userKeys,
        ProviderRecovery recovery,
        RateLimiter limiter,
        VerifiedTokens tokens) {

    /** Queues a usage event for the ledger and counts its cost towards the user's budget on this node at once. */
    public void record(UsageEvent event) {
        ledger.record(event);
        budgets.recorded(event);
    }
}
