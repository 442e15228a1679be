package io.ffmnet;

import io.ffmnet.internal.sys.Ip;

/**
 * Node's {@code net} module: the functions of {@code require('net')} as static methods.
 *
 * <p>The address helpers answer exactly as Node v24's do. {@code isIP}, {@code isIPv4} and
 * {@code isIPv6} implement the regular expressions of Node's {@code lib/internal/net.js}: dotted
 * quads without leading zeros, RFC 4291 IPv6 text with an optional IPv4 tail, and an optional zone
 * made of ASCII letters, digits, {@code -}, {@code .} and {@code :}. No whitespace is trimmed.
 */
public final class Net {
    private Net() {}

    /**
     * Node's {@code net.isIP(input)}: "Returns 6 if input is an IPv6 address. Returns 4 if input is
     * an IPv4 address in dot-decimal notation with no leading zeroes. Otherwise, returns 0."
     *
     * @param input the text to test; {@code null} gives 0, as Node gives for a non-string
     * @return 4, 6 or 0
     */
    public static int isIP(String input) {
        if (isIPv4(input)) {
            return 4;
        }
        return isIPv6(input) ? 6 : 0;
    }

    /**
     * Node's {@code net.isIPv4(input)}: "Returns true if input is an IPv4 address in dot-decimal
     * notation with no leading zeroes" ({@code 010.0.0.1} is not one). {@code null} gives false.
     *
     * @param input the text to test
     * @return whether it is a dotted-quad IPv4 address
     */
    public static boolean isIPv4(String input) {
        return input != null && Ip.parseV4(input) >= 0;
    }

    /**
     * Node's {@code net.isIPv6(input)}: "Returns true if input is an IPv6 address", zone included
     * ({@code fe80::1%eth0}) and IPv4-mapped forms ({@code ::ffff:127.0.0.1}) accepted. {@code null}
     * gives false.
     *
     * @param input the text to test
     * @return whether it is IPv6 address text
     */
    public static boolean isIPv6(String input) {
        if (input == null) {
            return false;
        }
        int zone = input.indexOf('%');
        if (zone < 0) {
            return parseIPv6Text(input) != null;
        }
        return isZone(input, zone + 1) && parseIPv6Text(input.substring(0, zone)) != null;
    }

    /**
     * The 16 bytes of IPv6 address text without a zone, or null. Only ASCII is taken: Node's regular
     * expression and libuv's {@code inet_pton} know no other digits, while {@link Ip#parseV6} reads
     * hex digits with {@link Character#digit}, which also takes other scripts' digits.
     */
    static byte[] parseIPv6Text(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':' && c != '.') {
                return null;
            }
        }
        return Ip.parseV6(text);
    }

    // Node's zone is "%[0-9a-zA-Z-.:]{1,}": one or more of these characters, nothing else.
    private static boolean isZone(String s, int from) {
        if (from >= s.length()) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum && c != '-' && c != '.' && c != ':') {
                return false;
            }
        }
        return true;
    }
}
