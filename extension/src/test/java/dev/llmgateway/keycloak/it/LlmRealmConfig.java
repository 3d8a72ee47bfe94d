package dev.llmgateway.keycloak.it;

import org.keycloak.testframework.realm.RealmBuilder;
import org.keycloak.testframework.realm.RealmConfig;
import org.keycloak.testframework.realm.UserBuilder;

/** A realm with admin events on, a full realm admin, a view-only admin and a user without admin roles. */
public class LlmRealmConfig implements RealmConfig {

    public static final String PASSWORD = "Passw0rd!";

    @Override
    public RealmBuilder configure(RealmBuilder realm) {
        return realm.adminEventsEnabled(true)
                .adminEventsDetailsEnabled(true)
                .users(
                        user("realmadmin").clientRoles("realm-management", "realm-admin"),
                        user("viewer").clientRoles("realm-management", "view-realm"),
                        user("plainuser"));
    }

    private static UserBuilder user(String name) {
        return UserBuilder.create(name)
                .enabled(true)
                .email(name + "@example.org")
                .name(name, "Test")
                .emailVerified(true)
                .password(PASSWORD);
    }
}
