package io.ffmnet.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET6;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENAMETOOLONG;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENODEV;
import static io.ffmnet.bindings.linux_x86_64.Structs.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * Socket addresses in and out of {@code struct sockaddr_*}. Ports and IPv4 addresses travel in
 * network byte order; the family field is in host order.
 */
public final class SockAddr {
    private SockAddr() {}

    /** Room for any socket address ({@code sizeof(struct sockaddr_storage)}). */
    public static final int MAX_SIZE = (int) SIZEOF_SOCKADDR_STORAGE;

    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * Writes {@code ip:port} as a {@code sockaddr_in} or {@code sockaddr_in6} at the start of
     * {@code to}, which is zeroed first.
     *
     * @return the address length to pass to the kernel, or {@code -EINVAL} if {@code ip} is not
     *         an IP address, or {@code -ENODEV} for an unknown zone name
     */
    public static int encode(MemorySegment to, String ip, int port) {
        long v4 = Ip.parseV4(ip);
        if (v4 >= 0) {
            to.asSlice(0, SIZEOF_SOCKADDR_IN).fill((byte) 0);
            to.set(JAVA_SHORT_UNALIGNED, OFFSETOF_SOCKADDR_IN_SIN_FAMILY, (short) AF_INET);
            to.set(NET_SHORT, OFFSETOF_SOCKADDR_IN_SIN_PORT, (short) port);
            to.set(NET_INT, OFFSETOF_SOCKADDR_IN_SIN_ADDR, (int) v4);
            return (int) SIZEOF_SOCKADDR_IN;
        }
        byte[] v6 = Ip.parseV6(ip);
        if (v6 == null) {
            return -EINVAL;
        }
        int scope = 0;
        String zone = Ip.zone(ip);
        if (zone != null) {
            scope = scopeId(zone);
            if (scope < 0) {
                return scope;
            }
        }
        to.asSlice(0, SIZEOF_SOCKADDR_IN6).fill((byte) 0);
        to.set(JAVA_SHORT_UNALIGNED, OFFSETOF_SOCKADDR_IN6_SIN6_FAMILY, (short) AF_INET6);
        to.set(NET_SHORT, OFFSETOF_SOCKADDR_IN6_SIN6_PORT, (short) port);
        MemorySegment.copy(v6, 0, to, JAVA_BYTE, OFFSETOF_SOCKADDR_IN6_SIN6_ADDR, 16);
        to.set(JAVA_INT_UNALIGNED, OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID, scope);
        return (int) SIZEOF_SOCKADDR_IN6;
    }

    /**
     * Writes a {@code sockaddr_un} for {@code path}. A path starting with NUL names Linux's
     * abstract namespace, as in Node.
     *
     * @return the address length, or {@code -ENAMETOOLONG}
     */
    public static int encodeUnix(MemorySegment to, String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = bytes.length > 0 && bytes[0] == 0;
        // A filesystem path needs its terminating NUL inside sun_path; an abstract one does not.
        if (bytes.length + (abstractName ? 0 : 1) > SIZEOF_SOCKADDR_UN_SUN_PATH) {
            return -ENAMETOOLONG;
        }
        to.asSlice(0, SIZEOF_SOCKADDR_UN).fill((byte) 0);
        to.set(JAVA_SHORT_UNALIGNED, OFFSETOF_SOCKADDR_UN_SUN_FAMILY, (short) AF_UNIX);
        MemorySegment.copy(bytes, 0, to, JAVA_BYTE, OFFSETOF_SOCKADDR_UN_SUN_PATH, bytes.length);
        return (int) OFFSETOF_SOCKADDR_UN_SUN_PATH + bytes.length + (abstractName ? 0 : 1);
    }

    /** The family of the address at {@code from}: {@code AF_INET}, {@code AF_INET6}, {@code AF_UNIX}. */
    public static int family(MemorySegment from) {
        return from.get(JAVA_SHORT_UNALIGNED, OFFSETOF_SOCKADDR_SA_FAMILY) & 0xffff;
    }

    /** The port of an IP address, or -1 for other families. */
    public static int port(MemorySegment from) {
        return switch (family(from)) {
            case AF_INET -> from.get(NET_SHORT, OFFSETOF_SOCKADDR_IN_SIN_PORT) & 0xffff;
            case AF_INET6 -> from.get(NET_SHORT, OFFSETOF_SOCKADDR_IN6_SIN6_PORT) & 0xffff;
            default -> -1;
        };
    }

    /**
     * The address as text: an IP address as {@code inet_ntop} prints it (an IPv6 zone as its
     * number, as libuv does for names it cannot map back), or a Unix socket's path.
     *
     * @param length the length the kernel reported, which bounds a Unix path
     */
    public static String address(MemorySegment from, int length) {
        switch (family(from)) {
            case AF_INET:
                return Ip.formatV4(from.get(NET_INT,
                        OFFSETOF_SOCKADDR_IN_SIN_ADDR));
            case AF_INET6: {
                byte[] bytes = new byte[16];
                MemorySegment.copy(from, JAVA_BYTE, OFFSETOF_SOCKADDR_IN6_SIN6_ADDR, bytes, 0, 16);
                String text = Ip.formatV6(bytes);
                int scope = from.get(JAVA_INT_UNALIGNED, OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID);
                return scope == 0 ? text : text + "%" + Integer.toUnsignedString(scope);
            }
            case AF_UNIX: {
                int pathLength = length - (int) OFFSETOF_SOCKADDR_UN_SUN_PATH;
                if (pathLength <= 0) {
                    return "";
                }
                byte[] bytes = new byte[pathLength];
                MemorySegment.copy(from, JAVA_BYTE, OFFSETOF_SOCKADDR_UN_SUN_PATH, bytes, 0, pathLength);
                int end = pathLength;
                if (bytes[0] != 0) {
                    end = 0;
                    while (end < pathLength && bytes[end] != 0) {
                        end++;
                    }
                }
                return new String(bytes, 0, end, StandardCharsets.UTF_8);
            }
            default:
                return null;
        }
    }

    /** Node's family name: {@code "IPv4"}, {@code "IPv6"}, or null for other families. */
    public static String familyName(int family) {
        return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : null;
    }

    /** The interface index for an IPv6 zone: a number, or a name looked up with if_nametoindex. */
    private static int scopeId(String zone) {
        if (!zone.isEmpty() && zone.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Integer.parseUnsignedInt(zone);
            } catch (NumberFormatException e) {
                return -EINVAL;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            int index = Sockets.ifNametoindex(arena.allocateFrom(zone).address());
            return index > 0 ? index : -ENODEV;
        }
    }
}
