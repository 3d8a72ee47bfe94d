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
        assertEquals("{\"a\":0.00003}", JSON.writeValueAsString(Map.of("a", Decimals.plain(new BigDecimal("0.0000300")))));
        assertEquals("{\"a\":10}", JSON.writeValueAsString(Map.of("a", Decimals.plain(new BigDecimal("1E+1")))));
        assertEquals("{\"a\":0}", JSON.writeValueAsString(Map.of("a", Decimals.plain(new BigDecimal("0.000")))));
        assertEquals(new BigDecimal("0.5"), Decimals.plain(new BigDecimal("0.50")));
    }
}
