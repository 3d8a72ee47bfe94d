package dev.llmgateway.keycloak.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OversizeBodyRouteTest {

    @Test
    void readsQuarkusMemorySizes() {
        assertEquals(10_485_760L, OversizeBodyRoute.memorySize("10240K"));
        assertEquals(10_485_760L, OversizeBodyRoute.memorySize("10M"));
        assertEquals(2L * 1024 * 1024 * 1024, OversizeBodyRoute.memorySize("2g"));
        assertEquals(4096L, OversizeBodyRoute.memorySize(" 4096 "));
        assertThrows(IllegalArgumentException.class, () -> OversizeBodyRoute.memorySize("10X"));
    }
}
