package io.ffmnet;

import io.ffmnet.internal.sys.Ip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/**
 * Node's {@code net.SocketAddress}: an IP address, port, family and IPv6 flow label, immutable.
 *
 * <p>The address is validated as libuv's {@code uv_ip4_addr}/{@code uv_ip6_addr} validate it and
 * printed as {@code inet_ntop} prints it, so {@code address()} is the canonical text
 * ({@code 0:0::1} reads back as {@code ::1}). For {@code ipv6} anything after a {@code %} is taken as
 * a zone and dropped, as Node drops it. Errors are Node's: {@code ERR_INVALID_ARG_VALUE} for an
 * unknown family, {@code ERR_INVALID_ADDRESS} ("Invalid socket address") for text that is no address
 * of the family, {@code ERR_SOCKET_BAD_PORT} and {@code ERR_OUT_OF_RANGE} (flow label).
 */
public final class SocketAddress {
    private static final int MAX_PORT = 0xFFFF;
    // An IPv6 flow label is 20 bits. Node asserts this in C++ (set_flow_label) and aborts the process
    // on a larger one; we throw ERR_OUT_OF_RANGE instead.
    private static final int MAX_FLOW_LABEL = 0xFFFFF;
    // util.inspect's breakLength, and what its reduceToSingleString counts besides the four entries
    // (one per entry, then entries + brace + 10): the object goes on one line if the sum fits.
    private static final int INSPECT_BREAK_LENGTH = 80;
    private static final int INSPECT_LAYOUT = 4 + 4 + 1 + 10;

    private final Bits bits;
    private final String address;
    private final int port;
    private final int flowlabel;

    /** Node's {@code new SocketAddress()}: {@code 127.0.0.1}, port 0, {@code ipv4}. */
    public SocketAddress() {
        this("127.0.0.1", 0, "ipv4", 0);
    }

    /**
     * An IPv4 address with port 0: Node's {@code new SocketAddress({address})}, whose family
     * defaults to {@code ipv4} (so IPv6 text needs the family argument).
     *
     * @param address dotted-quad text
     * @throws InvalidArgumentException {@code ERR_INVALID_ADDRESS} if it is not IPv4 text
     */
    public SocketAddress(String address) {
        this(address, 0, "ipv4", 0);
    }

    /**
     * An IPv4 address and port: Node's {@code new SocketAddress({address, port})}.
     *
     * @param address dotted-quad text
     * @param port 0 to 65535
     * @throws InvalidArgumentException {@code ERR_SOCKET_BAD_PORT} or {@code ERR_INVALID_ADDRESS}
     */
    public SocketAddress(String address, int port) {
        this(address, port, "ipv4", 0);
    }

    /**
     * Node's {@code new SocketAddress({address, port, family})}.
     *
     * @param address address text of the family
     * @param port 0 to 65535
     * @param family {@code "ipv4"} or {@code "ipv6"}, in any case
     * @throws InvalidArgumentException as {@link #SocketAddress(String, int, String, int)}
     */
    public SocketAddress(String address, int port, String family) {
        this(address, port, family, 0);
    }

    /**
     * Node's {@code new SocketAddress({address, port, family, flowlabel})}. Checked in Node's order:
     * family, address type, port, flow label, then the address text.
     *
     * @param address address text of the family; IPv6 may carry a zone ({@code fe80::1%eth0}), dropped
     * @param port 0 to 65535
     * @param family {@code "ipv4"} or {@code "ipv6"}, in any case (Node lower-cases it)
     * @param flowlabel the IPv6 flow label, 0 to 0xFFFFF; ignored (0) for IPv4, as in Node
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_VALUE} for another family,
     *     {@code ERR_INVALID_ARG_TYPE} for a null address, {@code ERR_SOCKET_BAD_PORT},
     *     {@code ERR_OUT_OF_RANGE} for the flow label, {@code ERR_INVALID_ADDRESS} for bad text
     */
    public SocketAddress(String address, int port, String family, int flowlabel) {
        int version = familyVersion(family);
        if (version == 0) {
            throw InvalidArgumentException.invalidArgValue("options.family", family);
        }
        if (address == null) {
            throw InvalidArgumentException.invalidType("options.address", "of type string", null);
        }
        if (port < 0 || port > MAX_PORT) {
            throw InvalidArgumentException.badPort("options.port", port);
        }
        if (flowlabel < 0) {
            throw InvalidArgumentException.intOutOfRange("options.flowlabel", 0, 0xFFFF_FFFFL, flowlabel);
        }
        Bits parsed = Bits.parse(address, version == 6);
        if (parsed == null) {
            throw InvalidArgumentException.invalidAddress();
        }
        if (version == 6 && flowlabel > MAX_FLOW_LABEL) {
            throw InvalidArgumentException.intOutOfRange("options.flowlabel", 0, MAX_FLOW_LABEL, flowlabel);
        }
        this.bits = parsed;
        this.address = parsed.format();
        this.port = port;
        this.flowlabel = version == 6 ? flowlabel : 0;
    }

