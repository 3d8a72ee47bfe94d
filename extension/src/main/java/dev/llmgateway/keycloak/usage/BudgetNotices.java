package dev.llmgateway.keycloak.usage;

import java.io.IOException;
import java.math.BigDecimal;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.core.UsageEvent;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.powerlevel.PowerLevelResolver;
import dev.llmgateway.keycloak.powerlevel.PowerLevelService;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.theme.FreeMarkerException;
import org.keycloak.theme.Theme;
import org.keycloak.theme.beans.MessageFormatterMethod;
import org.keycloak.theme.freemarker.FreeMarkerProvider;

/**
 * Emails users (and the realm's chosen admin addresses) when their spend this month reaches 80 % and 100 % of their
 * level's budget, each once per month. Runs on the ledger's writer thread after a batch is stored, so spend is read
 * from the shared rollups and the gateway's hot path never waits for it. "Once" holds across nodes: a notice's row is
 * inserted (unique per user, month and threshold) before the email goes out, and removed again if sending fails so
 * that the next batch retries. Uses our email theme {@value #THEME} and the realm's SMTP settings; a realm without
 * SMTP settings gets no notices and records none.
 */
public final class BudgetNotices {

    public static final String THEME = "llm-gateway";
    static final int[] THRESHOLDS = {100, 80};
    private static final Logger LOG = Logger.getLogger(BudgetNotices.class);

    private final KeycloakSessionFactory factory;

    public BudgetNotices(KeycloakSessionFactory factory) {
        this.factory = factory;
    }

    /** After a batch is stored: checks each user whose priced, non-BYOK spend it raised. */
    public void afterBatch(List<UsageEvent> batch) {
        Set<String> users = new LinkedHashSet<>();
        for (UsageEvent e : batch) {
            if (!e.byok() && e.userId() != null && e.cost() != null && e.cost().signum() > 0) {
                users.add(e.realmId() + "|" + e.userId());
            }
        }
        for (String key : users) {
            String[] parts = key.split("\\|", 2);
            try {
                KeycloakModelUtils.runJobInTransaction(factory, s -> check(s, parts[0], parts[1]));
            } catch (RuntimeException ex) {
                if (recordedElsewhere(ex)) {
                    // Another node's batch reached the same threshold at the same moment and recorded it first.
                    LOG.debugf("LLM gateway: budget notice for user %s was sent by another node", parts[1]);
                } else {
                    // The mail server refused: nothing was recorded, so the next batch tries again.
                    LOG.warnf("LLM gateway: budget notice for user %s not sent now: %s", parts[1], rootMessage(ex));
                }
            }
        }
    }

