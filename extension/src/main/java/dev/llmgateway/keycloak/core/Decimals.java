package dev.llmgateway.keycloak.core;

import java.math.BigDecimal;

public final class Decimals {

    private Decimals() {
    }

    /**
     * Without trailing zeros and never in exponent form, so JSON shows 10 rather than 1E+1 and 0.0000001 rather than
     * 1E-7 (Jackson writes a BigDecimal with its {@code toString()}).
     */
    public static BigDecimal plain(BigDecimal v) {
        if (v == null) {
            return null;
        }
        BigDecimal s = v.stripTrailingZeros();
        return new Plain(s.scale() < 0 ? s.setScale(0) : s);
    }

    /** A BigDecimal whose text is always its plain form. Arithmetic on it gives ordinary BigDecimals. */
    private static final class Plain extends BigDecimal {
        Plain(BigDecimal v) {
            super(v.unscaledValue(), v.scale());
        }

        @Override
        public String toString() {
            return toPlainString();
        }
    }
}