    /**
     * Node's {@code SocketAddress.parse(input)}: "Parses an input string containing an IP address and
     * optional port", such as {@code 1.2.3.4}, {@code 1.2.3.4:80} or {@code [::1]:80}.
     *
     * <p>Like Node, it reads the input as the authority of {@code http://input} under the WHATWG URL
     * rules: the host may be any IPv4 form a browser takes ({@code 0x7f.1}, {@code 256},
     * {@code 192.168.257}), userinfo before an {@code @} and anything after a {@code /}, {@code ?}
     * or {@code #} are ignored, and the port must be decimal and at most 65535. One deliberate
     * difference: Node 24 reads an explicit {@code :80} back as port 0, because the URL parser drops
     * http's default port (nodejs/node#62906); we keep 80, as the proposed fix and Node's current
     * test-socketaddress.js do.
     * Non-ASCII host text is mapped with NFKC and lower case, an approximation of UTS #46.
     *
     * @param input the text to parse
     * @return the address, or {@code null} where Node returns {@code undefined}: the input is not an
     *     IP address with an optional port
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_TYPE} if {@code input} is null
     */
    public static SocketAddress parse(String input) {
        if (input == null) {
            throw InvalidArgumentException.invalidType("input", "of type string", null);
        }
        String url = urlText(input);
        int from = skipSlashes(url);
        int end = authorityEnd(url, from);
        // The host follows the last '@' of the authority (the URL spec's authority state).
        int hostStart = Math.max(from, url.lastIndexOf('@', end - 1) + 1);
        int colon = portColon(url, hostStart, end);
        int port = colon < 0 ? 0 : urlPort(url, colon + 1, end);
        String host = url.substring(hostStart, colon < 0 ? end : colon);
        if (port < 0 || host.isEmpty()) {
            return null;
        }
        return host.charAt(0) == '[' ? bracketed(host, port) : dotted(host, port);
    }

    /** Node's {@code socketaddress.address}: the canonical address text, without zone. */
    public String address() {
        return address;
    }

    /** Node's {@code socketaddress.port}. */
    public int port() {
        return port;
    }

    /** Node's {@code socketaddress.family}: {@code "ipv4"} or {@code "ipv6"}. */
    public String family() {
        return bits.v6() ? "ipv6" : "ipv4";
    }

    /** Node's {@code socketaddress.flowlabel}: 0 for IPv4. */
    public int flowlabel() {
        return flowlabel;
    }

    Bits bits() {
        return bits;
    }

    /** Equal when address, family, port and flow label are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SocketAddress s && bits.equals(s.bits) && port == s.port && flowlabel == s.flowlabel;
    }

    /** Consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        return Objects.hash(bits, port, flowlabel);
    }

    /**
     * As {@code util.inspect} shows a Node SocketAddress, on one line or (when longer than 80
     * columns) one entry per line:
     * {@code SocketAddress { address: '127.0.0.1', port: 0, family: 'ipv4', flowlabel: 0 }}.
     */
    @Override
    public String toString() {
        String[] entries = {
            "address: '" + address + "'", "port: " + port, "family: '" + family() + "'", "flowlabel: " + flowlabel
        };
        int width = INSPECT_LAYOUT;
        for (String entry : entries) {
            width += entry.length();
        }
        if (width <= INSPECT_BREAK_LENGTH) {
            return "SocketAddress { " + String.join(", ", entries) + " }";
        }
        return "SocketAddress {\n  " + String.join(",\n  ", entries) + "\n}";
    }

    /** 4 or 6 for Node's family names (which Node lower-cases first), 0 for anything else. */
    static int familyVersion(String family) {
        if (family == null) {
            return 0;
        }
        return switch (family.toLowerCase(Locale.ROOT)) {
            case "ipv4" -> 4;
            case "ipv6" -> 6;
            default -> 0;
        };
    }

