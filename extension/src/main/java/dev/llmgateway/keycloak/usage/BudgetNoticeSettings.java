package dev.llmgateway.keycloak.usage;

import java.util.List;

import dev.llmgateway.keycloak.core.StringLists;
import org.keycloak.models.RealmModel;

/**
 * Who hears about budgets, per realm (realm attributes): the users themselves (default on), and optionally admin
 * addresses that get a copy of every notice.
 */
public record BudgetNoticeSettings(boolean notifyUsers, List<String> adminEmails) {

    static final String USERS_ATTRIBUTE = "llm.budget-notices.users";
    static final String ADMINS_ATTRIBUTE = "llm.budget-notices.admin-emails";

    public static BudgetNoticeSettings of(RealmModel realm) {
        String users = realm.getAttribute(USERS_ATTRIBUTE);
        String admins = realm.getAttribute(ADMINS_ATTRIBUTE);
        return new BudgetNoticeSettings(
                users == null || Boolean.parseBoolean(users), admins == null ? List.of() : StringLists.read(admins));
    }

    public void store(RealmModel realm) {
        realm.setAttribute(USERS_ATTRIBUTE, Boolean.toString(notifyUsers));
        realm.setAttribute(ADMINS_ATTRIBUTE, StringLists.write(adminEmails));
    }
}
