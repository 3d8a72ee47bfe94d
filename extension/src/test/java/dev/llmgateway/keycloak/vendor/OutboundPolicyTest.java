package dev.llmgateway.keycloak.vendor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

import dev.llmgateway.keycloak.vendor.OutboundPolicy.Category;
import dev.llmgateway.keycloak.vendor.OutboundPolicy.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutboundPolicyTest {

    private static final OutboundPolicy DEFAULTS = OutboundPolicy.defaults();

    private static byte[] ip(String literal) {
        InetAddress a = Cidr.literal(literal);
        assertNotNull(a, literal);
        return a.getAddress();
    }

    @ParameterizedTest
    @CsvSource({
        "8.8.8.8, PUBLIC",
        "1.1.1.1, PUBLIC",
        "172.15.255.255, PUBLIC",
        "172.32.0.0, PUBLIC",
        "100.63.255.255, PUBLIC",
        "100.128.0.0, PUBLIC",
        "2001:4860:4860::8888, PUBLIC",
        "127.0.0.1, LOOPBACK",
        "127.255.255.254, LOOPBACK",
        "::1, LOOPBACK",
        "10.0.0.1, PRIVATE",
        "172.16.0.1, PRIVATE",
        "172.31.255.255, PRIVATE",
        "192.168.1.1, PRIVATE",
        "100.64.0.1, PRIVATE",
        "fc00::1, PRIVATE",
        "fd12:3456::1, PRIVATE",
        "fec0::1, PRIVATE",
        "169.254.0.1, LINK_LOCAL",
        "169.254.255.255, LINK_LOCAL",
        "fe80::1, LINK_LOCAL",
        "febf::1, LINK_LOCAL",
        "169.254.169.254, METADATA",
        "169.254.170.2, METADATA",
        "fd00:ec2::254, METADATA",
        "100.100.100.200, METADATA",
        "0.0.0.0, RESERVED",
        "0.1.2.3, RESERVED",
        "::, RESERVED",
        "224.0.0.1, RESERVED",
        "239.255.255.250, RESERVED",
        "255.255.255.255, RESERVED",
        "240.0.0.1, RESERVED",
        "ff02::1, RESERVED",
        // IPv6 forms carrying an IPv4 address are judged by it.
        "::ffff:169.254.169.254, METADATA",
        "::ffff:a9fe:a9fe, METADATA",
        "::ffff:127.0.0.1, LOOPBACK",
        "::ffff:10.1.2.3, PRIVATE",
        "::ffff:0.0.0.0, RESERVED",
        "::169.254.169.254, METADATA",
        "::127.0.0.1, LOOPBACK",
        "::10.0.0.1, PRIVATE",
        "0:0:0:0:0:0:0:1, LOOPBACK",
        "64:ff9b::169.254.169.254, METADATA",
        "64:ff9b::7f00:1, LOOPBACK",
        "64:ff9b::8.8.8.8, PUBLIC"
    })
    void categories(String address, Category expected) {
        assertEquals(expected, OutboundPolicy.categorize(ip(address)), address);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://169.254.169.254/v1",
                "http://169.254.169.254/latest/meta-data/",
                "http://[::ffff:169.254.169.254]/v1",
                "http://[::ffff:a9fe:a9fe]/v1",
                "http://[::169.254.169.254]/v1",
                "http://[64:ff9b::a9fe:a9fe]/v1",
                "http://[fd00:ec2::254]/v1",
                "http://100.100.100.200/v1",
                "http://2852039166/v1", // 169.254.169.254 as one number
                "http://metadata.google.internal/v1",
                "http://METADATA.Google.Internal./v1",
                "http://metadata/v1",
                "http://0.0.0.0:1/v1",
                "http://0/v1",
                "http://[::]:1/v1",
                "http://224.0.0.1/v1",
                "http://255.255.255.255/v1",
                "http://[ff02::1]/v1",
                "http://169.254.1.1/v1",
                "http://[fe80::1]/v1",
                "http://[fe80::1%25eth0]/v1",
                "http://127.0.0.1:8080/v1",
                "http://2130706433/v1",
                "http://2130706434:1/v1",
                "http://[::1]:11434/v1",
                "http://[::ffff:127.0.0.1]/v1",
                "http://10.1.2.3/v1",
                "http://172.16.0.1/v1",
                "http://192.168.0.10:8000/v1",
                "http://100.64.1.1/v1",
                "http://[fd12::1]/v1",
                "http://localhost:11434/v1",
                "ftp://x",
                "file:///etc/passwd",
                "http://user:pw@127.0.0.1:1/",
                "https://user@example.com/v1",
                "not a url"
            })
    void refusedByDefault(String url) {
        String why = DEFAULTS.saveRefusal(url);
        assertNotNull(why, url);
        assertFalse(why.contains("listen"), why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://8.8.8.8/v1", "http://1.1.1.1:8000/v1", "https://[2001:4860:4860::8888]/v1"})
    void publicAddressesAreAllowed(String url) {
        assertNull(DEFAULTS.saveRefusal(url), url);
        assertNull(DEFAULTS.connectRefusal(URI.create(url)), url);
    }

    @Test
    void messagesNameTheOptionThatAllows() {
        assertTrue(DEFAULTS.saveRefusal("http://127.0.0.1/v1").contains(OutboundPolicy.ALLOW_FLAG));
        assertTrue(DEFAULTS.saveRefusal("http://127.0.0.1/v1").contains("loopback"));
        assertTrue(DEFAULTS.saveRefusal("http://10.0.0.1/v1").contains("'private'"));
        assertTrue(DEFAULTS.saveRefusal("http://2130706433/v1").contains("resolves to a loopback address"));
        assertTrue(DEFAULTS.saveRefusal("http://169.254.169.254/v1").contains("never"));
        assertTrue(DEFAULTS.saveRefusal("http://metadata.google.internal/v1").contains("never"));
        assertTrue(DEFAULTS.saveRefusal("http://0.0.0.0/v1").contains("never"));
    }

    @Test
    void anUnresolvedHostPassesAtSaveTimeButNotAtConnectTime() {
        String url = "http://no-such-host.invalid/v1";
        assertNull(DEFAULTS.saveRefusal(url));
        OutboundPolicy.Refusal r = DEFAULTS.connectRefusal(URI.create(url));
        assertNotNull(r);
        assertTrue(r.unknownHost());
        assertEquals("Unknown host: no-such-host.invalid", r.reason());
    }

    @Test
    void connectTimeDecisionsAreCachedPerHost() {
        OutboundPolicy policy = OutboundPolicy.of("127.0.0.1", null);
        OutboundPolicy.Refusal first = policy.connectRefusal(URI.create("http://127.0.0.2:1/v1/models"));
        assertNotNull(first);
        assertFalse(first.unknownHost());
        assertSame(first, policy.connectRefusal(URI.create("http://127.0.0.2:2/other")), "the same host: cached");
        assertNull(policy.connectRefusal(URI.create("http://127.0.0.1:1/v1/models")));
        assertNotNull(policy.connectRefusal(URI.create("ftp://127.0.0.1/")));
        assertNotNull(policy.connectRefusal(URI.create("http://u:p@127.0.0.1/")));
    }

    @Test
    void anAllowedAddressOpensOnlyItself() {
        OutboundPolicy policy = OutboundPolicy.of("127.0.0.1", null);
        assertNull(policy.saveRefusal("http://127.0.0.1:4010/v1"));
        assertNull(policy.saveRefusal("http://2130706433:4010/v1"), "127.0.0.1 as one number");
        assertNull(policy.saveRefusal("http://[::ffff:127.0.0.1]:4010/v1"), "127.0.0.1 as an IPv4-mapped address");
        assertNotNull(policy.saveRefusal("http://127.0.0.2:4010/v1"));
        assertNotNull(policy.saveRefusal("http://2130706434:1/v1"));
        assertNotNull(policy.saveRefusal("http://[::1]:4010/v1"));
        assertNotNull(policy.saveRefusal("http://10.1.2.3/v1"));
    }

    @Test
    void theWordsLoopbackAndPrivate() {
        OutboundPolicy loopback = OutboundPolicy.of(" Loopback ", null);
        assertNull(loopback.saveRefusal("http://127.0.0.2/v1"));
        assertNull(loopback.saveRefusal("http://[::1]/v1"));
        assertNull(loopback.saveRefusal("http://localhost:11434/v1"));
        assertNotNull(loopback.saveRefusal("http://10.1.2.3/v1"));
        assertNotNull(loopback.saveRefusal("http://0.0.0.0/v1"), "the unspecified address is not loopback");

        OutboundPolicy priv = OutboundPolicy.of("private", null);
        for (String ok : List.of("10.1.2.3", "172.20.0.5", "192.168.1.20", "100.64.0.9", "[fd12::1]")) {
            assertNull(priv.saveRefusal("http://" + ok + "/v1"), ok);
        }
        for (String no : List.of("127.0.0.1", "169.254.1.1", "169.254.169.254", "100.100.100.200", "[fd00:ec2::254]")) {
            assertNotNull(priv.saveRefusal("http://" + no + "/v1"), no);
        }
    }

    @Test
    void networks() {
        OutboundPolicy policy = OutboundPolicy.of("10.0.0.0/8, 192.168.10.0/24,fd00:1234::/32", null);
        assertNull(policy.saveRefusal("http://10.200.3.4/v1"));
        assertNull(policy.saveRefusal("http://192.168.10.77/v1"));
        assertNotNull(policy.saveRefusal("http://192.168.11.1/v1"));
        assertNull(policy.saveRefusal("http://[fd00:1234:5::1]/v1"));
        assertNotNull(policy.saveRefusal("http://[fd00:1235::1]/v1"));
        assertNotNull(policy.saveRefusal("http://172.16.0.1/v1"));

        // Host bits are masked: 10.1.2.3/8 is 10.0.0.0/8.
        assertNull(OutboundPolicy.of("10.1.2.3/8", null).saveRefusal("http://10.9.9.9/v1"));
        // An IPv4-mapped network is read as the IPv4 network.
        assertNull(OutboundPolicy.of("::ffff:10.0.0.0/104", null).saveRefusal("http://10.9.9.9/v1"));
    }

    @Test
    void everythingStillRefusesLinkLocalMetadataAndReserved() {
        OutboundPolicy all = OutboundPolicy.of("0.0.0.0/0,::/0,loopback,private", null);
        assertNull(all.saveRefusal("http://10.1.2.3/v1"));
        assertNull(all.saveRefusal("http://127.0.0.1/v1"));
        for (String no : List.of(
                "169.254.1.1",
                "169.254.169.254",
                "[fe80::1]",
                "[::ffff:169.254.169.254]",
                "0.0.0.0",
                "224.0.0.1",
                "255.255.255.255",
                "[::]",
                "100.100.100.200")) {
            assertNotNull(all.saveRefusal("http://" + no + "/v1"), no);
        }
    }

    @Test
    void aLinkLocalNetworkNamedByAddressIsOpenedButNeverTheMetadataAddress() {
        OutboundPolicy policy = OutboundPolicy.of("169.254.10.0/24,169.254.169.254,fe80::/64", null);
        assertNull(policy.saveRefusal("http://169.254.10.5/v1"));
        assertNull(policy.saveRefusal("http://[fe80::1]/v1"));
        assertNotNull(policy.saveRefusal("http://169.254.11.5/v1"));
        assertNotNull(policy.saveRefusal("http://169.254.169.254/v1"));
        assertNotNull(
                OutboundPolicy.of("169.0.0.0/8", null).saveRefusal("http://169.254.10.5/v1"), "wider than 169.254/16");
    }

    @Test
    void hostNames() {
        OutboundPolicy policy = OutboundPolicy.of("localhost", null);
        assertNull(policy.saveRefusal("http://localhost:11434/v1"));
        assertNull(policy.saveRefusal("http://LOCALHOST.:11434/v1"));
        assertNotNull(policy.saveRefusal("http://127.0.0.1:11434/v1"), "the name, not its address, is allowed");

        OutboundPolicy suffix = OutboundPolicy.of("*.internal.example,llm.corp", null);
        assertTrue(suffix.allowsHostName("a.internal.example"));
        assertTrue(suffix.allowsHostName("b.a.internal.example"));
        assertFalse(suffix.allowsHostName("internal.example"), "the suffix form needs a sub-domain");
        assertFalse(suffix.allowsHostName("evilinternal.example"));
        assertTrue(suffix.allowsHostName("llm.corp"));
        assertFalse(suffix.allowsHostName("x.llm.corp"));
    }

    @Test
    void denyWinsOverAllowAndOverPublic() {
        OutboundPolicy policy = OutboundPolicy.of("loopback", "127.0.0.5, 8.8.8.0/24, localhost");
        assertNull(policy.saveRefusal("http://127.0.0.1/v1"));
        assertNotNull(policy.saveRefusal("http://127.0.0.5/v1"));
        assertTrue(policy.saveRefusal("http://127.0.0.5/v1").contains(OutboundPolicy.DENY_FLAG));
        assertNotNull(policy.saveRefusal("http://8.8.8.8/v1"));
        assertNull(policy.saveRefusal("http://8.8.4.4/v1"));
        assertNotNull(policy.saveRefusal("http://localhost/v1"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.0/33 | out of range",
                "10.0.0.0/ | prefix length",
                "10.0.0.0/x | prefix length",
                "10.0.0/8 | not a valid network",
                "1.2.3.999 | not a valid IP address",
                "fe80::/129 | out of range",
                "fe80:::1::2 | not a valid IP address",
                "http://10.0.0.1 | not a valid network",
                "llm internal | is not a CIDR",
                "*.  | is not a CIDR",
                "under_score.ok,bad!host | 'bad!host'"
            })
    void invalidEntriesAreRefusedWithTheOptionAndTheEntry(String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutboundPolicy.of(value, null));
        assertTrue(e.getMessage().startsWith("option outbound-allow: '"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> OutboundPolicy.of(null, value));
        assertTrue(d.getMessage().startsWith("option outbound-deny: '"), d.getMessage());
    }

    @Test
    void emptyOptionsAreTheDefaults() {
        OutboundPolicy policy = OutboundPolicy.of(" , ,", "");
        assertNotNull(policy.saveRefusal("http://127.0.0.1/v1"));
        assertNull(policy.saveRefusal("http://8.8.8.8/v1"));
    }

    @Test
    void cidrMatching() throws UnknownHostException {
        Cidr c = Cidr.parse("172.16.0.0/12");
        assertTrue(c.contains(ip("172.16.0.0")));
        assertTrue(c.contains(ip("172.31.255.255")));
        assertFalse(c.contains(ip("172.32.0.0")));
        assertFalse(c.contains(ip("2001:db8::ac10:1")), "an IPv6 address is never in an IPv4 network");
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("255.1.2.3")));
        assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1")));
        assertTrue(Cidr.parse("2001:db8::/33").contains(ip("2001:db8:7fff::1")));
        assertFalse(Cidr.parse("2001:db8::/33").contains(ip("2001:db8:8000::1")));
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("10.255.0.1/8"));
        assertEquals("10.0.0.0/8", Cidr.parse("10.255.0.1/8").toString());
        assertNull(Cidr.parseOrNull("llm.internal"), "a host name is not a network");
    }
}
