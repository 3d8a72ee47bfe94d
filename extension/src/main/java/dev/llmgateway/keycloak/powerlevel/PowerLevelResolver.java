package dev.llmgateway.keycloak.powerlevel;

import java.util.stream.Stream;

import org.keycloak.models.GroupModel;
import org.keycloak.models.UserModel;

/**
 * A user's level: the user attribute {@value #ATTRIBUTE} when it names a level of the realm; else the highest level
 * named by the attribute on any of the user's groups (parents included); else the realm's default.
 */
public final class PowerLevelResolver {

    public static final String ATTRIBUTE = "llm_power_level";

    private PowerLevelResolver() {}

    public static PowerLevel levelOf(UserModel user, PowerLevels levels) {
        String own = user.getFirstAttribute(ATTRIBUTE);
        if (own != null && levels.rank(own) >= 0) {
            return levels.find(own).orElseThrow();
        }
        String best = null;
        int bestRank = -1;
        for (String key : (Iterable<String>)
                user.getGroupsStream().flatMap(PowerLevelResolver::withParents).map(g -> g.getFirstAttribute(ATTRIBUTE))
                        ::iterator) {
            int rank = key == null ? -1 : levels.rank(key);
            if (rank > bestRank) {
                bestRank = rank;
                best = key;
            }
        }
        return best != null ? levels.find(best).orElseThrow() : levels.defaultOne();
    }

    private static Stream<GroupModel> withParents(GroupModel group) {
        return group.getParent() == null
                ? Stream.of(group)
                : Stream.concat(Stream.of(group), withParents(group.getParent()));
    }
}
