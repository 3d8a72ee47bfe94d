package dev.llmgateway.keycloak.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.llmgateway.keycloak.config.LlmGatewayConfig;
import dev.llmgateway.keycloak.core.SafeText;
import org.jboss.logging.Logger;
import org.keycloak.common.ClientConnection;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.AdminEventBuilder;

/**
 * Refused gateway calls as Keycloak admin events, so they show where Keycloak admins look (Realm settings → Events →
 * Admin events) and reach the realm's event listeners (jboss-logging, SIEM forwarders).
 *
 * <p>Why admin events: Keycloak's user-event type ({@code org.keycloak.events.EventType}) is a closed enum with no
 * custom or generic member (keycloak/keycloak issue 15288 asks for one), so a user event would have to borrow a type
 * that means something else. Admin events take a custom resource type ({@code AdminEventBuilder.resource(String)}),
 * an operation ({@code ACTION}), details and a representation, and name the caller in their auth details.
 *
 * <p>Each event: resource type {@value #RESOURCE_TYPE}, operation {@code ACTION}, resource path
 * {@code llm/refusals/<reason>}, error {@code llm_<reason>}, auth details = the caller (realm, client, user, IP), and
 * the facts below as details (always stored with the event) and as the representation (stored when the realm keeps
 * admin event representations). Never a prompt, a completion or a key: values are our own names and numbers, and
 * caller text only when it names something configured (the caller checks that).
 *
 * <p>Stored only when the realm has admin events on; always sent to the realm's event listeners, as Keycloak does.
 * Written in a transaction of their own, so the refused request's rollback does not take the event with it.
 *
 * <p>Flood guard: at most one event per (realm, user, reason) per node and interval (option
 * {@code refusal-event-interval-ms}, a minute by default). Refusals in between are counted: the next event of that
 * user and reason carries {@value #SUPPRESSED} (and {@value #SUPPRESSED_SINCE}); when the user stops, a summary event
 * ({@value #SUMMARY} = true) carries the count after the interval, at the next refusal seen on the node. Suppressed
 * refusals cost one map update and nothing else.
 */
public final class GatewayEvents {

    /** The admin events' resource type. */
    public static final String RESOURCE_TYPE = "LLM_GATEWAY_REFUSAL";

    /** Resource paths start with this; search {@code llm/refusals/*} in the console for all of them. */
    public static final String PATH = "llm/refusals";

    // Detail names: the only ones an event carries.
    public static final String REASON = "reason";
    public static final String CODE = "code";
    /** The client's clientId (the auth details name its internal id, and listeners print those as clientId). */
    public static final String CLIENT = "client";

    public static final String MODEL = "model";
    public static final String POWER_LEVEL = "powerLevel";
    public static final String PROVIDER = "provider";
    public static final String PROVIDER_TYPE = "providerType";
    public static final String KEY_HINT = "keyHint";
    public static final String VENDOR_ANSWER = "vendorAnswer";
    public static final String LIMIT = "limit";
    public static final String LIMIT_VALUE = "limitValue";
    public static final String RESET = "reset";
    public static final String SUPPRESSED = "suppressed";
    public static final String SUPPRESSED_SINCE = "suppressedSince";
    public static final String SUMMARY = "summary";

    /** The details a caller of {@link #refused} may pass; others are dropped. */
    static final Set<String> CALLER_DETAILS = Set.of(
            CODE, MODEL, POWER_LEVEL, PROVIDER, PROVIDER_TYPE, KEY_HINT, VENDOR_ANSWER, LIMIT, LIMIT_VALUE, RESET);

    /** Why a call was refused: the resource path's last segment and, with {@code llm_}, the event's error. */
    public enum Reason {
        /** The power level's monthly budget is spent (429 budget_exceeded). */
        BUDGET("budget"),
        /** The model is above the power level, or unpriced under a level with a budget (403). */
        LEVEL("level"),
        /** A request, token or concurrency limit (429 rate_limit_error). */
        RATE_LIMIT("rate_limit"),
        /** The vendor refused the user's own key (BYOK). */
        BYOK_KEY("byok_key_rejected");

        private final String id;

        Reason(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public String error() {
            return "llm_" + id;
        }
    }

    /** '…' and the last four characters of a key, as crypto/KeyHints writes a hint. */
    private static final int HINT_MAX_CHARS = 5;

    private static final Logger LOG = Logger.getLogger(GatewayEvents.class);

    private static final RefusalGuard<Refusal> GUARD = new RefusalGuard<>();

    /** What one event is made of: ids only, so it can be written in another session or later. */
    record Refusal(
            String realmId,
            String userId,
            String clientId,
            String ipAddress,
            Reason reason,
            Map<String, String> details) {}

    private GatewayEvents() {}

    /**
     * Reports a refused call of {@code user} (whose access token is {@code token}) for {@code reason}. Call it on the
     * refusal path only, before answering; it returns quickly when the flood guard suppresses the event.
     *
     * @param details facts named by this class's detail constants ({@link #MODEL} only for a configured model or
     *     alias, {@link #LIMIT}, {@link #LIMIT_VALUE}, {@link #RESET}, {@link #POWER_LEVEL}, …); values that are not
     *     short printable text, or that look like a key, are left out
     */
    public static void refused(
            KeycloakSession session,
            RealmModel realm,
            UserModel user,
            AccessToken token,
            Reason reason,
            Map<String, String> details) {
        String ip = session.getContext().getConnection() == null
                ? null
                : session.getContext().getConnection().getRemoteHost();
        refused(
                session.getKeycloakSessionFactory(),
                session.getProvider(LlmGatewayConfig.class),
                new Refusal(realm.getId(), user.getId(), token.getIssuedFor(), ip, reason, clean(details)));
    }

