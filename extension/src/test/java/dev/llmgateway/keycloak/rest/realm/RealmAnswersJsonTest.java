package dev.llmgateway.keycloak.rest.realm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmgateway.keycloak.core.Candidate;
import dev.llmgateway.keycloak.core.Decimals;
import dev.llmgateway.keycloak.powerlevel.PowerLevel;
import dev.llmgateway.keycloak.usage.Budgets;
import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;

/**
 * The answers of /realms/{realm}/llm/... are records; their JSON, written by the server's own mapper (Keycloak's
 * ObjectMapperResolver: nulls left out), is the contract of docs/openapi/realm-llm-api.yaml. Each case checks the
 * text against the maps the resources built before the records (same names, same order, same omissions) and against
 * the literal JSON.
 */
class RealmAnswersJsonTest {

    private static final ObjectMapper SERVER = ObjectMapperResolver.createStreamSerializer();
    /** 2026-11-23T12:00:00Z */
    private static final long NOW = 1795435200000L;

    private static String json(Object value) throws Exception {
        return SERVER.writeValueAsString(value);
    }

    @Test
    void modelList() throws Exception {
        Candidate mini = new Candidate("p1", "OpenAI", "openai", 50, true, "gpt-4o-mini", null, null, null, null, null);
        Candidate embedding = new Candidate(
                "p1", "OpenAI", "openai", 50, true, "text-embedding-3-small", null, null, null, null, null);
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        aliases.put("fast-chat", List.of("gpt-4o-mini"));
        aliases.put("nothing-here", List.of("gpt-9"));
        aliases.put("anything", List.of("text-embedding-3-small", "gpt-4o-mini"));

        String now = json(ModelList.of(ModelList.entries(List.of(mini, embedding), aliases)));
        assertEquals(
                "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":0,"
                        + "\"owned_by\":\"openai\",\"capabilities\":[\"chat\"]},"
                        + "{\"id\":\"text-embedding-3-small\",\"object\":\"model\",\"created\":0,"
                        + "\"owned_by\":\"openai\",\"capabilities\":[\"embeddings\"]},"
                        + "{\"id\":\"fast-chat\",\"object\":\"model\",\"created\":0,\"owned_by\":\"alias\","
                        + "\"capabilities\":[\"chat\"]},"
                        + "{\"id\":\"anything\",\"object\":\"model\",\"created\":0,\"owned_by\":\"alias\","
                        + "\"capabilities\":[\"chat\",\"embeddings\"]},"
                        + "{\"id\":\"auto\",\"object\":\"model\",\"created\":0,\"owned_by\":\"alias\","
                        + "\"capabilities\":[\"chat\",\"embeddings\"]}]}",
                now);
        assertEquals("{\"object\":\"list\",\"data\":[]}", json(ModelList.of(ModelList.entries(List.of(), aliases))));
    }

    @Test
    void meWithABudget() throws Exception {
        PowerLevel level = new PowerLevel(
                "standard",
                "Standard",
                "Everyday models",
                "#0066CC",
                new BigDecimal("2.5"),
                List.of("claude-3-haiku*"),
                new BigDecimal("10"));
        BigDecimal spent = new BigDecimal("12.3400");
        String now = json(me(level, spent));
        assertEquals(json(meBefore(level, spent)), now);
        assertEquals(
                "{\"user\":{\"id\":\"u-1\",\"username\":\"demo\"},\"power_level\":{\"id\":\"standard\",\"name\":"
                        + "\"Standard\",\"description\":\"Everyday models\",\"color\":\"#0066CC\",\"price_ceiling\":2.5,\"models\":"
                        + "[\"claude-3-haiku*\"]},\"budget\":{\"currency\":\"USD\",\"month\":\"2026-11\",\"monthly_budget\":10,"
                        + "\"spent\":12.34,\"remaining\":0,\"exhausted\":true,\"resets_on\":\"2026-12-01\"},\"models\":"
                        + "[\"claude-3-haiku-20240307\",\"gpt-4o-mini\"]}",
                now);
    }