    private static void check(KeycloakSession session, String realmId, String userId) {
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm == null) {
            return;
        }
        Map<String, String> smtp = realm.getSmtpConfig();
        if (smtp == null || smtp.get("host") == null || smtp.get("host").isBlank()) {
            return;
        }
        session.getContext().setRealm(realm);
        UserModel user = session.users().getUserById(realm, userId);
        if (user == null) {
            return;
        }
        PowerLevel level = PowerLevelResolver.levelOf(user, new PowerLevelService(session, realm).get());
        BigDecimal budget = level.monthlyBudget();
        if (budget == null || budget.signum() <= 0) {
            return;
        }
        long now = System.currentTimeMillis();
        int month = Budgets.month(now);
        BigDecimal spent = Budgets.read(session, realmId, userId, month);
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        List<Integer> sent = em.createNamedQuery("llmBudgetNoticeThresholds", Integer.class)
                .setParameter("realmId", realmId)
                .setParameter("userId", userId)
                .setParameter("month", month)
                .getResultList();
        for (int threshold : THRESHOLDS) {
            if (spent.multiply(BigDecimal.valueOf(100)).compareTo(budget.multiply(BigDecimal.valueOf(threshold))) < 0) {
                continue;
            }
            // The highest threshold reached; it, or a higher one, may be out already (no 80 % notice after the 100 %
            // one, even when a larger budget brings the user back under 100 %).
            if (sent.stream().anyMatch(t -> t >= threshold)) {
                return;
            }
            // Record only this threshold, then send: if another node records it at the same moment, one of the two
            // inserts fails and only the other sends. (Recording the lower thresholds too would let a race on the
            // 80 % row undo this one, and with it the 100 % notice.)
            LlmBudgetNoticeEntity n = new LlmBudgetNoticeEntity();
            n.setId(KeycloakModelUtils.generateId());
            n.setRealmId(realmId);
            n.setUserId(userId);
            n.setMonth(month);
            n.setThreshold(threshold);
            n.setSentAt(now);
            em.persist(n);
            em.flush();
            send(session, realm, user, level, threshold, budget, spent, now);
            LOG.infof(
                    "LLM gateway: budget notice (%d %%) sent for user %s in realm %s",
                    threshold, userId, realm.getName());
            return;
        }
    }

    private static void send(
            KeycloakSession session,
            RealmModel realm,
            UserModel user,
            PowerLevel level,
            int threshold,
            BigDecimal budget,
            BigDecimal spent,
            long now) {
        BudgetNoticeSettings settings = BudgetNoticeSettings.of(realm);
        List<String[]> recipients = new ArrayList<>(); // address, "user" or "admin"
        if (settings.notifyUsers()
                && user.getEmail() != null
                && !user.getEmail().isBlank()) {
            recipients.add(new String[] {user.getEmail(), "user"});
        }
        settings.adminEmails().forEach(a -> recipients.add(new String[] {a, "admin"}));
        if (recipients.isEmpty()) {
            return;
        }
        try {
            Theme theme = session.theme().getTheme(THEME, Theme.Type.EMAIL);
            FreeMarkerProvider freeMarker = session.getProvider(FreeMarkerProvider.class);
            EmailSenderProvider sender = session.getProvider(EmailSenderProvider.class);
            for (String[] recipient : recipients) {
                boolean admin = recipient[1].equals("admin");
                Locale locale = admin ? defaultLocale(realm) : localeOf(user, realm);
                Properties messages = theme.getEnhancedMessages(realm, locale);
                Map<String, Object> attributes = new HashMap<>();
                attributes.put("msg", new MessageFormatterMethod(locale, messages));
                attributes.put(
                        "realmName",
                        realm.getDisplayName() != null
                                        && !realm.getDisplayName().isBlank()
                                ? realm.getDisplayName()
                                : realm.getName());
                attributes.put("username", user.getUsername());
                attributes.put("firstName", user.getFirstName() != null ? user.getFirstName() : user.getUsername());
                attributes.put("forAdmin", admin);
                attributes.put("threshold", threshold);
                attributes.put("levelName", level.name());
                // With the currency sign here: "${0}" in a message would be read as a reference to another message.
                attributes.put("budget", "$" + money(budget));
                attributes.put("spent", "$" + money(spent));
                attributes.put("resetDate", Budgets.resetDate(now).toString());
                String subjectKey = admin ? "llmBudgetNoticeAdminSubject" : "llmBudgetNoticeSubject";
                String subject = new MessageFormat(messages.getProperty(subjectKey, subjectKey), locale)
                        .format(new Object[] {threshold, user.getUsername(), attributes.get("realmName")});
                String text = freeMarker.processTemplate(attributes, "text/llm-budget-notice.ftl", theme);
                String html = freeMarker.processTemplate(attributes, "html/llm-budget-notice.ftl", theme);
                try {
                    sender.send(realm.getSmtpConfig(), recipient[0], subject, text, html);
                } catch (EmailException e) {
                    if (!admin) {
                        throw e; // the user's own notice: not recorded, so the next batch tries again
                    }
                    // An admin copy is best effort: retrying it would send the user's notice twice.
                    LOG.warnf(
                            "LLM gateway: admin copy of a budget notice not sent to %s: %s",
                            recipient[0], e.getMessage());
                }
            }
        } catch (IOException | FreeMarkerException | EmailException e) {
            throw new IllegalStateException("budget notice not sent: " + e.getMessage(), e);
        }
    }

    /** An integrity constraint violation (SQL state class 23): the notice's row exists already. */
    private static boolean recordedElsewhere(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static Locale localeOf(UserModel user, RealmModel realm) {
        String tag = user.getFirstAttribute(UserModel.LOCALE);
        return tag != null && !tag.isBlank() ? Locale.forLanguageTag(tag) : defaultLocale(realm);
    }

    private static Locale defaultLocale(RealmModel realm) {
        String tag = realm.getDefaultLocale();
        return tag != null && !tag.isBlank() ? Locale.forLanguageTag(tag) : Locale.ENGLISH;
    }

    static String money(BigDecimal amount) {
        return Decimals.money(amount);
    }
}
