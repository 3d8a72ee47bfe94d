package dev.llmgateway.keycloak.rest.admin;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmgateway.keycloak.core.ApiErrors;
import dev.llmgateway.keycloak.core.SafeText;
import dev.llmgateway.keycloak.usage.BudgetNoticeSettings;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.events.admin.OperationType;

/**
 * {@code /admin/realms/{realm}/llm/budget-notices}: {@code {"notify_users": true, "admin_emails": […]}}. Notices go
 * out at 80 % and 100 % of a user's monthly budget, once per month each, through the realm's SMTP settings.
 */
public class BudgetNoticesResource {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+");
    private static final int MAX_ADMIN_EMAILS = 20;
    private static final List<Integer> THRESHOLDS_PERCENT = List.of(80, 100);

    private final AdminContext ctx;

    public BudgetNoticesResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public BudgetNoticesView get() {
        ctx.requireView();
        return represent(BudgetNoticeSettings.of(ctx.realm()));
    }

    /** Absent fields keep their value. */
    @PUT
    @Produces(MediaType.APPLICATION_JSON)
    public BudgetNoticesView update(InputStream body) {
        ctx.requireManage();
        ObjectNode json = ctx.body(body);
        BudgetNoticeSettings current = BudgetNoticeSettings.of(ctx.realm());
        boolean users = current.notifyUsers();
        List<String> admins = current.adminEmails();
        var fields = json.fieldNames();
        while (fields.hasNext()) {
            String f = fields.next();
            JsonNode v = json.get(f);
            switch (f) {
                case "notify_users", "notifyUsers" -> {
                    if (!v.isBoolean()) {
                        throw ApiErrors.badRequest(f, f + " must be true or false");
                    }
                    users = v.booleanValue();
                }
                case "admin_emails", "adminEmails" -> admins = emails(f, v);
                default -> throw ApiErrors.unknownField("", f, "notify_users, admin_emails");
            }
        }
        BudgetNoticeSettings updated = new BudgetNoticeSettings(users, admins);
        updated.store(ctx.realm());
        BudgetNoticesView out = represent(updated);
        ctx.event(OperationType.UPDATE, "LLM_BUDGET_NOTICES", out, "llm", "budget-notices");
        return out;
    }

    private static List<String> emails(String field, JsonNode v) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw ApiErrors.badRequest(field, field + " must be a list of email addresses");
        }
        if (v.size() > MAX_ADMIN_EMAILS) {
            throw ApiErrors.badRequest(field, field + " takes at most " + MAX_ADMIN_EMAILS + " addresses");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            String address = e.isTextual() ? e.asText().trim() : null;
            if (address == null
                    || address.length() > 254
                    || !EMAIL.matcher(address).matches()) {
                throw ApiErrors.badRequest(
                        field,
                        "not an email address: "
                                + (address == null
                                        ? "a " + e.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " value"
                                        : SafeText.quote(address)));
            }
            if (!out.contains(address)) {
                out.add(address);
            }
        }
        return out;
    }

    private BudgetNoticesView represent(BudgetNoticeSettings s) {
        Map<String, String> smtp = ctx.realm().getSmtpConfig();
        return new BudgetNoticesView(
                s.notifyUsers(),
                s.adminEmails(),
                THRESHOLDS_PERCENT,
                smtp != null && smtp.get("host") != null && !smtp.get("host").isBlank());
    }

    /** Who gets budget notices, at which shares of the budget, and whether the realm can send mail at all. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BudgetNoticesView(
            @JsonProperty("notify_users") boolean notifyUsers,
            @JsonProperty("admin_emails") List<String> adminEmails,
            @JsonProperty("thresholds_percent") List<Integer> thresholdsPercent,
            @JsonProperty("smtp_configured") boolean smtpConfigured) {}
}
