package dev.llmgateway.keycloak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;
import org.keycloak.testframework.realm.UserBuilder;

/**
 * Budget notices: at 80 % and at 100 % of the monthly budget the user and the realm's chosen admin address get an
 * email (through the realm's SMTP settings, here a sink on loopback), each once per month.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class BudgetNoticeIT {

    private static final SmtpSink SMTP = new SmtpSink();
    /** What one fake gpt-4o-mini call costs at catalogue prices: (200 × 0.15 + 1,000 × 0.075 + 80 × 0.60) / 1M. */
    private static final BigDecimal CALL_COST = new BigDecimal("0.000153");

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    private final FakeVendors vendors = FakeVendors.get();

    @AfterAll
    static void stopSink() throws IOException {
        SMTP.close();
    }

    private Api.Reply chat(String user) {
        return Api.post(
                Api.BASE + "/realms/" + realm.getName() + "/llm/v1/chat/completions",
                Api.token(realm.getName(), user, LlmRealmConfig.PASSWORD),
                Map.of("model", "gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi"))));
    }

    private void levels(BigDecimal meteredBudget) {
        Map<String, Object> metered = new HashMap<>(Map.of("id", "metered", "name", "Metered", "models", List.of("*")));
        metered.put("monthly_budget", meteredBudget);
        Api.Reply r = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                Api.masterAdminToken(),
                Map.of(
                        "default",
                        "unlimited",
                        "levels",
                        List.of(Map.of("id", "unlimited", "name", "Unlimited", "models", List.of("*")), metered)));
        assertEquals(200, r.status(), r.text());
    }

    /** Waits until the ledger has written everything so far, notices included: a later call's row is the sign. */
    private void ledgerSettled(String userId, int rows) {
        Db.waitFor(rows, "select * from LLM_USAGE_EVENT where USER_ID = ?", userId);
        String plain = realm.admin().users().search("plainuser", true).get(0).getId();
        int before = Db.query("select * from LLM_USAGE_EVENT where USER_ID = ?", plain)
                .size();
        assertEquals(200, chat("plainuser").status());
        Db.waitFor(before + 1, "select * from LLM_USAGE_EVENT where USER_ID = ?", plain);
    }

    @Test
    void theUserAndTheAdminAreToldAt80And100PercentOncePerMonth() {
        String admin = Api.masterAdminToken();
        RealmRepresentation rep = realm.admin().toRepresentation();
        rep.setSmtpServer(Map.of(
                "host",
                "127.0.0.1",
                "port",
                Integer.toString(SMTP.port()),
                "from",
                "llm-gateway@example.org",
                "fromDisplayName",
                "LLM Gateway"));
        realm.admin().update(rep);
        Api.Reply created = Api.post(
                Api.admin(realm.getName(), "/providers"),
                admin,
                Map.of(
                        "type",
                        "openai",
                        "name",
                        "Notices",
                        "apiKey",
                        "sk-test-notices",
                        "baseUrl",
                        vendors.baseUrl("openai"),
                        "models",
                        List.of("gpt-4o-mini")));
        assertEquals(201, created.status(), created.text());

        Api.Reply badEmail = Api.put(
                Api.admin(realm.getName(), "/budget-notices"), admin, Map.of("admin_emails", List.of("finops")));
        assertEquals(400, badEmail.status(), badEmail.text());
        assertEquals("admin_emails", badEmail.json().get("field").asText());
        Api.Reply settings = Api.put(
                Api.admin(realm.getName(), "/budget-notices"),
                admin,
                Map.of("admin_emails", List.of("finops@example.org")));
        assertEquals(200, settings.status(), settings.text());
        assertTrue(settings.json().get("smtp_configured").asBoolean());
        assertTrue(settings.json().get("notify_users").asBoolean(), "users are told by default");

        // Budgets are kept to four decimal places: a bad one is refused, not rounded.
        Map<String, Object> tooPrecise =
                new HashMap<>(Map.of("id", "metered", "name", "Metered", "models", List.of("*")));
        tooPrecise.put("monthly_budget", new BigDecimal("0.00018"));
        Api.Reply refused = Api.put(
                Api.admin(realm.getName(), "/power-levels"),
                admin,
                Map.of("default", "metered", "levels", List.of(tooPrecise)));
        assertEquals(400, refused.status(), refused.text());
        assertEquals("levels[0].monthly_budget", refused.json().get("field").asText());

        // Calls cost 30.6 % of this budget each: the third reaches 80 %, the fourth 100 %.
        levels(new BigDecimal("0.0005"));
        realm.addUser(UserBuilder.create("metered")
                .enabled(true)
                .email("metered@example.org")
                .name("Mete", "Red")
                .emailVerified(true)
                .password(LlmRealmConfig.PASSWORD)
                .attribute("llm_power_level", "metered"));
        String userId = realm.admin().users().search("metered", true).get(0).getId();

        assertEquals(200, chat("metered").status());
        assertEquals(200, chat("metered").status());
        ledgerSettled(userId, 2);
        assertEquals(0, SMTP.mails().size(), "61 % of the budget: no notice yet");
        assertEquals(200, chat("metered").status());
        List<SmtpSink.Mail> mails = SMTP.await(2);
        assertEquals(List.of("metered@example.org"), mails.get(0).recipients());
        assertEquals(
                "You have used 80 % of your monthly LLM budget", mails.get(0).subject());
        String body = mails.get(0).content();
        assertTrue(body.contains("Hello Mete,"), body);
        assertTrue(
                body.contains("You have used $"
                        + CALL_COST.multiply(BigDecimal.valueOf(3)).toPlainString()
                        + " of your monthly LLM budget of $0.0005 (80 %)"),
                body);
        assertTrue(
                body.contains(LocalDate.now(ZoneOffset.UTC)
                        .withDayOfMonth(1)
                        .plusMonths(1)
                        .toString()),
                "the reset date");
        assertTrue(body.contains("text/html"), "a text and an HTML part");
        assertEquals(List.of("finops@example.org"), mails.get(1).recipients());
        assertEquals(
                "[LLM budget] metered has used 80 % of their monthly budget in " + realm.getName(),
                mails.get(1).subject());

        assertEquals(200, chat("metered").status());
        mails = SMTP.await(4);
        assertEquals(
                "You have used 100 % of your monthly LLM budget", mails.get(2).subject());
        assertTrue(mails.get(2).content().contains("still work"), "a spent budget still allows the user's own keys");
        assertEquals(List.of("finops@example.org"), mails.get(3).recipients());
        assertEquals(429, chat("metered").status(), "the budget is spent");

        // A larger budget lets her go on (87 %); past 100 % again, but this month's notice is out already.
        levels(new BigDecimal("0.0007"));
        assertEquals(200, chat("metered").status());
        ledgerSettled(userId, 5);
        assertEquals(
                4,
                SMTP.mails().size(),
                "each notice once per month: "
                        + SMTP.mails().stream().map(SmtpSink.Mail::subject).toList());
        List<Object> thresholds =
                Db.query("select THRESHOLD from LLM_BUDGET_NOTICE where USER_ID = ? order by THRESHOLD", userId)
                        .stream()
                        .map(r -> r.get("THRESHOLD"))
                        .toList();
        assertEquals(
                List.of(80, 100),
                thresholds.stream().map(t -> ((Number) t).intValue()).toList());
    }
}
