package dev.llmgateway.keycloak.usage;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Compares the cost a vendor reports for a call (OpenRouter's {@code usage.cost}) with ours. A difference of more than
 * a micro-dollar and 1 % means our price for the model is stale or wrong: it is logged (at most once per model and
 * provider every ten minutes at WARN, every time at DEBUG), so an admin can fix the price. Both figures stay in the
 * ledger.
 */
public final class VendorCostCheck {

    private static final Logger LOG = Logger.getLogger(VendorCostCheck.class);
    private static final BigDecimal MICRO = new BigDecimal("0.000001");
    private static final BigDecimal ONE_PERCENT = new BigDecimal("0.01");
    private static final long WARN_EVERY_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final Map<String, Long> LAST_WARNED = new ConcurrentHashMap<>();

    private VendorCostCheck() {}

    /** Whether the two figures differ by more than a micro-dollar and 1 % of the vendor's. */
    public static boolean differs(BigDecimal ours, BigDecimal vendors) {
        BigDecimal diff = ours.subtract(vendors).abs();
        return diff.compareTo(MICRO) > 0 && diff.compareTo(vendors.abs().multiply(ONE_PERCENT)) > 0;
    }

    public static void check(
            String providerId, String providerType, String model, BigDecimal ours, BigDecimal vendors) {
        if (vendors == null) {
            return;
        }
        if (ours == null) {
            note(
                    providerId,
                    model,
                    "LLM gateway: %s provider %s reports a cost of $%s for a call to %s, which has no price here",
                    providerType,
                    providerId,
                    vendors.toPlainString(),
                    model);
            return;
        }
        if (differs(ours, vendors)) {
            note(
                    providerId,
                    model,
                    "LLM gateway: %s provider %s reports a cost of $%s for a call to %s; the gateway's prices make it $%s"
                            + " (check the model's price)",
                    providerType,
                    providerId,
                    vendors.toPlainString(),
                    model,
                    ours.stripTrailingZeros().toPlainString());
        }
    }

    private static void note(String providerId, String model, String format, Object... args) {
        long now = System.currentTimeMillis();
        String key = providerId + '|' + model;
        Long last = LAST_WARNED.get(key);
        if ((last == null || now - last >= WARN_EVERY_MILLIS) && LAST_WARNED.size() < 10_000) {
            LAST_WARNED.put(key, now);
            LOG.warnf(format, args);
        } else {
            LOG.debugf(format, args);
        }
    }
}
