package dev.llmgateway.keycloak.gateway;

import java.util.List;

import dev.llmgateway.keycloak.routing.Candidate;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Narrows a caller's ordered candidates (keeping their order). Power levels plug in here; until then every
 * candidate is allowed.
 */
@FunctionalInterface
public interface CandidateFilter {

    CandidateFilter ALLOW_ALL = (realm, user, candidates) -> candidates;

    List<Candidate> allowed(RealmModel realm, UserModel user, List<Candidate> candidates);
}
