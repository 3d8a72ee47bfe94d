package dev.llmgateway.keycloak.powerlevel;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.llmgateway.keycloak.core.Candidate;

/** A realm's power levels, lowest first, and the key of the default one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PowerLevels(
        @JsonProperty("levels") List<PowerLevel> levels,
        @JsonProperty("default") String defaultLevel) {

    public Optional<PowerLevel> find(String key) {
        return levels.stream().filter(l -> l.id().equals(key)).findFirst();
    }

    /** Position from the bottom; -1 when unknown. */
    public int rank(String key) {
        for (int i = 0; i < levels.size(); i++) {
            if (levels.get(i).id().equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a user of {@code level} may call the candidate: by the rule of the level or of any level below it. */
    public boolean allows(PowerLevel level, Candidate c) {
        int top = rank(level.id());
        for (int i = 0; i <= top; i++) {
            if (levels.get(i).allows(c)) {
                return true;
            }
        }
        return false;
    }

    public PowerLevel defaultOne() {
        return find(defaultLevel).orElse(levels.get(0));
    }
}
