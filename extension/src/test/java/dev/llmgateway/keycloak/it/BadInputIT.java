package dev.llmgateway.keycloak.it;

import static dev.llmgateway.keycloak.it.BadInputCases.all;
import static dev.llmgateway.keycloak.it.BadInputCases.amount;
import static dev.llmgateway.keycloak.it.BadInputCases.bool;
import static dev.llmgateway.keycloak.it.BadInputCases.choice;
import static dev.llmgateway.keycloak.it.BadInputCases.integer;
import static dev.llmgateway.keycloak.it.BadInputCases.key;
import static dev.llmgateway.keycloak.it.BadInputCases.list;
import static dev.llmgateway.keycloak.it.BadInputCases.missing;
import static dev.llmgateway.keycloak.it.BadInputCases.object;
import static dev.llmgateway.keycloak.it.BadInputCases.only;
import static dev.llmgateway.keycloak.it.BadInputCases.prose;
import static dev.llmgateway.keycloak.it.BadInputCases.secret;
import static dev.llmgateway.keycloak.it.BadInputCases.str;
import static dev.llmgateway.keycloak.it.BadInputCases.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmgateway.keycloak.it.BadInputCases.Bad;
import dev.llmgateway.keycloak.it.BadInputCases.Case;
import dev.llmgateway.keycloak.it.BadInputCases.Shape;
import dev.llmgateway.keycloak.it.BadInputCases.Target;
import dev.llmgateway.keycloak.it.LlmFixture.Identity;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.keycloak.testframework.annotations.InjectRealm;
import org.keycloak.testframework.annotations.KeycloakIntegrationTest;
import org.keycloak.testframework.realm.ManagedRealm;

/**
 * Bad input on every endpoint (issue 15): malformed, wrongly typed, out-of-range, oversized and control-character
 * input in bodies, path segments and query parameters, generated from per-endpoint field specifications
 * ({@link BadInputCases}). Each case must get a 4xx (never a 5xx, never a 2xx) with the documented JSON error naming
 * the problem, and no answer may quote a fake key the case sent. After all cases, nothing was written (the extension's
 * tables, the realm's settings and its admin events are as before) and the server still serves a valid call.
 */
@KeycloakIntegrationTest(config = LlmServerConfig.class)
class BadInputIT {

    /** Tables written by background tasks on their own schedule. */
    private static final Set<String> BACKGROUND = Set.of("LLM_TASK_RUN", "LLM_REALM_SNAPSHOT");

    @InjectRealm(config = LlmRealmConfig.class)
    ManagedRealm realm;

    @InjectRealm(ref = "other", config = LlmRealmConfig.class)
    ManagedRealm other;

    private LlmFixture fx;
    private final Map<String, Runnable> undo = new LinkedHashMap<>();
    /** The realm's settings before the cases, to put back what a wrongly accepted case changed. */
    private final Map<String, JsonNode> initial = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> badInput() {
        fx = new LlmFixture(realm, other).setUp();
        // The user's power level must reach the model: levels are set by the fixture.
        Map<String, String> before = state();
        for (String path : List.of("/budget-notices", "/byok/settings", "/routing/rules")) {
            initial.put(path, Api.parse(before.get(path)));
        }
        List<Case> cases = generate();
        System.out.println("bad-input cases: " + cases.size());
        Stream<DynamicTest> each = cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
        return Stream.concat(
                each,
                Stream.of(
                        DynamicTest.dynamicTest(
                                "after all cases: nothing was written",
                                () -> assertEquals(before, state(), "what the bad input changed")),
                        DynamicTest.dynamicTest("after all cases: the server is healthy", this::healthy)));
    }

    /** The extension's tables for the realm, the settings kept as realm attributes, and the realm's admin events. */
    private Map<String, String> state() {
        Map<String, String> s = new LinkedHashMap<>(Db.llmFingerprint(fx.realmId(), BACKGROUND));
        String admin = fx.token(Identity.REALM_ADMIN);
        for (String path : List.of("/budget-notices", "/byok/settings", "/routing/rules", "/power-levels")) {
            s.put(path, Api.get(Api.admin(fx.realmName(), path), admin).text());
        }
        s.put(
                "admin events",
                Long.toString(Db.count("select count(*) from ADMIN_EVENT_ENTITY where REALM_ID = ?", fx.realmId())));
        return s;
    }

    private void healthy() {
        Api.Reply chat = Api.post(
                fx.realmApi("/v1/chat/completions"),
                fx.token(Identity.USER),
                Map.of("model", LlmFixture.MODEL, "messages", List.of(Map.of("role", "user", "content", "Hello"))));
        assertEquals(200, chat.status(), chat.text());
        assertTrue(chat.json().path("choices").isArray(), chat.text());
        Api.Reply providers = Api.get(Api.admin(fx.realmName(), "/providers"), fx.token(Identity.REALM_ADMIN));
        assertEquals(200, providers.status(), providers.text());
        assertEquals(1, providers.json().get("total").asInt(), "only the fixture's provider: " + providers.text());
    }

    /** The other accepted spelling of a field, as the endpoints take it. */
    private static final Map<String, String> SPELLINGS =
            Map.of("type", "provider", "baseUrl", "base_url", "apiKey", "api_key");

