package dev.llmgateway.keycloak.vendor;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Where the server may connect to on a realm admin's behalf (provider base URLs, connection tests, gateway calls,
 * health checks, users' key tests). Read once at startup from the options {@code outbound-allow} and
 * {@code outbound-deny}.
 *
 * <ul>
 *   <li>Never: link-local addresses (169.254.0.0/16, fe80::/10) unless an allow entry names a link-local network by
 *       address; cloud metadata services (169.254.169.254, 169.254.170.2, 169.254.170.23, fd00:ec2::254,
 *       fd00:ec2::23, 100.100.100.200, host names {@code metadata}, {@code metadata.google.internal} …) whatever
 *       the allow-list says; unspecified (0.0.0.0/8, ::), multicast, broadcast and reserved (240.0.0.0/4)
 *       addresses.
 *   <li>Only when {@code outbound-allow} allows them: loopback (127.0.0.0/8, ::1) and private ranges (10/8,
 *       172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10), by the words {@code loopback} or {@code private},
 *       by a CIDR or address, or by the URL's host name ({@code llm.internal}, {@code *.internal.example}).
 *   <li>Never: what {@code outbound-deny} names (CIDRs, addresses, host names), even public addresses.
 *   <li>Every other (public) address is allowed.
 * </ul>
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 64:ff9b::/96) are judged by that IPv4
 * address. Host names are resolved with {@link InetAddress#getAllByName} (which also reads numeric forms such as
 * {@code 2130706433}), and every address must pass. At save time a host that does not resolve is accepted (DNS may
 * not be ready); at connect time it is refused. Connect-time decisions are kept per host for
 * {@link #CONNECT_CACHE_MILLIS} ms, so the gateway's hot path is one map look-up.
 */
public final class OutboundPolicy {

    /** The flag that sets the allow-list (for messages; the config package reads it). */
    public static final String ALLOW_FLAG = "--spi-llm-gateway--default--outbound-allow";

    public static final String DENY_FLAG = "--spi-llm-gateway--default--outbound-deny";

    /** How long a connect-time decision about a host is reused. */
    public static final long CONNECT_CACHE_MILLIS = 5_000;

    private static final int CACHE_LIMIT = 4_096;
    private static final String UNKNOWN_HOST = "Unknown host: ";

    /** What an address is, as far as the policy goes. */
    public enum Category {
        PUBLIC,
        LOOPBACK,
        PRIVATE,
        LINK_LOCAL,
        METADATA,
        /** Unspecified, "this network", multicast, broadcast, reserved. */
        RESERVED
    }

    // Declared first: the address lists below are parsed with them.
    private static final Pattern HOST_NAME =
            Pattern.compile("(\\*\\.)?[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*\\.?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private static final Set<String> METADATA_HOSTS = Set.of(
            "metadata",
            "metadata.google.internal",
            "metadata.goog",
            "instance-data",
            "instance-data.ec2.internal",
            "metadata.tencentyun.com");

    private static final List<Cidr> METADATA_ADDRESSES = List.of(
            Cidr.parse("169.254.169.254"),
            Cidr.parse("169.254.170.2"),
            Cidr.parse("169.254.170.23"),
            Cidr.parse("fd00:ec2::254"),
            Cidr.parse("fd00:ec2::23"),
            Cidr.parse("100.100.100.200"));

    private static final Cidr LINK_LOCAL_V4 = Cidr.parse("169.254.0.0/16");
    private static final Cidr LINK_LOCAL_V6 = Cidr.parse("fe80::/10");

    private static final List<Cidr> RESERVED = List.of(
            Cidr.parse("0.0.0.0/8"),
            Cidr.parse("224.0.0.0/4"),
            Cidr.parse("240.0.0.0/4"), // includes 255.255.255.255
            Cidr.parse("::/128"),
            Cidr.parse("ff00::/8"));

    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));

    private static final List<Cidr> PRIVATE = List.of(
            Cidr.parse("10.0.0.0/8"),
            Cidr.parse("172.16.0.0/12"),
            Cidr.parse("192.168.0.0/16"),
            Cidr.parse("100.64.0.0/10"),
            Cidr.parse("fc00::/7"),
            Cidr.parse("fec0::/10"));

    private final boolean allowLoopback;
    private final boolean allowPrivate;
    private final List<Cidr> allowCidrs;
    private final List<String> allowHosts;
    private final List<Cidr> denyCidrs;
    private final List<String> denyHosts;
    private final String allowOption;
    private final ConcurrentHashMap<String, Decision> connectDecisions = new ConcurrentHashMap<>();

    private record Decision(Refusal refusal, long expiresAtNanos) {}

    /**
     * Why a connection is not made: {@code unknownHost} when the host does not resolve (like any unreachable host),
     * else the outbound policy refuses it. {@code reason} is a sentence for an admin that never says whether
     * anything listens at the address.
     */
    public record Refusal(String reason, boolean unknownHost) {}

    private OutboundPolicy(
            boolean allowLoopback,
            boolean allowPrivate,
            List<Cidr> allowCidrs,
            List<String> allowHosts,
            List<Cidr> denyCidrs,
            List<String> denyHosts,
            String allowOption) {
        this.allowLoopback = allowLoopback;
        this.allowPrivate = allowPrivate;
        this.allowCidrs = List.copyOf(allowCidrs);
        this.allowHosts = List.copyOf(allowHosts);
        this.denyCidrs = List.copyOf(denyCidrs);
        this.denyHosts = List.copyOf(denyHosts);
        this.allowOption = allowOption;
    }

    /** The policy without options: public addresses only. */
    public static OutboundPolicy defaults() {
        return of(null, null);
    }

    /**
     * Reads the two options (comma-separated; null or blank: none).
     *
     * @throws IllegalArgumentException naming the option and the entry when an entry cannot be read
     */
    public static OutboundPolicy of(String allow, String deny) {
        boolean loopback = false;
        boolean priv = false;
        List<Cidr> allowCidrs = new ArrayList<>();
        List<String> allowHosts = new ArrayList<>();
        for (String entry : entries(allow)) {
            String lower = entry.toLowerCase(Locale.ROOT);
            if (lower.equals("loopback")) {
                loopback = true;
            } else if (lower.equals("private")) {
                priv = true;
            } else {
                addEntry(entry, "outbound-allow", allowCidrs, allowHosts);
            }
        }
        List<Cidr> denyCidrs = new ArrayList<>();
        List<String> denyHosts = new ArrayList<>();
        for (String entry : entries(deny)) {
            addEntry(entry, "outbound-deny", denyCidrs, denyHosts);
        }
        return new OutboundPolicy(
                loopback,
                priv,
                allowCidrs,
                allowHosts,
                denyCidrs,
                denyHosts,
                allow == null ? "" : String.join(",", entries(allow)));
    }

    private static List<String> entries(String option) {
        List<String> out = new ArrayList<>();
        if (option != null) {
            for (String s : option.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.strip());
                }
            }
        }
        return out;
    }

    private static void addEntry(String entry, String option, List<Cidr> cidrs, List<String> hosts) {
        Cidr cidr;
        try {
            cidr = Cidr.parseOrNull(entry);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option " + option + ": '" + entry + "' " + e.getMessage());
        }
        if (cidr != null) {
            cidrs.add(cidr);
            return;
        }
        String host = entry.toLowerCase(Locale.ROOT);
        if (HOST_NAME.matcher(host).matches() && host.length() <= 253) {
            hosts.add(stripDot(host));
            return;
        }
        throw new IllegalArgumentException("option " + option + ": '" + entry + "' is not a CIDR (10.0.0.0/8), an IP"
                + " address, a host name (llm.internal or *.internal.example)"
                + (option.equals("outbound-allow") ? ", 'loopback' or 'private'" : ""));
    }

    /** The allow-list as configured, for the startup log. */
    public String describe() {
        return "outbound-allow=[" + allowOption + "], outbound-deny=" + denyCidrs.size() + " networks and "
                + denyHosts.size() + " host names";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Checks

    /**
     * The save-time check of a base URL: null when allowed, else why not (a sentence for an admin that names the
     * option that could allow it; never whether anything listens there). A host that does not resolve is allowed.
     */
    public String saveRefusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "it is not a valid URL";
        }
        return refusal(uri, false);
    }

    /**
     * The connect-time check, before every outbound request: null when allowed, else why not. A host that does not
     * resolve is refused. Decisions are reused per host for {@link #CONNECT_CACHE_MILLIS} ms.
     */
    public Refusal connectRefusal(URI uri) {
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null
                || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
                || uri.getRawUserInfo() != null
                || host == null) {
            return new Refusal(refusal(uri, true), false);
        }
        long now = System.nanoTime();
        Decision cached = connectDecisions.get(host);
        if (cached != null && now - cached.expiresAtNanos < 0) {
            return cached.refusal;
        }
        String reason = refusal(uri, true);
        Refusal refusal = reason == null ? null : new Refusal(reason, reason.startsWith(UNKNOWN_HOST));
        if (connectDecisions.size() >= CACHE_LIMIT) {
            connectDecisions.clear();
        }
        connectDecisions.put(host, new Decision(refusal, now + TimeUnit.MILLISECONDS.toNanos(CONNECT_CACHE_MILLIS)));
        return refusal;
    }

    private String refusal(URI uri, boolean atConnect) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "only http and https URLs are allowed";
        }
        if (uri.getRawUserInfo() != null) {
            return "URLs with user information (user:password@) are not allowed";
        }
        String rawHost = uri.getHost();
        if (rawHost == null) {
            return "the URL has no host";
        }
        String host = normalizedHost(rawHost);
        if (host.isEmpty()) {
            return "the URL has no host";
        }
        if (METADATA_HOSTS.contains(host)) {
            return "the host is a cloud metadata service, which the outbound policy never allows";
        }
        if (matchesHost(denyHosts, host)) {
            return "the host is refused by the outbound policy (" + DENY_FLAG + ")";
        }
        InetAddress[] addresses;
        if (rawHost.startsWith("[")) {
            if (host.indexOf('%') >= 0) {
                return "IPv6 addresses with a zone (%) are not allowed";
            }
            InetAddress literal = Cidr.literal(host);
            if (literal == null) {
                return "the host is not a valid IPv6 address";
            }
            addresses = new InetAddress[] {literal};
        } else {
            try {
                addresses = InetAddress.getAllByName(host);
            } catch (UnknownHostException | SecurityException e) {
                return atConnect ? UNKNOWN_HOST + abbreviate(host) : null;
            }
        }
        boolean hostAllowed = matchesHost(allowHosts, host);
        for (InetAddress a : addresses) {
            String refused = refusal(a.getAddress(), hostAllowed, addresses.length > 1 || !isLiteral(rawHost));
            if (refused != null) {
                return refused;
            }
        }
        return null;
    }

    private static boolean isLiteral(String rawHost) {
        return rawHost.startsWith("[") || IPV4.matcher(rawHost).matches();
    }

    /** Why an address is refused, or null. */
    String refusal(byte[] address, boolean hostAllowed, boolean resolved) {
        byte[] a = embeddedIpv4(address);
        String what = resolved ? "the host resolves to " : "the host is ";
        for (Cidr deny : denyCidrs) {
            if (deny.contains(a)) {
                return what + "an address refused by the outbound policy (" + DENY_FLAG + ")";
            }
        }
        Category category = categorize(a);
        switch (category) {
            case PUBLIC:
                return null;
            case METADATA:
                return what + "a cloud metadata address, which the outbound policy never allows";
            case RESERVED:
                return what + "an unspecified, multicast, broadcast or reserved address, which the outbound policy "
                        + "never allows";
            case LINK_LOCAL:
                for (Cidr c : allowCidrs) {
                    if (c.linkLocal() && c.contains(a)) {
                        return null;
                    }
                }
                return what + "a link-local address, which the outbound policy refuses unless " + ALLOW_FLAG
                        + " names its network by address (e.g. 169.254.10.0/24)";
            case LOOPBACK:
            case PRIVATE:
            default:
                if (hostAllowed || (category == Category.LOOPBACK ? allowLoopback : allowPrivate)) {
                    return null;
                }
                for (Cidr c : allowCidrs) {
                    if (c.contains(a)) {
                        return null;
                    }
                }
                return category == Category.LOOPBACK
                        ? what + "a loopback address, which the outbound policy refuses unless " + ALLOW_FLAG
                                + " allows it ('loopback', an address such as 127.0.0.1, or the host name)"
                        : what + "a private-network address, which the outbound policy refuses unless " + ALLOW_FLAG
                                + " allows it ('private', a network such as 10.0.0.0/8, or the host name)";
        }
    }

    /** The category of an address (4 or 16 bytes); IPv6 forms carrying an IPv4 address are judged by it. */
    public static Category categorize(byte[] address) {
        byte[] a = embeddedIpv4(address);
        for (Cidr c : METADATA_ADDRESSES) {
            if (c.contains(a)) {
                return Category.METADATA;
            }
        }
        if (LINK_LOCAL_V4.contains(a) || LINK_LOCAL_V6.contains(a)) {
            return Category.LINK_LOCAL;
        }
        for (Cidr c : RESERVED) {
            if (c.contains(a)) {
                return Category.RESERVED;
            }
        }
        for (Cidr c : LOOPBACK) {
            if (c.contains(a)) {
                return Category.LOOPBACK;
            }
        }
        for (Cidr c : PRIVATE) {
            if (c.contains(a)) {
                return Category.PRIVATE;
            }
        }
        return Category.PUBLIC;
    }

    /**
     * The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, not :: or ::1) or NAT64
     * (64:ff9b::a.b.c.d) IPv6 address; else the address itself.
     */
    static byte[] embeddedIpv4(byte[] a) {
        if (a.length != 16) {
            return a;
        }
        boolean zeros80 = true;
        for (int i = 0; i < 10; i++) {
            zeros80 &= a[i] == 0;
        }
        boolean mapped = zeros80 && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
        boolean compatible = zeros80 && a[10] == 0 && a[11] == 0;
        if (compatible) {
            boolean unspecifiedOrLoopback = a[12] == 0 && a[13] == 0 && a[14] == 0 && (a[15] == 0 || a[15] == 1);
            compatible = !unspecifiedOrLoopback;
        }
        boolean nat64 = a[0] == 0 && a[1] == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = a[i] == 0;
        }
        if (mapped || compatible || nat64) {
            return new byte[] {a[12], a[13], a[14], a[15]};
        }
        return a;
    }

    /** Whether an allow entry names this host (exactly or by suffix). */
    boolean allowsHostName(String host) {
        return matchesHost(allowHosts, normalizedHost(host));
    }

    private static boolean matchesHost(List<String> patterns, String host) {
        for (String p : patterns) {
            if (p.startsWith("*.") ? host.endsWith(p.substring(1)) : host.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** Lower case, without the IPv6 brackets and without a trailing dot. */
    static String normalizedHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return stripDot(h);
    }

    private static String stripDot(String h) {
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }

    /** A network: an address and a prefix length. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            Cidr c = parseOrNull(text);
            if (c == null) {
                throw new IllegalArgumentException(text);
            }
            return c;
        }

        /**
         * An address or network written as an IP literal (with an optional /prefix); null when the text is not an IP
         * literal at all (a host name).
         *
         * @throws IllegalArgumentException when it looks like one but is not valid
         */
        static Cidr parseOrNull(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (addr.startsWith("[") && addr.endsWith("]")) {
                addr = addr.substring(1, addr.length() - 1);
            }
            boolean looksV4 = IPV4.matcher(addr).matches();
            boolean looksV6 = IPV6.matcher(addr).matches();
            if (!looksV4 && !looksV6) {
                if (slash >= 0) {
                    throw new IllegalArgumentException("is not a valid network: write an address and a prefix length, "
                            + "such as 10.0.0.0/8 or fd00::/8");
                }
                return null;
            }
            InetAddress ip = literal(addr);
            if (ip == null) {
                throw new IllegalArgumentException("is not a valid IP address");
            }
            byte[] bytes = ip.getAddress();
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                String p = s.substring(slash + 1);
                if (!p.matches("\\d{1,3}")) {
                    throw new IllegalArgumentException("has no valid prefix length after '/'");
                }
                prefix = Integer.parseInt(p);
                if (looksV6 && bytes.length == 4) {
                    prefix -= 96; // an IPv4-mapped network, read as the IPv4 one
                }
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("has a prefix length out of range (0 to " + max + ")");
                }
            }
            return new Cidr(mask(bytes, prefix), prefix);
        }

        /** Parses an IP literal without any DNS look-up; null when it is not one. */
        static InetAddress literal(String addr) {
            if (IPV4.matcher(addr).matches()) {
                byte[] b = new byte[4];
                String[] parts = addr.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        return null;
                    }
                    b[i] = (byte) v;
                }
                try {
                    return InetAddress.getByAddress(b);
                } catch (UnknownHostException e) {
                    return null;
                }
            }
            if (!IPV6.matcher(addr).matches()) {
                return null;
            }
            try {
                // A string with a colon is only ever read as an IPv6 literal: no name look-up happens.
                return InetAddress.getByName("[" + addr + "]");
            } catch (UnknownHostException e) {
                return null;
            }
        }

        private static byte[] mask(byte[] bytes, int prefix) {
            byte[] out = bytes.clone();
            for (int i = 0; i < out.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - i * 8));
                out[i] &= (byte) (0xff << (8 - keep));
            }
            return out;
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int m = (0xff << (8 - rest)) & 0xff;
            return (address[full] & m) == (network[full] & 0xff);
        }

        /** Lies inside a link-local range: only such an entry opens link-local addresses. */
        boolean linkLocal() {
            return (network.length == 4 ? LINK_LOCAL_V4 : LINK_LOCAL_V6).contains(network)
                    && prefix >= (network.length == 4 ? 16 : 10);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                return "?";
            }
        }
    }
}
