package dev.llmgateway.keycloak.gateway;

import java.net.http.HttpClient;

import dev.llmgateway.keycloak.routing.CooldownTracker;
import dev.llmgateway.keycloak.routing.RoutingSnapshots;
import dev.llmgateway.keycloak.usage.UsageLedger;

/** What the gateway keeps for the life of the server, per node: snapshots, cooldowns, one HTTP client, the ledger. */
public record GatewayState(RoutingSnapshots snapshots, CooldownTracker cooldowns, HttpClient http, CandidateFilter filter,
                           UsageLedger ledger) {
}