    private void check(Case c) {
        Api.Reply r =
                Api.exchange(c.target().method(), c.url(), fx.token(c.target().caller()), c.contentType(), c.body());
        String seen = "[" + c.name() + "] HTTP " + r.status() + " " + abbreviate(r.text());
        try {
            assertTrue(r.status() >= 400 && r.status() < 500, "expected a 4xx, got " + seen);
            if (c.status() != 0) {
                assertEquals(c.status(), r.status(), seen);
            }
            String type = r.header("Content-Type");
            assertTrue(type != null && type.startsWith("application/json"), "JSON error expected: " + seen);
            JsonNode j = Api.parse(r.text());
            String message;
            String named;
            if (c.target().shape() == Shape.API) {
                assertFalse(j.path("success").asBoolean(true), "success:false expected: " + seen);
                message = j.path("error").asText("");
                named = j.path("field").asText(null);
            } else {
                JsonNode e = j.path("error");
                assertTrue(e.isObject(), "OpenAI error object expected: " + seen);
                assertTrue(e.path("type").isTextual(), "error.type: " + seen);
                assertTrue(e.has("param") && e.has("code"), "error.param and error.code always present: " + seen);
                message = e.path("message").asText("");
                named = e.path("param").asText(null);
            }
            assertFalse(message.isBlank(), "an error message: " + seen);
            if (c.field() != null) {
                // A field sent in its other accepted spelling (POST /test's "provider", "base_url") may be named so.
                String sent = SPELLINGS.getOrDefault(c.field(), c.field());
                assertTrue(
                        c.field().equals(named)
                                || sent.equals(named)
                                || message.contains(c.field())
                                || message.contains(sent),
                        "the error names '" + c.field() + "': " + seen);
            }
            for (String s : c.secrets()) {
                assertNoEcho(s, r, seen);
            }
        } finally {
            if (r.status() >= 200 && r.status() < 300) {
                Runnable u = undo.get(c.target().name());
                if (u != null) {
                    u.run();
                }
            }
        }
    }

