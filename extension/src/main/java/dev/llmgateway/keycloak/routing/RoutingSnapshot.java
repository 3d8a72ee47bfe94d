package dev.llmgateway.keycloak.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.llmgateway.keycloak.byok.ByokSettings;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.ProviderEndpoint;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.powerlevel.PowerLevels;

/**
 * Everything the gateway needs to route a realm's calls, immutable, built when the realm's configuration version
 * changes: candidates (enabled models of enabled providers), endpoints, rules, power levels, BYOK policy. Providers
 * whose last test or call failed ({@code error}) stay candidates, after every healthy one: a vendor that recovers is
 * used again without an admin.
 */
public final class RoutingSnapshot {

    public static final String AUTO = "auto";

    private final String version;
    private final RoutingRules rules;
    private final PowerLevels powerLevels;
    private final ByokSettings byok;
    private final List<Candidate> all;
    private final Map<String, List<Candidate>> byModel = new HashMap<>();
    private final Map<String, ProviderEndpoint> endpoints;
    private final Set<String> unhealthy;
    /** Ordered candidates per requested name, computed once per snapshot (only for names that have candidates). */
    private final Map<String, List<Candidate>> orderedByName = new ConcurrentHashMap<>();
    /** The same, narrowed per power level. */
    private final Map<String, List<Candidate>> allowedByLevelAndName = new ConcurrentHashMap<>();

    /** @param unhealthy the providers in {@code error}: tried after every other candidate */
    public RoutingSnapshot(
            String version,
            RoutingRules rules,
            PowerLevels powerLevels,
            ByokSettings byok,
            List<Candidate> candidates,
            Map<String, ProviderEndpoint> endpoints,
            Set<String> unhealthy) {
        this.version = version;
        this.unhealthy = Set.copyOf(unhealthy);
        this.rules = rules;
        this.powerLevels = powerLevels;
        this.byok = byok;
        this.all = List.copyOf(candidates);
        this.endpoints = Map.copyOf(endpoints);
        for (Candidate c : all) {
            // Every name the model answers to finds it: a level, an alias or a caller may name the catalogue's id.
            for (String name : c.names()) {
                byModel.computeIfAbsent(name, k -> new ArrayList<>()).add(c);
            }
        }
    }

    public String version() {
        return version;
    }

    public RoutingRules rules() {
        return rules;
    }

    public PowerLevels powerLevels() {
        return powerLevels;
    }

    /** The realm's BYOK policy: which provider types take users' own keys. */
    public ByokSettings byok() {
        return byok;
    }

    /** Whether the provider's last test or call failed (it is tried after the healthy ones). */
    public boolean unhealthy(String providerId) {
        return unhealthy.contains(providerId);
    }

    public ProviderEndpoint endpoint(String providerId) {
        return endpoints.get(providerId);
    }

    public List<Candidate> all() {
        return all;
    }

    /** {@link #candidatesFor} in the realm strategy's order; memoised, so the hot path does not sort. */
    public List<Candidate> orderedCandidatesFor(String requested) {
        List<Candidate> cached = orderedByName.get(requested);
        if (cached != null) {
            return cached;
        }
        List<Candidate> candidates = candidatesFor(requested);
        if (candidates.isEmpty()) {
            return candidates;
        }
        List<Candidate> sorted = new ArrayList<>(CandidateOrder.sort(candidates, rules.routingStrategy()));
        // Healthy providers before those in error; within each, the models whose own id is the name asked for before
        // those that answer to it otherwise (a dated id, a catalogue alias); then the strategy's order (a stable sort).
        sorted.sort(Comparator.comparing((Candidate c) -> unhealthy.contains(c.providerId()))
                .thenComparing(c -> !c.modelId().equals(requested)));
        List<Candidate> ordered = List.copyOf(sorted);
        orderedByName.putIfAbsent(requested, ordered);
        return ordered;
    }

    /**
     * {@link #orderedCandidatesFor} narrowed to what a user of {@code level} may call, in the same order; memoised
     * per level and name like the order itself.
     */
    public List<Candidate> orderedCandidatesFor(String requested, PowerLevel level) {
        String key = level.id() + '\u0000' + requested;
        List<Candidate> cached = allowedByLevelAndName.get(key);
        if (cached != null) {
            return cached;
        }
        List<Candidate> ordered = orderedCandidatesFor(requested);
        if (ordered.isEmpty()) {
            return ordered;
        }
        List<Candidate> allowed =
                ordered.stream().filter(c -> powerLevels.allows(level, c)).toList();
        allowedByLevelAndName.putIfAbsent(key, allowed);
        return allowed;
    }

    /** Every candidate a user of {@code level} may call, in no particular order. */
    public List<Candidate> all(PowerLevel level) {
        return all.stream().filter(c -> powerLevels.allows(level, c)).toList();
    }

    /**
     * The candidates for a requested model: a concrete model id, an alias (its models, in the strategy's order), or
     * {@code auto} (every model). Empty when nothing matches.
     */
    public List<Candidate> candidatesFor(String requested) {
        if (AUTO.equals(requested)) {
            return all;
        }
        List<String> aliased = rules.aliases().get(requested);
        if (aliased != null) {
            Set<Candidate> out = new LinkedHashSet<>();
            aliased.forEach(m -> out.addAll(byModel.getOrDefault(m, List.of())));
            return new ArrayList<>(out);
        }
        return byModel.getOrDefault(requested, List.of());
    }
}
