package dev.llmgateway.keycloak.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.Config;
import org.keycloak.provider.ProviderConfigProperty;

/** The outbound options are read at startup: a bad entry stops the server with a message naming it. */
class OutboundOptionsTest {

    private static final String PREFIX = "llm-outbound-options-test.";

    @AfterEach
    void clear() {
        System.clearProperty(PREFIX + DefaultLlmGatewayConfigFactory.OUTBOUND_ALLOW);
        System.clearProperty(PREFIX + DefaultLlmGatewayConfigFactory.OUTBOUND_DENY);
    }

    private static DefaultLlmGatewayConfigFactory init(Map<String, String> options) {
        options.forEach((k, v) -> System.setProperty(PREFIX + k, v));
        DefaultLlmGatewayConfigFactory factory = new DefaultLlmGatewayConfigFactory();
        factory.init(new Config.SystemPropertiesScope(PREFIX));
        return factory;
    }

    @Test
    void aBadAllowEntryStopsTheStart() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> init(Map.of(DefaultLlmGatewayConfigFactory.OUTBOUND_ALLOW, "loopback,10.0.0.0/33")));
        assertEquals("option outbound-allow: '10.0.0.0/33' has a prefix length out of range (0 to 32)", e.getMessage());
    }

    @Test
    void aBadDenyEntryStopsTheStart() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> init(Map.of(DefaultLlmGatewayConfigFactory.OUTBOUND_DENY, "http://x/")));
        assertTrue(e.getMessage().startsWith("option outbound-deny: 'http://x/'"), e.getMessage());
    }

    @Test
    void theOptionsReachTheConnectionTester() {
        DefaultLlmGatewayConfigFactory factory =
                init(Map.of(DefaultLlmGatewayConfigFactory.OUTBOUND_ALLOW, "127.0.0.1"));
        LlmGatewayConfig config = factory.create(null);
        assertNull(config.outboundPolicy().saveRefusal("http://127.0.0.1:1/v1"));
        assertNotNull(config.outboundPolicy().saveRefusal("http://127.0.0.2:1/v1"));
        assertEquals(config.outboundPolicy(), config.connectionTester().policy());
    }

    @Test
    void theOptionsAreDescribed() {
        assertTrue(new DefaultLlmGatewayConfigFactory()
                .getConfigMetadata().stream()
                        .map(ProviderConfigProperty::getName)
                        .toList()
                        .containsAll(java.util.List.of(
                                DefaultLlmGatewayConfigFactory.OUTBOUND_ALLOW,
                                DefaultLlmGatewayConfigFactory.OUTBOUND_DENY)));
    }
}