    /** No 8 characters in a row of the key's random part appear in the answer (a truncated echo counts too). */
    private static void assertNoEcho(String secret, Api.Reply r, String seen) {
        String random = secret.substring("sk-badinput-".length());
        String all = r.text() + " " + r.headers();
        for (int i = 0; i + 8 <= random.length(); i++) {
            if (all.contains(random.substring(i, i + 8))) {
                fail("the answer quotes the key sent (" + secret + "): " + seen);
            }
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }

    // ---- the specifications ----

    private List<Case> generate() {
        BadInputCases g = new BadInputCases();
        String fake = FakeVendors.get().baseUrl("openai");
        String admin = Api.admin(fx.realmName(), "");
        String provider = admin + "/providers/" + fx.providerId();
        Identity ra = Identity.REALM_ADMIN;
        int adminMax = 65_536;

        Target create = new Target(
                "POST /providers",
                "POST",
                admin + "/providers",
                ra,
                Shape.API,
                adminMax,
                "{\"type\":\"openai\",\"apiKey\":\"sk-test-badinput-create-Pw73\",\"baseUrl\":" + str(fake)
                        + ",\"name\":\"BadInput create\",\"priority\":50,\"autoFallback\":true,\"enabled\":true,"
                        + "\"models\":[\"gpt-4o-mini\"],"
                        + "\"limits\":{\"requests_per_minute\":60,\"tokens_per_minute\":100000,\"concurrent_streams\":4}}");
        providerFields(g, create, true);
        g.add(
                create,
                create.name() + " · baseUrl · missing for type custom",
                BadInputCases.with(BadInputCases.with(create.valid(), "/type", "\"custom\""), "/baseUrl", null),
                400,
                "baseUrl",
                List.of());
        undo.put(create.name(), this::deleteStrayProviders);

        Target update = new Target(
                "PUT /providers/{id}",
                "PUT",
                provider,
                ra,
                Shape.API,
                adminMax,
                "{\"name\":" + str(LlmFixture.PROVIDER_NAME)
                        + ",\"priority\":50,\"autoFallback\":true,\"enabled\":true,\"models\":[\"gpt-4o-mini\"],"
                        + "\"limits\":{\"requests_per_minute\":60,\"tokens_per_minute\":100000,\"concurrent_streams\":4}}");
        providerFields(g, update, false);
        g.field(update, "/type", "type", only(new Bad("another type", "\"anthropic\"")));
        undo.put(update.name(), this::restoreProvider);

        Target override = new Target(
                "PUT /providers/{id}/models/{model}",
                "PUT",
                provider + "/models/" + LlmFixture.MODEL,
                ra,
                Shape.API,
                adminMax,
                "{\"inputPrice\":1,\"outputPrice\":2,\"cachedInputPrice\":0.5,\"quality\":50,\"enabled\":true}");
        for (String price : List.of("inputPrice", "outputPrice")) {
            g.field(override, "/" + price, price, all(amount("100000", 8, true, false)));
        }
        g.field(override, "/cachedInputPrice", "cachedInputPrice", amount("100000", 8, true, true));
        g.field(override, "/quality", "quality", integer(0, 100, false, true));
        g.field(override, "/enabled", "enabled", bool());
        g.unknownFields(override, "");
        g.bodies(override, true);
        undo.put(override.name(), this::restoreModel);

        Target test = new Target(
                "POST /test",
                "POST",
                admin + "/test",
                ra,
                Shape.API,
                adminMax,
                "{\"provider\":\"openai\",\"api_key\":\"sk-test-badinput-probe-Tq11\",\"base_url\":" + str(fake) + "}");
        g.field(test, "/provider", "type", all(missing(), choice(false)));
        g.field(test, "/api_key", "apiKey", all(missing(), key()));
        g.field(test, "/base_url", "baseUrl", BadInputCases.url());
        g.unknownFields(test, "");
        g.bodies(test, true);

        Target rules = new Target(
                "PUT /routing/rules",
                "PUT",
                admin + "/routing/rules",
                ra,
                Shape.API,
                adminMax,
                "{\"strategy\":\"cost\",\"aliases\":{\"badinput-alias\":[\"gpt-4o-mini\",\"gpt-4o\"]},"
                        + "\"retry\":{\"max_attempts\":3,\"cooldown_after_failures\":3,\"cooldown_seconds\":30}}");
        g.field(rules, "/strategy", "strategy", choice(false));
        g.field(rules, "/aliases", "aliases", object(false));
        String aliasKey = secret();
        for (Bad name : List.of(
                new Bad("reserved name auto", "auto"),
                new Bad("name starting with a dash", "-fast"),
                new Bad("blank inside", "fast chat"),
                new Bad("emoji", "fast\ud83d\ude00"),
                new Bad("LF inside", "fast\nchat"),
                new Bad("NUL inside", "fast\u0000chat"),
                new Bad("256 characters", "a".repeat(256)),
                new Bad("a pasted key with a blank", aliasKey + " x", 400, List.of(aliasKey)))) {
            g.add(
                    rules,
                    rules.name() + " · aliases · alias name · " + name.label(),
                    "{\"aliases\":{" + str(name.raw()) + ":[\"gpt-4o-mini\"]}}",
                    400,
                    "aliases",
                    name.secrets());
        }
        List<Bad> targets = list(20, 255, false);
        targets.removeIf(b -> b.label().equals("wrong type string")); // one model id alone is fine
        targets.add(new Bad("empty array", "[]"));
        targets.add(new Bad("itself", "[\"badinput-alias\"]"));
        g.field(rules, "/aliases/badinput-alias", "aliases", targets);
        g.field(rules, "/retry", "retry", object(false));
        g.field(rules, "/retry/max_attempts", "retry.max_attempts", integer(1, 10, false, false));
        g.field(
                rules,
                "/retry/cooldown_after_failures",
                "retry.cooldown_after_failures",
                integer(1, 100, false, false));
        g.field(rules, "/retry/cooldown_seconds", "retry.cooldown_seconds", integer(0, 3600, false, false));
        g.unknownFields(rules, "");
        g.unknownFields(rules, "/retry");
        g.bodies(rules, true);
        undo.put(rules.name(), () -> restore("/routing/rules", initial.get("/routing/rules")));

        Target levels = new Target(
                "PUT /power-levels",
                "PUT",
                admin + "/power-levels",
                ra,
                Shape.API,
                adminMax,
                "{\"default\":\"std\",\"levels\":[{\"id\":\"std\",\"name\":\"Standard\",\"description\":\"Everyone\","
                        + "\"color\":\"#3B82F6\",\"price_ceiling\":10,\"models\":[\"*\"],\"monthly_budget\":100,"
                        + "\"limits\":{\"requests_per_minute\":60,\"tokens_per_minute\":100000,\"concurrent_streams\":4}}]}");
        List<Bad> levelLists = object(false);
        levelLists.removeIf(b -> b.label().endsWith("array"));
        levelLists.add(new Bad("empty", "[]"));
        levelLists.add(new Bad("21 levels", manyLevels(21)));
        g.field(levels, "/levels", "levels", levelLists);
        g.field(levels, "/levels/0", "levels[0]", only(new Bad("string", "\"std\""), new Bad("number", "1")));
        g.field(
                levels,
                "/levels/0/id",
                "levels[0].id",
                all(missing(), text(32, true, false), only(new Bad("upper case", "\"STD\""))));
        g.field(levels, "/levels/0/name", "levels[0].name", all(missing(), text(255, false, false)));
        g.field(levels, "/levels/0/description", "levels[0].description", prose(1024, true));
        g.field(
                levels,
                "/levels/0/color",
                "levels[0].color",
                only(
                        new Bad("a name", "\"red\""),
                        new Bad("5 digits", "\"#12345\""),
                        new Bad("not hex", "\"#GGGGGG\""),
                        new Bad("number", "3355443"),
                        new Bad("LF inside", "\"#3B\\n82F6\"")));
        g.field(levels, "/levels/0/price_ceiling", "levels[0].price_ceiling", amount("1000000", 8, true, true));
        g.field(levels, "/levels/0/monthly_budget", "levels[0].monthly_budget", amount("1000000", 4, true, true));
        g.field(levels, "/levels/0/models", "levels[0].models", list(200, 255, true));
        limitFields(g, levels, "/levels/0/limits", "levels[0].limits");
        g.unknownFields(levels, "/levels/0/limits");
        String levelKey = secret();
        g.field(
                levels,
                "/default",
                "default",
                all(
                        missing(),
                        only(
                                new Bad("null", "null"),
                                new Bad("not a level", "\"gold\""),
                                new Bad("number", "5"),
                                new Bad("array", "[\"std\"]"),
                                new Bad("a pasted key", str(levelKey), 400, List.of(levelKey)))));
        g.unknownFields(levels, "");
        g.unknownFields(levels, "/levels/0");
        g.bodies(levels, true);
        undo.put(levels.name(), () -> Api.allowEveryModel(fx.realmName()));

        String table = "{\"models\":[{\"vendor\":\"openai\",\"id\":\"badinput-model\",\"input\":1,\"output\":2,"
                + "\"cached_input\":0.5,\"context_window\":128000}]}";
        for (String[] p :
                new String[][] {{"POST /prices/preview", "POST", "/prices/preview"}, {"PUT /prices", "PUT", "/prices"}
                }) {
            Target prices = new Target(p[0], p[1], admin + p[2], ra, Shape.API, BadInputCases.TEN_MIB, table);
            List<Bad> modelLists = object(false);
            modelLists.removeIf(b -> b.label().endsWith("array"));
            g.field(prices, "/models", "models", modelLists);
            g.field(
                    prices,
                    "/models/0",
                    "models[0]",
                    only(
                            new Bad("string", "\"x\""),
                            new Bad("number", "1"),
                            new Bad("null", "null"),
                            new Bad("array", "[]")));
            g.field(prices, "/models/0/vendor", "models[0].vendor", all(missing(), choice(false)));
            g.field(prices, "/models/0/id", "models[0].id", all(missing(), text(255, false, false)));
            for (String f : List.of("input", "output")) {
                g.field(prices, "/models/0/" + f, "models[0]." + f, all(missing(), price(false)));
            }
            g.field(prices, "/models/0/cached_input", "models[0].cached_input", price(true));
            g.field(
                    prices,
                    "/models/0/context_window",
                    "models[0].context_window",
                    integer(1, 2147483647, false, true));
            g.field(prices, "/models/0/service_tiers", "models[0].service_tiers", object(true));
            g.add(
                    prices,
                    prices.name() + " · models · the same model twice",
                    "{\"models\":[" + table.substring(11, table.length() - 2) + ","
                            + table.substring(11, table.length() - 2) + "]}",
                    400,
                    "models[1].id",
                    List.of());
            g.unknownFields(prices, "");
            g.unknownFields(prices, "/models/0");
            g.bodies(prices, true);
            g.add(prices, prices.name() + " · empty object", "{}", 400, null, List.of());
            undo.put(prices.name(), this::resetPrices);
        }

        Target notices = new Target(
                "PUT /budget-notices",
                "PUT",
                admin + "/budget-notices",
                ra,
                Shape.API,
                adminMax,
                "{\"notify_users\":true,\"admin_emails\":[\"ops@example.org\"]}");
        g.field(notices, "/notify_users", "notify_users", bool());
        String mailKey = secret();
        List<Bad> emails = wrongTypes("array", "null");
        emails.addAll(only(
                new Bad("number item", "[1]"),
                new Bad("no at sign", "[\"ops.example.org\"]"),
                new Bad("no dot in the domain", "[\"ops@example\"]"),
                new Bad("two at signs", "[\"a@b@example.org\"]"),
                new Bad("CRLF header injection", "[\"ops@example.org\\r\\nBcc: x@example.org\"]"),
                new Bad("NUL inside", "[\"ops\\u0000x@example.org\"]"),
                new Bad("RTL override inside", "[\"ops\\u202ex@example.org\"]"),
                new Bad("over 254 characters", "[\"" + "a".repeat(250) + "@example.org\"]"),
                new Bad("21 addresses", manyEmails(21)),
                new Bad("a pasted key", "[" + str(mailKey) + "]", 400, List.of(mailKey))));
        g.field(notices, "/admin_emails", "admin_emails", emails);
        g.unknownFields(notices, "");
        g.bodies(notices, true);
        undo.put(notices.name(), this::restoreNotices);

        Target byok = new Target(
                "PUT /byok/settings",
                "PUT",
                admin + "/byok/settings",
                ra,
                Shape.API,
                adminMax,
                "{\"provider_types\":[\"openai\"],\"fallback_to_organization_key\":false}");
        String typeKey = secret();
        List<Bad> types = wrongTypes("array", "null");
        types.addAll(only(
                new Bad("unknown type", "[\"skynet\"]"),
                new Bad("number item", "[1]"),
                new Bad("null item", "[null]"),
                new Bad("LF inside", "[\"open\\nai\"]"),
                new Bad("a pasted key", "[" + str(typeKey) + "]", 400, List.of(typeKey))));
        g.field(byok, "/provider_types", "provider_types", types);
        g.field(byok, "/fallback_to_organization_key", "fallback_to_organization_key", bool());
        g.unknownFields(byok, "");
        g.bodies(byok, true);
        undo.put(byok.name(), this::restoreByok);

        // The gateway: OpenAI's error shape; fields other than these go to the vendor as given.
        Target chat = new Target(
                "POST /v1/chat/completions",
                "POST",
                fx.realmApi("/v1/chat/completions"),
                Identity.USER,
                Shape.OPENAI,
                LlmServerConfig.GATEWAY_MAX_BODY_BYTES,
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}");
        List<Bad> models = all(missing(), wrongTypes("string"));
        models.add(new Bad("empty", "\"\""));
        models.add(new Bad("blank", "\"   \""));
        for (Bad b : text(300, true, false)) {
            if (b.label().contains("inside")
                    || b.label().startsWith("over")
                    || b.label().equals("emoji")) {
                models.add(new Bad(b.label(), b.raw(), 0, List.of()));
            }
        }
        String modelKey = secret();
        models.add(new Bad("unknown model", "\"no-such-model\"", 404, List.of()));
        models.add(new Bad("a pasted key", str(modelKey), 404, List.of(modelKey)));
        g.field(chat, "/model", "model", models);
        g.field(
                chat,
                "/messages",
                "messages",
                all(
                        missing(),
                        wrongTypes("array"),
                        only(
                                new Bad("empty", "[]"),
                                new Bad("number item", "[1]"),
                                new Bad("string item", "[\"hi\"]"),
                                new Bad("message without role", "[{\"content\":\"hi\"}]"),
                                new Bad("role not a string", "[{\"role\":5,\"content\":\"hi\"}]"))));
        g.field(chat, "/stream", "stream", bool());
        g.bodies(chat, false);
        g.hugeBody(chat);

        Target myKey = new Target(
                "PUT /me/keys/{type}",
                "PUT",
                fx.realmApi("/me/keys/openai"),
                Identity.USER,
                Shape.API,
                adminMax,
                "{\"apiKey\":\"sk-test-badinput-own-Yy31\"}");
        g.field(myKey, "/apiKey", "apiKey", all(missing(), key()));
        String twice = secret();
        g.add(
                myKey,
                myKey.name() + " · apiKey and api_key both",
                "{\"apiKey\":\"sk-test-badinput-own-Yy31\",\"api_key\":" + str(twice) + "}",
                400,
                "apiKey",
                List.of(twice));
        g.unknownFields(myKey, "");
        g.bodies(myKey, true);
        g.hugeBody(myKey);
        undo.put(myKey.name(), this::deleteOwnKey);

        String userId = fx.userId("plainuser");
        Target route = new Target(
                "POST /route",
                "POST",
                fx.realmApi("/route"),
                Identity.LLM_SERVICE,
                Shape.API,
                adminMax,
                "{\"model\":\"gpt-4o-mini\",\"user_id\":" + str(userId) + "}");
        List<Bad> routeModels = all(
                missing(),
                wrongTypes("string"),
                only(
                        new Bad("empty", "\"\""),
                        new Bad("blank", "\"   \""),
                        new Bad("256 characters", str("m".repeat(256)))));
        String routeKey = secret();
        routeModels.add(new Bad("unknown model", "\"no-such-model\"", 404, List.of()));
        routeModels.add(new Bad("a pasted key", str(routeKey), 404, List.of(routeKey)));
        g.field(route, "/model", "model", routeModels);
        String userKey = secret();
        g.field(
                route,
                "/user_id",
                "user_id",
                all(
                        wrongTypes("string", "null"),
                        only(
                                new Bad("empty", "\"\""),
                                new Bad("no such user", "\"no-such-user\""),
                                new Bad("a pasted key", str(userKey), 400, List.of(userKey)))));
        g.bodies(route, true);

        Target events = new Target(
                "POST /usage/events",
                "POST",
                fx.realmApi("/usage/events"),
                Identity.LLM_SERVICE,
                Shape.API,
                adminMax,
                "{\"events\":[{\"model\":\"gpt-4o-mini\",\"provider_id\":" + str(fx.providerId()) + ",\"user_id\":"
                        + str(userId) + ",\"prompt_tokens\":100,\"completion_tokens\":20,\"cached_tokens\":10,"
                        + "\"cache_write_tokens\":5,\"reasoning_tokens\":3,\"status\":200,\"latency_ms\":120,"
                        + "\"byok\":false}]}");
        List<Bad> eventLists = all(missing(), wrongTypes("array"));
        eventLists.add(new Bad("empty", "[]"));
        eventLists.add(new Bad("1001 events", "[" + "{},".repeat(1000) + "{}]"));
        g.field(events, "/events", "events", eventLists);
        g.field(
                events,
                "/events/0",
                "events[0]",
                only(
                        new Bad("string", "\"x\""),
                        new Bad("number", "1"),
                        new Bad("null", "null"),
                        new Bad("array", "[]")));
        g.field(events, "/events/0/model", "events[0].model", all(missing(), text(255, false, false)));
        // Without provider_id an event for a model the realm does not price is accepted (unpriced): its id must
        // still be clean, as it goes into the ledger and the CSV export.
        Target unpriced = new Target(
                "POST /usage/events (unpriced)",
                events.method(),
                events.url(),
                events.caller(),
                events.shape(),
                adminMax,
                BadInputCases.with(events.valid(), "/events/0/provider_id", null));
        List<Bad> dirty = text(255, false, false);
        dirty.removeIf(b -> !b.label().endsWith("inside"));
        g.field(unpriced, "/events/0/model", "events[0].model", dirty);
        String eventProvider = secret();
        g.field(
                events,
                "/events/0/provider_id",
                "events[0].provider_id",
                all(
                        wrongTypes("string", "null"),
                        only(
                                new Bad("empty", "\"\""),
                                new Bad("no such provider", "\"no-such-provider\""),
                                new Bad("another realm's provider", str(fx.foreignProviderId())),
                                new Bad("a pasted key", str(eventProvider), 400, List.of(eventProvider)))));
        String eventUser = secret();
        g.field(
                events,
                "/events/0/user_id",
                "events[0].user_id",
                all(
                        wrongTypes("string", "null"),
                        only(
                                new Bad("empty", "\"\""),
                                new Bad("no such user", "\"no-such-user\""),
                                new Bad("a pasted key", str(eventUser), 400, List.of(eventUser)))));
        for (String f : List.of("prompt_tokens", "completion_tokens")) {
            g.field(events, "/events/0/" + f, "events[0]." + f, all(missing(), integer(0, 100_000_000L, false, false)));
        }
        g.field(
                events,
                "/events/0/cached_tokens",
                "events[0].cached_tokens",
                all(integer(0, 100_000_000L, false, false), only(new Bad("more than prompt_tokens", "101"))));
        g.field(
                events,
                "/events/0/cache_write_tokens",
                "events[0].cache_write_tokens",
                only(new Bad("with cached_tokens more than prompt_tokens", "91"), new Bad("negative", "-1")));
        g.field(
                events,
                "/events/0/reasoning_tokens",
                "events[0].reasoning_tokens",
                integer(0, 100_000_000L, false, false));
        g.field(events, "/events/0/status", "events[0].status", integer(100, 599, false, false));
        g.field(events, "/events/0/latency_ms", "events[0].latency_ms", integer(0, 86_400_000L, false, false));
        long now = System.currentTimeMillis();
        g.field(
                events,
                "/events/0/timestamp",
                "events[0].timestamp",
                only(
                        new Bad("40 days ago", Long.toString(now - 40L * 86_400_000)),
                        new Bad("an hour ahead", Long.toString(now + 3_600_000)),
                        new Bad("seconds, not milliseconds", Long.toString(now / 1000)),
                        new Bad("a date string", "\"2026-11-30T10:00:00Z\""),
                        new Bad("1e99999", "1e99999")));
        g.field(events, "/events/0/byok", "events[0].byok", bool());
        g.unknownFields(events, "/events/0");
        g.bodies(events, true);

        for (String path : List.of("/limits/clients/admin-cli", "/limits/users/" + fx.userId("plainuser"))) {
            Target limitOverride = new Target(
                    "PUT " + path.replaceAll("/users/.*", "/users/{id}"),
                    "PUT",
                    admin + path,
                    ra,
                    Shape.API,
                    adminMax,
                    "{\"requests_per_minute\":1000000,\"tokens_per_minute\":2000000000,\"concurrent_streams\":100000}");
            g.field(
                    limitOverride,
                    "/requests_per_minute",
                    "limits.requests_per_minute",
                    integer(0, 1_000_000, false, true));
            g.field(
                    limitOverride,
                    "/tokens_per_minute",
                    "limits.tokens_per_minute",
                    integer(0, 2_000_000_000, false, true));
            g.field(
                    limitOverride,
                    "/concurrent_streams",
                    "limits.concurrent_streams",
                    integer(0, 100_000, false, true));
            g.unknownFields(limitOverride, "");
            g.bodies(limitOverride, true);
        }

        pathsAndQueries(g, admin, provider);
        return g.cases;
    }

    /** A rate-limits object ({@code null} or absent: none) and its three whole-number kinds. */
    private static void limitFields(BadInputCases g, Target t, String pointer, String field) {
        g.field(t, pointer, field, object(true));
        g.field(
                t,
                pointer + "/requests_per_minute",
                field + ".requests_per_minute",
                integer(0, 1_000_000, false, true));
        g.field(
                t,
                pointer + "/tokens_per_minute",
                field + ".tokens_per_minute",
                integer(0, 2_000_000_000, false, true));
        g.field(t, pointer + "/concurrent_streams", field + ".concurrent_streams", integer(0, 100_000, false, true));
    }

    /** A price of a price table: a JSON number (no strings), any number of decimals. */
    private static List<Bad> price(boolean nullable) {
        List<Bad> out = amount("100000", 12, false, nullable);
        out.removeIf(b -> b.label().equals("too many decimals"));
        return out;
    }

    private static List<Bad> wrongTypes(String... except) {
        return BadInputCases.wrongTypes(except);
    }

    /** The fields of a provider, for create (required ones may be missing) and update (all optional). */
    private static void providerFields(BadInputCases g, Target t, boolean create) {
        if (create) {
            g.field(t, "/type", "type", all(missing(), choice(false)));
            g.field(t, "/apiKey", "apiKey", all(missing(), key()));
        } else {
            List<Bad> keys = key();
            keys.removeIf(b -> b.label().equals("wrong type null")); // null: keep the stored key
            g.field(t, "/apiKey", "apiKey", keys);
        }
        g.field(t, "/name", "name", text(255, false, true));
        g.field(t, "/baseUrl", "baseUrl", BadInputCases.url());
        List<Bad> priority = integer(1, 100, true, true);
        priority.add(new Bad("numeric string out of range", "\"101\""));
        g.field(t, "/priority", "priority", priority);
        g.field(t, "/autoFallback", "autoFallback", bool());
        g.field(t, "/enabled", "enabled", bool());
        g.field(t, "/models", "models", list(2000, 255, true));
        limitFields(g, t, "/limits", "limits");
        g.unknownFields(t, "");
        g.unknownFields(t, "/limits");
        g.bodies(t, true);
        if (create) {
            g.hugeBody(t);
        }
    }

    /** Bad path segments on every endpoint that takes one, and bad query parameters. */
    private void pathsAndQueries(BadInputCases g, String admin, String provider) {
        Identity ra = Identity.REALM_ADMIN;
        Target get = new Target("GET admin", "GET", admin, ra, Shape.API, 0, null);
        Target put = new Target("PUT admin", "PUT", admin, ra, Shape.API, 0, null);
        Target del = new Target("DELETE admin", "DELETE", admin, ra, Shape.API, 0, null);
        Target post = new Target("POST admin", "POST", admin, ra, Shape.API, 0, null);
        Target gw = new Target("GET /v1", "GET", "", Identity.USER, Shape.OPENAI, 0, null);
        Target keysPut = new Target("PUT /me/keys", "PUT", "", Identity.USER, Shape.API, 0, null);
        Target keysDel = new Target("DELETE /me/keys", "DELETE", "", Identity.USER, Shape.API, 0, null);
        Target keysTest = new Target("POST /me/keys", "POST", "", Identity.USER, Shape.API, 0, null);
        byte[] priority = BadInputCases.bytes("{\"priority\":50}");
        byte[] quality = BadInputCases.bytes("{\"quality\":50}");
        byte[] ownKey = BadInputCases.bytes("{\"apiKey\":\"sk-test-badinput-own-Yy31\"}");
        for (String[] seg : segments()) {
            String s = seg[1];
            List<String> secrets = seg.length > 2 ? List.of(seg[2]) : List.of();
            String label = " · path segment · " + seg[0];
            g.url(get, "GET /providers/{id}" + label, admin + "/providers/" + s, null, 404, null, secrets);
            g.url(put, "PUT /providers/{id}" + label, admin + "/providers/" + s, priority, 404, null, secrets);
            g.url(del, "DELETE /providers/{id}" + label, admin + "/providers/" + s, null, 404, null, secrets);
            g.url(
                    post,
                    "POST /providers/{id}/test" + label,
                    admin + "/providers/" + s + "/test",
                    null,
                    404,
                    null,
                    secrets);
            g.url(
                    put,
                    "PUT /providers/{id}/models/{model}" + label,
                    provider + "/models/" + s,
                    quality,
                    404,
                    null,
                    secrets);
            g.url(gw, "GET /v1/models/{id}" + label, fx.realmApi("/v1/models/" + s), null, 404, "model", secrets);
            g.url(gw, "GET /v1/{unknown}" + label, fx.realmApi("/v1/" + s), null, 404, null, secrets);
            g.url(keysPut, "PUT /me/keys/{type}" + label, fx.realmApi("/me/keys/" + s), ownKey, 404, "type", secrets);
            g.url(keysDel, "DELETE /me/keys/{type}" + label, fx.realmApi("/me/keys/" + s), null, 404, null, secrets);
            g.url(
                    keysTest,
                    "POST /me/keys/{type}/test" + label,
                    fx.realmApi("/me/keys/" + s + "/test"),
                    null,
                    404,
                    null,
                    secrets);
        }
        g.url(
                keysPut,
                "PUT /me/keys/{type} · a type the realm takes no keys for",
                fx.realmApi("/me/keys/anthropic"),
                ownKey,
                400,
                "type",
                List.of());

        String key = secret();
        String usage = admin + "/usage";
        for (String base : List.of(usage, usage + "/export")) {
            String n = "GET " + base.substring(admin.length());
            for (String[] q : new String[][] {
                {"unknown period", "period=week", "period"},
                {"empty period", "period=", "period"},
                {"period 1e99999", "period=1e99999", "period"},
                {"period with LF inside", "period=7%0Ad", "period"},
                {"period a pasted key", "period=" + key, "period"},
                {"period twice", "period=7d&period=30d", "period"},
                {"unknown parameter", "perod=7d", "perod"},
                {"parameter named like a key", key + "=1", null},
                {"empty provider", "provider=", "provider"},
                {"empty model", "model=%20", "model"},
                {"empty user", "user=", "user"},
                {"empty client", "client=", "client"},
                {"empty level", "level=", "level"},
                {"model over 255 characters", "model=" + "m".repeat(256), "model"},
                {"client over 255 characters", "client=" + "c".repeat(256), "client"}
            }) {
                g.url(get, n + " · " + q[0], base + "?" + q[1], null, 400, q[2], List.of(key));
            }
        }
        g.url(get, "GET /usage/export · unknown kind", usage + "/export?kind=raw", null, 400, "kind", List.of());
        g.url(
                get,
                "GET /usage/export · kind a pasted key",
                usage + "/export?kind=" + key,
                null,
                400,
                "kind",
                List.of(key));
        g.url(get, "GET /stats · any parameter", admin + "/stats?period=7d", null, 400, "period", List.of());
        g.url(
                get,
                "GET /stats · parameter named like a key",
                admin + "/stats?" + key + "=1",
                null,
                400,
                null,
                List.of(key));
        for (String[] q : new String[][] {
            {"from not a date", "from=yesterday", "from"},
            {"from month 13", "from=2026-13-01", "from"},
            {"from a pasted key", "from=" + key, "from"},
            {"to not a date", "to=2026-02-30", "to"},
            {"from after to", "from=2026-11-02&to=2026-11-01", "from"},
            {"first negative", "first=-1", "first"},
            {"first letters", "first=abc", "first"},
            {"first 2147483648", "first=2147483648", "first"},
            {"max zero", "max=0", "max"},
            {"max 101", "max=101", "max"},
            {"max letters", "max=ten", "max"},
            {"max 1e99999", "max=1e99999", "max"}
        }) {
            g.url(get, "GET /byok · " + q[0], admin + "/byok?" + q[1], null, 400, q[2], List.of(key));
        }
        Target me = new Target("GET /me/usage", "GET", "", Identity.USER, Shape.API, 0, null);
        for (String[] q : new String[][] {
            {"letters", "abc"},
            {"zero", "0"},
            {"negative", "-1"},
            {"367", "367"},
            {"2147483648", "2147483648"},
            {"1e99999", "1e99999"},
            {"fraction", "1.5"},
            {"LF", "7%0A1"},
            {"a pasted key", key}
        }) {
            g.url(
                    me,
                    "GET /me/usage · days " + q[0],
                    fx.realmApi("/me/usage?days=" + q[1]),
                    null,
                    400,
                    "days",
                    List.of(key));
        }
    }

    /** Path segments: label, the encoded segment, and the key it holds if any. */
    private static List<String[]> segments() {
        String key = secret();
        List<String[]> out = new ArrayList<>();
        out.add(new String[] {"CR", "a%0Db"});
        out.add(new String[] {"LF", "a%0Ab"});
        out.add(new String[] {"NUL", "a%00b"});
        out.add(new String[] {"RTL override", "a%E2%80%AEb"});
        out.add(new String[] {"emoji", "a%F0%9F%98%80b"});
        out.add(new String[] {"lone surrogate as UTF-8", "a%ED%A0%80b"});
        out.add(new String[] {"invalid UTF-8", "a%FF%FEb"});
        out.add(new String[] {"3000 characters", "x".repeat(3000)});
        out.add(new String[] {"encoded slash", "a%2Fb"});
        out.add(new String[] {"quote and markup", "%22%3Cscript%3E"});
        out.add(new String[] {"a pasted key", URLEncoder.encode(key, StandardCharsets.UTF_8), key});
        return out;
    }

    private static String manyLevels(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"l").append(i).append("\",\"name\":\"L\",\"models\":[\"*\"]}");
        }
        return b.append(']').toString();
    }

    private static String manyEmails(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"ops").append(i).append("@example.org\"");
        }
        return b.append(']').toString();
    }

    // ---- undoing what a wrongly accepted case wrote, so later cases and the final checks see the fixture ----

    private void deleteStrayProviders() {
        String token = fx.token(Identity.REALM_ADMIN);
        for (JsonNode p :
                Api.get(Api.admin(fx.realmName(), "/providers"), token).json().get("providers")) {
            if (!p.get("id").asText().equals(fx.providerId())) {
                Api.delete(Api.admin(fx.realmName(), "/providers/" + p.get("id").asText()), token);
            }
        }
    }

    private void restoreProvider() {
        Api.put(
                Api.admin(fx.realmName(), "/providers/" + fx.providerId()),
                fx.token(Identity.REALM_ADMIN),
                Map.of(
                        "name",
                        LlmFixture.PROVIDER_NAME,
                        "apiKey",
                        LlmFixture.PROVIDER_KEY,
                        "baseUrl",
                        FakeVendors.get().baseUrl("openai"),
                        "priority",
                        50,
                        "autoFallback",
                        true,
                        "enabled",
                        true,
                        "models",
                        List.of(LlmFixture.MODEL)));
    }

    private void restoreModel() {
        Api.put(
                Api.admin(fx.realmName(), "/providers/" + fx.providerId() + "/models/" + LlmFixture.MODEL),
                fx.token(Identity.REALM_ADMIN),
                "{\"inputPrice\":null,\"outputPrice\":null,\"cachedInputPrice\":null,\"quality\":null,\"enabled\":true}");
    }

    private void resetPrices() {
        Api.delete(Api.admin(fx.realmName(), "/prices"), fx.token(Identity.REALM_ADMIN));
    }

    private void restoreNotices() {
        JsonNode was = initial.get("/budget-notices");
        restore(
                "/budget-notices",
                Map.of("notify_users", was.get("notify_users"), "admin_emails", was.get("admin_emails")));
    }

    private void restoreByok() {
        JsonNode was = initial.get("/byok/settings");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider_types", was.get("provider_types"));
        body.put("fallback_to_organization_key", was.get("fallback_to_organization_key"));
        restore("/byok/settings", body);
    }

    private void restore(String path, Object body) {
        Api.put(Api.admin(fx.realmName(), path), fx.token(Identity.REALM_ADMIN), body);
    }

    private void deleteOwnKey() {
        Api.delete(fx.realmApi("/me/keys/openai"), fx.token(Identity.USER));
    }
}