    /**
     * A reporter for later, off the request (BYOK: the vendor's answer arrives on another thread): captures the
     * caller now, writes in its own transaction when called.
     */
    public static Reporter reporter(KeycloakSession session, RealmModel realm, UserModel user, AccessToken token) {
        KeycloakSessionFactory factory = session.getKeycloakSessionFactory();
        LlmGatewayConfig config = session.getProvider(LlmGatewayConfig.class);
        String ip = session.getContext().getConnection() == null
                ? null
                : session.getContext().getConnection().getRemoteHost();
        String realmId = realm.getId();
        String userId = user.getId();
        String clientId = token.getIssuedFor();
        long intervalMillis = config.refusalEventInterval().toMillis();
        return (reason, details) ->
                refused(factory, intervalMillis, new Refusal(realmId, userId, clientId, ip, reason, clean(details)));
    }

    /** Reports a refusal for a caller captured earlier. */
    public interface Reporter {
        void refused(Reason reason, Map<String, String> details);
    }

    private static void refused(KeycloakSessionFactory factory, LlmGatewayConfig config, Refusal refusal) {
        refused(factory, config.refusalEventInterval().toMillis(), refusal);
    }

    private static void refused(KeycloakSessionFactory factory, long intervalMillis, Refusal refusal) {
        long now = System.currentTimeMillis();
        try {
            String key = refusal.realmId() + "|" + refusal.userId() + "|"
                    + refusal.reason().id();
            RefusalGuard.Admission admission = GUARD.admit(key, refusal, now, intervalMillis);
            if (admission.emit()) {
                Map<String, String> details = new LinkedHashMap<>(refusal.details());
                if (admission.suppressed() > 0) {
                    details.put(SUPPRESSED, Integer.toString(admission.suppressed()));
                    details.put(
                            SUPPRESSED_SINCE,
                            Instant.ofEpochMilli(admission.suppressedSince()).toString());
                }
                write(factory, refusal, details);
            }
            List<RefusalGuard.Summary<Refusal>> summaries = GUARD.expired(now, intervalMillis);
            for (RefusalGuard.Summary<Refusal> s : summaries) {
                Map<String, String> details = new LinkedHashMap<>(s.last().details());
                details.put(SUMMARY, "true");
                details.put(SUPPRESSED, Integer.toString(s.suppressed()));
                details.put(
                        SUPPRESSED_SINCE,
                        Instant.ofEpochMilli(s.suppressedSince()).toString());
                write(factory, s.last(), details);
            }
        } catch (RuntimeException e) {
            // An event that cannot be written must not change the caller's answer.
            LOG.warnf(
                    "LLM gateway: could not record a refusal event (%s) of user %s: %s",
                    refusal.reason().id(), refusal.userId(), e.toString());
        }
    }

    /** One admin event, through Keycloak's own builder: stored if the realm keeps admin events, always to listeners. */
    private static void write(KeycloakSessionFactory factory, Refusal refusal, Map<String, String> details) {
        KeycloakModelUtils.runJobInTransaction(factory, s -> {
            RealmModel realm = s.realms().getRealm(refusal.realmId());
            if (realm == null) {
                return;
            }
            s.getContext().setRealm(realm);
            UserModel user = s.users().getUserById(realm, refusal.userId());
            ClientModel client = refusal.clientId() == null ? null : realm.getClientByClientId(refusal.clientId());
            if (user == null || client == null) {
                LOG.debugf("LLM gateway: refusal event of a user or client that is gone, not recorded");
                return;
            }
            Map<String, String> all = new LinkedHashMap<>();
            all.put(REASON, refusal.reason().id());
            all.put(CLIENT, client.getClientId());
            all.putAll(details);
            AdminEventBuilder event = new AdminEventBuilder(
                    realm, new AdminAuth(realm, null, user, client), s, new Connection(refusal.ipAddress()));
            event.operation(OperationType.ACTION)
                    .resource(RESOURCE_TYPE)
                    .resourcePath(PATH, refusal.reason().id())
                    .representation(all);
            all.forEach(event::detail);
            event.getEvent().setError(refusal.reason().error());
            event.success();
        });
    }

    /** The caller's details that may go into an event: known names, short printable values that are not key-like. */
    static Map<String, String> clean(Map<String, String> details) {
        Map<String, String> out = new LinkedHashMap<>();
        if (details == null) {
            return out;
        }
        details.forEach((name, value) -> {
            if (!CALLER_DETAILS.contains(name) || value == null) {
                return;
            }
            // A key hint is masked by design ('…' and at most the key's last four characters: crypto/KeyHints), so
            // looksSecret would refuse it; it is held to its own shape instead.
            boolean ok = KEY_HINT.equals(name)
                    ? value.startsWith("…") && value.length() <= HINT_MAX_CHARS && SafeText.firstForbidden(value) < 0
                    : SafeText.quotable(value);
            if (ok) {
                out.put(name, value);
            }
        });
        return out;
    }

    /** The caller's address, as the admin event's auth details show it (Keycloak's builder reads the remote host). */
    private record Connection(String address) implements ClientConnection {
        @Override
        public String getRemoteAddr() {
            return address;
        }

        @Override
        public String getRemoteHost() {
            return address;
        }
    }
}
