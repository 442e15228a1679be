package io.ffmnet.internal.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET6;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPPROTO_IP;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPPROTO_IPV6;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPV6_MULTICAST_IF;
import static io.ffmnet.bindings.linux_x86_64.Constants.IP_MULTICAST_TTL;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_DGRAM;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Errno.EADDRINUSE;
import static io.ffmnet.bindings.linux_x86_64.Errno.EADDRNOTAVAIL;
import static io.ffmnet.bindings.linux_x86_64.Errno.EBADF;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENODEV;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link UdpOptions}: the multicast structs reach the kernel as libuv fills them. */
@Timeout(60)
class UdpOptionsTest {
    private int fd = -1;

    @AfterEach
    void close() {
        if (fd >= 0) {
            Fds.close(fd);
        }
    }

    private int socket(int family, String wildcard) {
        fd = Sockets.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            assertEquals(0, Sockets.bind(fd, sa.address(), SockAddr.encode(sa, wildcard, 0)));
        }
        return fd;
    }

    @Test
    void intOptionsGoAndComeBack() {
        socket(AF_INET, "0.0.0.0");
        assertEquals(0, UdpOptions.setInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 42));
        assertEquals(42, UdpOptions.getInt(fd, IPPROTO_IP, IP_MULTICAST_TTL));
        assertEquals(-EBADF, UdpOptions.setInt(-1, IPPROTO_IP, IP_MULTICAST_TTL, 1));
        assertEquals(-EBADF, UdpOptions.getInt(-1, IPPROTO_IP, IP_MULTICAST_TTL));
    }

    @Test
    void ipv4GroupsAreJoinedOnceAndLeftOnce() {
        socket(AF_INET, "0.0.0.0");
        assertEquals(0, UdpOptions.membership4(fd, "239.9.9.9", null, true));
        assertEquals(-EADDRINUSE, UdpOptions.membership4(fd, "239.9.9.9", null, true));
        assertEquals(0, UdpOptions.membership4(fd, "239.9.9.9", null, false));
        assertEquals(-EADDRNOTAVAIL, UdpOptions.membership4(fd, "239.9.9.9", null, false));
        assertEquals(-EINVAL, UdpOptions.membership4(fd, "239.9.9.x", null, true));
        assertEquals(-EINVAL, UdpOptions.membership4(fd, "239.9.9.9", "::1", true));
        assertEquals(0, UdpOptions.membership4(fd, "239.9.9.8", "127.0.0.1", true));
    }

    @Test
    void sourceSpecificGroupsTakeBothAddresses() {
        socket(AF_INET, "0.0.0.0");
        assertEquals(0, UdpOptions.sourceMembership4(fd, "127.0.0.1", "232.9.9.9", null, true));
        assertEquals(0, UdpOptions.sourceMembership4(fd, "127.0.0.1", "232.9.9.9", null, false));
        assertEquals(-EINVAL, UdpOptions.sourceMembership4(fd, "nope", "232.9.9.9", null, true));
    }

    @Test
    void ipv6InterfacesAreNamedByTheZoneOfAnAddress() {
        socket(AF_INET6, "::");
        assertEquals(1, UdpOptions.interfaceIndex("::%lo"));
        assertEquals(0, UdpOptions.interfaceIndex("::"));
        assertEquals(-ENODEV, UdpOptions.interfaceIndex("::%no-such-if"));
        assertEquals(-EINVAL, UdpOptions.interfaceIndex("10.0.0.1"));
        assertEquals(0, UdpOptions.multicastInterface(fd, "::%lo"));
        assertEquals(1, UdpOptions.getInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF));
        assertEquals(0, UdpOptions.membership6(fd, "ff02::1:ff00:9", "::%lo", true));
        assertEquals(0, UdpOptions.membership6(fd, "ff02::1:ff00:9", "::%lo", false));
        assertEquals(0, UdpOptions.sourceMembership6(fd, "::1", "ff3e::9", "::%lo", true));
        assertEquals(0, UdpOptions.sourceMembership6(fd, "::1", "ff3e::9", "::%lo", false));
        assertEquals(-EINVAL, UdpOptions.multicastInterface(fd, "eth0"));
    }
}