    // The URL parser first drops tabs and newlines anywhere, and C0 controls and spaces at the end.
    private static String urlText(String input) {
        StringBuilder s = new StringBuilder(input.length());
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c != '\t' && c != '\n' && c != '\r') {
                s.append(c);
            }
        }
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) <= ' ') {
            end--;
        }
        return s.substring(0, end);
    }

    // After "http://", a special URL skips any further slashes and backslashes.
    private static int skipSlashes(String url) {
        int i = 0;
        while (i < url.length() && (url.charAt(i) == '/' || url.charAt(i) == '\\')) {
            i++;
        }
        return i;
    }

    private static int authorityEnd(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '\\' || c == '?' || c == '#') {
                return i;
            }
        }
        return url.length();
    }

    // The host state ends at a ':' outside [brackets].
    private static int portColon(String url, int from, int end) {
        boolean inBrackets = false;
        for (int i = from; i < end; i++) {
            char c = url.charAt(i);
            if (c == '[') {
                inBrackets = true;
            } else if (c == ']') {
                inBrackets = false;
            } else if (c == ':' && !inBrackets) {
                return i;
            }
        }
        return -1;
    }

    // The port state: decimal digits only (leading zeros allowed), at most 65535; none means 0.
    private static int urlPort(String url, int from, int end) {
        int port = 0;
        for (int i = from; i < end; i++) {
            char c = url.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
            if (port > MAX_PORT) {
                return -1;
            }
        }
        return port;
    }

    private static SocketAddress bracketed(String host, int port) {
        if (host.length() < 2 || host.charAt(host.length() - 1) != ']') {
            return null;
        }
        byte[] bytes = Net.parseIPv6Text(host.substring(1, host.length() - 1));
        return bytes == null ? null : new SocketAddress(Ip.formatV6(bytes), port, "ipv6");
    }

    private static SocketAddress dotted(String host, int port) {
        long v4 = urlIPv4(asciiDomain(percentDecoded(host)));
        return v4 < 0 ? null : new SocketAddress(Ip.formatV4((int) v4), port, "ipv4");
    }

    private static String percentDecoded(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) << 4 | hex(in[i + 2]));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return b >= 0 ? Character.digit(b, 16) : -1;
    }

    // UTS #46 maps full-width digits and letters to ASCII, ideographic full stops to '.', and lower-cases.
    private static String asciiDomain(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                s = Normalizer.normalize(s, Normalizer.Form.NFKC).replace('\u3002', '.');
                break;
            }
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /**
     * The WHATWG URL IPv4 parser: one to four dot-separated numbers (one trailing dot allowed), each
     * decimal, octal with a leading 0 or hex with 0x; the last fills the remaining bytes. -1 if the
     * host is not such an address (then it is a domain name, which SocketAddress rejects too).
     */
    private static long urlIPv4(String host) {
        String[] parts = host.split("\\.", -1);
        int count = parts.length;
        if (count > 1 && parts[count - 1].isEmpty()) {
            count--;
        }
        if (count > 4) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < count; i++) {
            long n = urlIPv4Number(parts[i]);
            boolean last = i == count - 1;
            if (n < 0 || n >= (last ? 1L << (8 * (5 - count)) : 256)) {
                return -1;
            }
            value += last ? n : n << (8 * (3 - i));
        }
        return value;
    }

    private static long urlIPv4Number(String part) {
        if (part.isEmpty()) {
            return -1;
        }
        int radix = 10;
        int i = 0;
        if (part.startsWith("0x")) {
            radix = 16;
            i = 2;
        } else if (part.length() > 1 && part.charAt(0) == '0') {
            radix = 8;
            i = 1;
        }
        long n = 0;
        for (; i < part.length(); i++) {
            char c = part.charAt(i);
            int digit = c < 0x80 ? Character.digit(c, radix) : -1;
            if (digit < 0) {
                return -1;
            }
            // Saturate: anything from 2^32 up fails the range check anyway.
            n = Math.min(n * radix + digit, 1L << 32);
        }
        return n;
    }

    /**
     * An address as 128 unsigned bits in two longs; IPv4 is held as its IPv4-mapped IPv6 form
     * ({@code ::ffff:a.b.c.d}) with {@code v6} false, which makes Node's cross-family rules plain
     * unsigned comparisons.
     */
    record Bits(long hi, long lo, boolean v6) {
        private static final long MAPPED_PREFIX = 0xFFFFL << 32;

        /** The address of the family, or null: libuv's inet_pton rules, an IPv6 zone dropped. */
        static Bits parse(String text, boolean v6) {
            if (!v6) {
                long v4 = Ip.parseV4(text);
                return v4 < 0 ? null : new Bits(0, MAPPED_PREFIX | v4, false);
            }
            // uv_ip6_addr takes any zone after '%' (an unknown interface name is ignored).
            int zone = text.indexOf('%');
            byte[] b = Net.parseIPv6Text(zone < 0 ? text : text.substring(0, zone));
            return b == null ? null : new Bits(bigEndian(b, 0), bigEndian(b, 8), true);
        }

        /** Whether the upper 96 bits are {@code ::ffff:0:0}, true for every IPv4 address. */
        boolean mapped() {
            return hi == 0 && (lo >>> 32) == 0xFFFF;
        }

        String format() {
            if (!v6) {
                return Ip.formatV4((int) lo);
            }
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[i + 8] = (byte) (lo >>> (56 - 8 * i));
            }
            return Ip.formatV6(b);
        }

        private static long bigEndian(byte[] b, int from) {
            long v = 0;
            for (int i = from; i < from + 8; i++) {
                v = (v << 8) | (b[i] & 0xFF);
            }
            return v;
        }
    }
}