    @Test
    void meWithoutABudgetLeavesOutWhatIsNull() throws Exception {
        PowerLevel level = new PowerLevel("basic", "Basic", null, null, null, null, null);
        BigDecimal spent = new BigDecimal("0.0000300");
        String now = json(me(level, spent));
        assertEquals(json(meBefore(level, spent)), now);
        assertEquals(
                "{\"user\":{\"id\":\"u-1\",\"username\":\"demo\"},\"power_level\":{\"id\":\"basic\",\"name\":"
                        + "\"Basic\"},\"budget\":{\"currency\":\"USD\",\"month\":\"2026-11\",\"spent\":0.00003,\"exhausted\":false,"
                        + "\"resets_on\":\"2026-12-01\"},\"models\":[\"claude-3-haiku-20240307\",\"gpt-4o-mini\"]}",
                now);
    }

    private static Me me(PowerLevel level, BigDecimal spent) {
        return new Me(
                new Me.User("u-1", "demo"),
                Me.Level.of(level),
                Me.Budget.of(level.monthlyBudget(), spent, NOW),
                models());
    }

    private static TreeSet<String> models() {
        return new TreeSet<>(List.of("gpt-4o-mini", "claude-3-haiku-20240307"));
    }

    /** MeResource's map, as it was (with the user's fields in the order the docs show). */
    private static Map<String, Object> meBefore(PowerLevel level, BigDecimal spent) {
        int month = Budgets.month(NOW);
        Map<String, Object> powerLevel = new LinkedHashMap<>();
        powerLevel.put("id", level.id());
        powerLevel.put("name", level.name());
        powerLevel.put("description", level.description());
        powerLevel.put("color", level.color());
        powerLevel.put("price_ceiling", level.priceCeiling());
        powerLevel.put("models", level.models());

        Map<String, Object> budget = new LinkedHashMap<>();
        budget.put("currency", "USD");
        budget.put("month", String.format("%04d-%02d", month / 100, month % 100));
        budget.put("monthly_budget", level.monthlyBudget());
        budget.put("spent", Decimals.plain(spent));
        budget.put(
                "remaining",
                level.monthlyBudget() == null
                        ? null
                        : Decimals.plain(level.monthlyBudget().subtract(spent).max(BigDecimal.ZERO)));
        budget.put("exhausted", level.monthlyBudget() != null && spent.compareTo(level.monthlyBudget()) >= 0);
        budget.put("resets_on", Budgets.resetDate(NOW).toString());

        Map<String, Object> user = new LinkedHashMap<>();
        user.put("id", "u-1");
        user.put("username", "demo");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", user);
        out.put("power_level", powerLevel);
        out.put("budget", budget);
        out.put("models", models());
        return out;
    }

    @Test
    void usage() throws Exception {
        MeUsageResource.Tally quiet = new MeUsageResource.Tally();
        MeUsageResource.Tally busy = new MeUsageResource.Tally();
        busy.add(4, 1, 0, 1200, 300, new BigDecimal("0.00045000"), BigDecimal.ZERO);
        busy.add(2, 0, 2, 100, 50, BigDecimal.ZERO, new BigDecimal("1E-7"));
        MeUsageResource.Tally total = new MeUsageResource.Tally();
        LocalDate first = LocalDate.of(2026, 11, 22);
        for (MeUsageResource.Tally d : List.of(quiet, busy)) {
            total.add(d.calls, d.errors, d.byokCalls, d.promptTokens, d.completionTokens, d.cost, d.saved);
        }
        UsageReport report = new UsageReport(
                "USD",
                "2026-11-22",
                "2026-11-23",
                List.of(quiet.day(first), busy.day(first.plusDays(1))),
                total.totals());

        List<Map<String, Object>> days = new ArrayList<>();
        days.add(represent(quiet, dayMap("2026-11-22")));
        days.add(represent(busy, dayMap("2026-11-23")));
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("currency", "USD");
        before.put("from", "2026-11-22");
        before.put("to", "2026-11-23");
        before.put("days", days);
        before.put("totals", represent(total, new LinkedHashMap<>()));

        String now = json(report);
        assertEquals(json(before), now);
        assertEquals(
                "{\"currency\":\"USD\",\"from\":\"2026-11-22\",\"to\":\"2026-11-23\",\"days\":["
                        + "{\"day\":\"2026-11-22\",\"calls\":0,\"errors\":0,\"byok_calls\":0,\"prompt_tokens\":0,"
                        + "\"completion_tokens\":0,\"cost\":0,\"saved\":0},"
                        + "{\"day\":\"2026-11-23\",\"calls\":6,\"errors\":1,\"byok_calls\":2,\"prompt_tokens\":1300,"
                        + "\"completion_tokens\":350,\"cost\":0.00045,\"saved\":0.0000001}],"
                        + "\"totals\":{\"calls\":6,\"errors\":1,\"byok_calls\":2,\"prompt_tokens\":1300,\"completion_tokens\":350,"
                        + "\"cost\":0.00045,\"saved\":0.0000001}}",
                now);
    }

