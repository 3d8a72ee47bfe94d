package dev.llmgateway.keycloak.common;

import java.math.BigDecimal;

public final class Decimals {

    private Decimals() {
    }

    /** Without trailing zeros and never in exponent form, so JSON shows 10 rather than 1E+1. */
    public static BigDecimal plain(BigDecimal v) {
        if (v == null) {
            return null;
        }
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
