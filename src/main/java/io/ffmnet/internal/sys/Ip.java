package io.ffmnet.internal.sys;

/**
 * IP address text, parsed and printed the way Node and libuv do ({@code inet_pton} and
 * {@code inet_ntop}): dotted quads without leading zeros, RFC 4291 IPv6 text with an optional
 * embedded IPv4 tail and zone ({@code fe80::1%eth0}).
 */
public final class Ip {
    private Ip() {}

    /** The address as a 32-bit value in host order, or -1 if {@code s} is not a dotted quad. */
    public static long parseV4(CharSequence s) {
        return parseV4(s, 0, s.length());
    }

    static long parseV4(CharSequence s, int from, int to) {
        long value = 0;
        int parts = 0;
        int i = from;
        while (parts < 4) {
            int start = i;
            int part = 0;
            while (i < to && i - start < 3 && isDigit(s.charAt(i))) {
                part = part * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || part > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            value = (value << 8) | part;
            parts++;
            if (parts < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == to ? value : -1;
    }

    /** The 16 bytes of an IPv6 address (zone not included), or null if {@code s} is not one. */
    public static byte[] parseV6(CharSequence s) {
        int zone = indexOf(s, '%');
        int end = zone >= 0 ? zone : s.length();
        if (zone >= 0 && !validZone(s, zone + 1)) {
            return null;
        }
        return parseV6(s, 0, end);
    }

    /** The zone after {@code %}, or null. */
    public static String zone(String s) {
        int zone = s.indexOf('%');
        return zone >= 0 ? s.substring(zone + 1) : null;
    }

    private static byte[] parseV6(CharSequence s, int from, int to) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = from;
        if (to - from >= 2 && s.charAt(i) == ':' && s.charAt(i + 1) == ':') {
            gap = 0;
            i += 2;
        } else if (i < to && s.charAt(i) == ':') {
            return null;
        }
        while (i < to) {
            if (count == 8) {
                return null;
            }
            int start = i;
            int group = 0;
            while (i < to && i - start < 4 && hexDigit(s.charAt(i)) >= 0) {
                group = (group << 4) | hexDigit(s.charAt(i));
                i++;
            }
            if (i < to && s.charAt(i) == '.') {
                // An IPv4 tail fills the last two groups.
                long v4 = parseV4(s, start, to);
                if (v4 < 0 || count > 6) {
                    return null;
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xffff);
                i = to;
                break;
            }
            if (i == start) {
                return null;
            }
            groups[count++] = group;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < to && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                i++;
            } else if (i == to) {
                return null;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            return null;
        }
        byte[] bytes = new byte[16];
        int tail = gap < 0 ? 0 : count - gap;
        for (int g = 0; g < count; g++) {
            int slot = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
            bytes[2 * slot] = (byte) (groups[g] >>> 8);
            bytes[2 * slot + 1] = (byte) groups[g];
        }
        return bytes;
    }

    // Node's zone is "%[0-9a-zA-Z-.:]{1,}": one or more of these ASCII characters, nothing else.
    private static boolean validZone(CharSequence s, int from) {
        if (from >= s.length()) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum && c != '-' && c != '.' && c != ':') {
                return false;
            }
        }
        return true;
    }

    /** 4 for an IPv4 address, 6 for IPv6, 0 otherwise: Node's {@code net.isIP}. */
    public static int version(CharSequence s) {
        if (s == null) {
            return 0;
        }
        if (parseV4(s) >= 0) {
            return 4;
        }
        return parseV6(s) != null ? 6 : 0;
    }

    /** Dotted-quad text for a host-order IPv4 address. */
    public static String formatV4(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "."
                + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /**
     * IPv6 text as glibc's {@code inet_ntop} prints it: the longest run of two or more zero
     * groups becomes {@code ::} (the first such run on a tie), and {@code ::ffff:a.b.c.d} and
     * {@code ::a.b.c.d} keep their IPv4 tail.
     */
    public static String formatV6(byte[] a) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                out.append(a[12] & 0xff).append('.').append(a[13] & 0xff).append('.')
                        .append(a[14] & 0xff).append('.').append(a[15] & 0xff);
                return out.toString();
            }
            out.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            out.append(':');
        }
        return out.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The value of an ASCII hex digit, or -1. Not {@link Character#digit}: that also takes other
     * scripts' digits ({@code ١}, full-width {@code Ｆ}), which neither Node nor inet_pton accept.
     */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int indexOf(CharSequence s, char c) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }
}