    private static Map<String, Object> dayMap(String day) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("day", day);
        return m;
    }

    /** MeUsageResource.Tally.represent, as it was. */
    private static Map<String, Object> represent(MeUsageResource.Tally t, Map<String, Object> m) {
        m.put("calls", t.calls);
        m.put("errors", t.errors);
        m.put("byok_calls", t.byokCalls);
        m.put("prompt_tokens", t.promptTokens);
        m.put("completion_tokens", t.completionTokens);
        m.put("cost", Decimals.plain(t.cost));
        m.put("saved", Decimals.plain(t.saved));
        return m;
    }

    @Test
    void route() throws Exception {
        Candidate priced = new Candidate(
                "p-1",
                "OpenAI",
                "openai",
                50,
                true,
                "gpt-4o-mini",
                new BigDecimal("0.15"),
                new BigDecimal("0.6"),
                new BigDecimal("0.075"),
                null,
                62);
        Candidate unpriced =
                new Candidate("p-2", "Internal vLLM", "custom", 10, false, "gpt-4o-mini", null, null, null, null, null);
        Route route = new Route(
                "gpt-4o-mini",
                "balanced",
                3,
                List.of(
                        Route.RouteCandidate.of(priced, "https://api.openai.com/v1", false),
                        Route.RouteCandidate.of(unpriced, "https://llm.example.com/v1", true)));

        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(routeRow(priced, "https://api.openai.com/v1", false));
        rows.add(routeRow(unpriced, "https://llm.example.com/v1", true));
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("model", "gpt-4o-mini");
        before.put("strategy", "balanced");
        before.put("max_attempts", 3);
        before.put("candidates", rows);

        String now = json(route);
        assertEquals(json(before), now);
        assertEquals(
                "{\"model\":\"gpt-4o-mini\",\"strategy\":\"balanced\",\"max_attempts\":3,\"candidates\":["
                        + "{\"provider_id\":\"p-1\",\"provider_name\":\"OpenAI\",\"provider_type\":\"openai\",\"base_url\":"
                        + "\"https://api.openai.com/v1\",\"model\":\"gpt-4o-mini\",\"input_price\":0.15,\"output_price\":0.6,"
                        + "\"cached_input_price\":0.075,\"quality\":62,\"priority\":50,\"auto_fallback\":true,\"cooling_down\":false},"
                        + "{\"provider_id\":\"p-2\",\"provider_name\":\"Internal vLLM\",\"provider_type\":\"custom\",\"base_url\":"
                        + "\"https://llm.example.com/v1\",\"model\":\"gpt-4o-mini\",\"priority\":10,\"auto_fallback\":false,"
                        + "\"cooling_down\":true}]}",
                now);
    }

    /** ServiceApiResource's row, as it was. */
    private static Map<String, Object> routeRow(Candidate c, String baseUrl, boolean coolingDown) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("provider_id", c.providerId());
        row.put("provider_name", c.providerName());
        row.put("provider_type", c.providerType());
        row.put("base_url", baseUrl);
        row.put("model", c.modelId());
        row.put("input_price", c.inputPrice());
        row.put("output_price", c.outputPrice());
        row.put("cached_input_price", c.cachedInputPrice());
        row.put("cache_write_price", c.cacheWritePrice());
        row.put("quality", c.quality());
        row.put("priority", c.priority());
        row.put("auto_fallback", c.autoFallback());
        row.put("cooling_down", coolingDown);
        return row;
    }

    @Test
    void usageAccepted() throws Exception {
        // Before, Map.of("success", true, "accepted", n): its order changed from one server start to the next.
        assertEquals("{\"success\":true,\"accepted\":3}", json(new UsageAccepted(true, 3)));
    }
}
