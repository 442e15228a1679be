package io.ffmnet.internal.sys;

import io.ffmnet.bindings.linux_x86_64.Constants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Structs.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * The socket options of UDP sockets whose arguments are C structs: multicast group membership
 * ({@code ip_mreq}, {@code ipv6_mreq}, {@code ip_mreq_source}, {@code group_source_req}) and the
 * multicast interface, encoded as libuv's {@code src/unix/udp.c} encodes them, plus int options.
 * Each returns 0 (or the value read) or {@code -errno}; a text that is not an address of the
 * needed family is {@code -EINVAL}, as in libuv. Option calls are rare, so each takes its own
 * small confined arena: safe from any thread.
 */
public final class UdpOptions {
    private UdpOptions() {}

    private static final java.lang.foreign.ValueLayout.OfInt NET_INT =
            JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** setsockopt of an {@code int} value. */
    public static int setInt(int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            return Sockets.setsockopt(fd, level, name, v.address(), 4);
        }
    }

    /** getsockopt of an {@code int} value: the value (none used here is negative), or {@code -errno}. */
    public static int getInt(int fd, int level, int name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, 0);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 4);
            int r = Sockets.getsockopt(fd, level, name, v.address(), len.address());
            return r < 0 ? r : v.get(JAVA_INT, 0);
        }
    }

    /**
     * Joins or leaves an IPv4 group: {@code struct ip_mreq { struct in_addr imr_multiaddr;
     * struct in_addr imr_interface; }}, the interface given by its address (any when null).
     */
    public static int membership4(int fd, String group, String iface, boolean join) {
        long g = Ip.parseV4(group);
        long i = iface == null ? 0 : Ip.parseV4(iface);
        if (g < 0 || i < 0) {
            return -EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mreq = arena.allocate(SIZEOF_IP_MREQ, 4);
            mreq.set(NET_INT, OFFSETOF_IP_MREQ_IMR_MULTIADDR, (int) g);
            mreq.set(NET_INT, OFFSETOF_IP_MREQ_IMR_INTERFACE, (int) i);
            return Sockets.setsockopt(fd, Constants.IPPROTO_IP,
                    join ? Constants.IP_ADD_MEMBERSHIP : Constants.IP_DROP_MEMBERSHIP,
                    mreq.address(), (int) SIZEOF_IP_MREQ);
        }
    }

    /**
     * Joins or leaves an IPv6 group: {@code struct ipv6_mreq { struct in6_addr ipv6mr_multiaddr;
     * unsigned int ipv6mr_interface; }}, the interface given as an address with a zone
     * ({@code ::%eth0}), as libuv takes it; the kernel picks one when {@code iface} is null.
     */
    public static int membership6(int fd, String group, String iface, boolean join) {
        byte[] g = Ip.parseV6(group);
        int index = iface == null ? 0 : interfaceIndex(iface);
        if (g == null) {
            return -EINVAL;
        }
        if (index < 0) {
            return index;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mreq = arena.allocate(SIZEOF_IPV6_MREQ, 4);
            MemorySegment.copy(g, 0, mreq, JAVA_BYTE, OFFSETOF_IPV6_MREQ_IPV6MR_MULTIADDR, 16);
            mreq.set(JAVA_INT, OFFSETOF_IPV6_MREQ_IPV6MR_INTERFACE, index);
            return Sockets.setsockopt(fd, Constants.IPPROTO_IPV6,
                    join ? Constants.IPV6_JOIN_GROUP : Constants.IPV6_LEAVE_GROUP,
                    mreq.address(), (int) SIZEOF_IPV6_MREQ);
        }
    }

    /**
     * Joins or leaves an IPv4 source-specific group: {@code struct ip_mreq_source { imr_multiaddr;
     * imr_interface; imr_sourceaddr; }}.
     */
    public static int sourceMembership4(int fd, String source, String group, String iface, boolean join) {
        long g = Ip.parseV4(group);
        long s = Ip.parseV4(source);
        long i = iface == null ? 0 : Ip.parseV4(iface);
        if (g < 0 || s < 0 || i < 0) {
            return -EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mreq = arena.allocate(SIZEOF_IP_MREQ_SOURCE, 4);
            mreq.set(NET_INT, OFFSETOF_IP_MREQ_SOURCE_IMR_MULTIADDR, (int) g);
            mreq.set(NET_INT, OFFSETOF_IP_MREQ_SOURCE_IMR_INTERFACE, (int) i);
            mreq.set(NET_INT, OFFSETOF_IP_MREQ_SOURCE_IMR_SOURCEADDR, (int) s);
            return Sockets.setsockopt(fd, Constants.IPPROTO_IP,
                    join ? Constants.IP_ADD_SOURCE_MEMBERSHIP : Constants.IP_DROP_SOURCE_MEMBERSHIP,
                    mreq.address(), (int) SIZEOF_IP_MREQ_SOURCE);
        }
    }

    /**
     * Joins or leaves an IPv6 source-specific group: {@code struct group_source_req { uint32_t
     * gsr_interface; struct sockaddr_storage gsr_group; struct sockaddr_storage gsr_source; }}.
     */
    public static int sourceMembership6(int fd, String source, String group, String iface, boolean join) {
        if (Ip.parseV6(group) == null || Ip.parseV6(source) == null) {
            return -EINVAL;
        }
        int index = iface == null ? 0 : interfaceIndex(iface);
        if (index < 0) {
            return index;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(SIZEOF_GROUP_SOURCE_REQ, 8);
            req.set(JAVA_INT, OFFSETOF_GROUP_SOURCE_REQ_GSR_INTERFACE, index);
            int r = SockAddr.encode(req.asSlice(OFFSETOF_GROUP_SOURCE_REQ_GSR_GROUP, SIZEOF_GROUP_SOURCE_REQ_GSR_GROUP), group, 0);
            if (r >= 0) {
                r = SockAddr.encode(req.asSlice(OFFSETOF_GROUP_SOURCE_REQ_GSR_SOURCE, SIZEOF_GROUP_SOURCE_REQ_GSR_SOURCE), source, 0);
            }
            if (r < 0) {
                return r;
            }
            return Sockets.setsockopt(fd, Constants.IPPROTO_IPV6,
                    join ? Constants.MCAST_JOIN_SOURCE_GROUP : Constants.MCAST_LEAVE_SOURCE_GROUP,
                    req.address(), (int) SIZEOF_GROUP_SOURCE_REQ);
        }
    }

    /**
     * Chooses the interface outgoing multicast leaves by, as {@code uv_udp_set_multicast_interface}
     * does: an IPv4 address sets {@code IP_MULTICAST_IF} ({@code struct in_addr}); an IPv6 address
     * sets {@code IPV6_MULTICAST_IF} to the index of its zone ({@code ::%eth0}, or 0 for none).
     */
    public static int multicastInterface(int fd, String iface) {
        long v4 = Ip.parseV4(iface);
        if (v4 >= 0) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment addr = arena.allocate(4, 4);
                addr.set(NET_INT, 0, (int) v4);
                return Sockets.setsockopt(fd, Constants.IPPROTO_IP, Constants.IP_MULTICAST_IF, addr.address(), 4);
            }
        }
        if (Ip.parseV6(iface) == null) {
            return -EINVAL;
        }
        int index = interfaceIndex(iface);
        return index < 0 ? index : setInt(fd, Constants.IPPROTO_IPV6, Constants.IPV6_MULTICAST_IF, index);
    }

    /**
     * The interface index named by the zone of an IPv6 address ({@code ::%eth0}, {@code ::%2}), 0
     * without a zone, {@code -EINVAL} for text that is not IPv6, {@code -ENODEV} for an unknown
     * interface name (libuv would silently take index 0, the kernel's choice).
     */
    static int interfaceIndex(String iface) {
        if (Ip.parseV6(iface) == null) {
            return -EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            int r = SockAddr.encode(sa, iface, 0);
            return r < 0 ? r : sa.get(JAVA_INT_UNALIGNED, OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID);
        }
    }
}
