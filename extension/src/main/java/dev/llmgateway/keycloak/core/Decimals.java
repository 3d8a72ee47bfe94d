package dev.llmgateway.keycloak.core;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

public final class Decimals {

    private Decimals() {}

    /**
     * For answers only: without trailing zeros and never in exponent form, so JSON shows 10 rather than 1E+1 and
     * 0.0000001 rather than 1E-7 (Jackson writes a BigDecimal with its {@code toString()}). The result is a subclass of
     * BigDecimal, which JDBC drivers refuse: never store it (use {@link #stripped} for values that are kept).
     */
    public static BigDecimal plain(BigDecimal v) {
        BigDecimal s = stripped(v);
        return s == null ? null : new Plain(s);
    }

    /** Without trailing zeros and with a scale of 0 or more (10, not 1E+1); an ordinary BigDecimal. */
    public static BigDecimal stripped(BigDecimal v) {
        if (v == null) {
            return null;
        }
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /**
     * An amount of money as people read it: cents for amounts of a dollar or more; smaller amounts (test budgets,
     * cheap models) to six places without trailing zeros beyond the cents, so $0.000153 is not shown as $0.00.
     */
    public static String money(BigDecimal amount) {
        if (amount.abs().compareTo(BigDecimal.ONE) >= 0) {
            return amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
        }
        BigDecimal small = amount.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
        return (small.scale() < 2 ? small.setScale(2) : small).toPlainString();
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

    /** For record components that are also stored: writes the number in plain form ({@code @JsonSerialize(using=…)}). */
    public static final class PlainSerializer extends StdSerializer<BigDecimal> {
        public PlainSerializer() {
            super(BigDecimal.class);
        }

        @Override
        public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeNumber(stripped(value).toPlainString());
        }
    }
}
