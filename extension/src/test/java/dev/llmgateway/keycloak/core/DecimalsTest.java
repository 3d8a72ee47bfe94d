package dev.llmgateway.keycloak.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DecimalsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void amountsAreWrittenInPlainFormAtAnyMagnitude() throws Exception {
        assertEquals("{\"a\":0.0000001}", JSON.writeValueAsString(Map.of("a", Decimals.plain(new BigDecimal("1E-7")))));
        assertEquals(
                "{\"a\":0.00003}", JSON.writeValueAsString(Map.of("a", Decimals.plain(new BigDecimal("0.0000300")))));
        assertEquals("{\"a\":10}", JSON.writeValueAsString(Map.of("a", Decimals.plain(new BigDecimal("1E+1")))));
        assertEquals("{\"a\":0}", JSON.writeValueAsString(Map.of("a", Decimals.plain(new BigDecimal("0.000")))));
        assertEquals(new BigDecimal("0.5"), Decimals.plain(new BigDecimal("0.50")));
    }

    @Test
    void storedAmountsStayOrdinaryBigDecimalsAndAreWrittenPlain() throws Exception {
        BigDecimal stored = Decimals.stripped(new BigDecimal("1.50000000"));
        assertEquals(BigDecimal.class, stored.getClass(), "JDBC drivers take only BigDecimal itself");
        assertEquals("1.5", stored.toString());
        assertEquals(BigDecimal.class, Decimals.stripped(new BigDecimal("1E+1")).getClass());
        com.fasterxml.jackson.databind.module.SimpleModule m = new com.fasterxml.jackson.databind.module.SimpleModule()
                .addSerializer(BigDecimal.class, new Decimals.PlainSerializer());
        ObjectMapper plain = new ObjectMapper().registerModule(m);
        assertEquals(
                "{\"a\":0.0000001}", plain.writeValueAsString(Map.of("a", Decimals.stripped(new BigDecimal("1E-7")))));
        assertEquals("{\"a\":25}", plain.writeValueAsString(Map.of("a", new BigDecimal("25.0000"))));
    }
}
