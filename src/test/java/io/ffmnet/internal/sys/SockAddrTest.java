package io.ffmnet.internal.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET6;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNSPEC;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENAMETOOLONG;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENODEV;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_SOCKADDR_UN_SUN_PATH;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_IN;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_IN6;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_UN_SUN_PATH;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SockAddr}: {@code struct sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un}
 * written and read byte for byte (ports and IPv4 addresses in network order, the family in host
 * order), and the errors for text that names no address.
 */
@Timeout(60)
class SockAddrTest {
    private static final HexFormat HEX = HexFormat.of();

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    @Test
    void encodesAnIpv4AddressAsSockaddrIn() {
        MemorySegment to = dirtyStorage();
        assertEquals((int) SIZEOF_SOCKADDR_IN, SockAddr.encode(to, "127.0.0.1", 8080));
        // sin_family 2 (little-endian), sin_port 0x1f90, sin_addr 127.0.0.1, sin_zero.
        assertEquals("02001f907f0000010000000000000000", hex(to, SIZEOF_SOCKADDR_IN));
        assertEquals(AF_INET, SockAddr.family(to));
        assertEquals(8080, SockAddr.port(to));
        assertEquals("127.0.0.1", SockAddr.address(to, (int) SIZEOF_SOCKADDR_IN));
    }

    @Test
    void encodesAnIpv6AddressAsSockaddrIn6() {
        MemorySegment to = dirtyStorage();
        assertEquals((int) SIZEOF_SOCKADDR_IN6, SockAddr.encode(to, "2001:db8::1", 443));
        // sin6_family 10, sin6_port 0x01bb, sin6_flowinfo 0, sin6_addr, sin6_scope_id 0.
        assertEquals("0a0001bb00000000" + "20010db8000000000000000000000001" + "00000000",
                hex(to, SIZEOF_SOCKADDR_IN6));
        assertEquals(AF_INET6, SockAddr.family(to));
        assertEquals(443, SockAddr.port(to));
        assertEquals("2001:db8::1", SockAddr.address(to, (int) SIZEOF_SOCKADDR_IN6));
    }

    @Test
    void decodesTheHighestPortAsUnsigned() {
        MemorySegment to = dirtyStorage();
        SockAddr.encode(to, "10.0.0.1", 65535);
        assertEquals(65535, SockAddr.port(to));
        SockAddr.encode(to, "::", 32768);
        assertEquals(32768, SockAddr.port(to));
    }

    @Test
    void printsIpv4MappedAddressesWithTheirIpv4Tail() {
        MemorySegment to = dirtyStorage();
        SockAddr.encode(to, "::FFFF:7f00:1", 1);
        assertEquals("::ffff:127.0.0.1", SockAddr.address(to, (int) SIZEOF_SOCKADDR_IN6));
    }

    @Test
    void turnsANamedZoneIntoTheInterfaceIndexOfIfNametoindex() {
        int lo;
        try (Arena names = Arena.ofConfined()) {
            lo = Sockets.ifNametoindex(names.allocateFrom("lo").address());
        }
        assertTrue(lo > 0, "if_nametoindex(\"lo\") = " + lo);
        MemorySegment to = dirtyStorage();
        assertEquals((int) SIZEOF_SOCKADDR_IN6, SockAddr.encode(to, "fe80::1%lo", 0));
        assertEquals(lo, to.get(JAVA_INT, OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID));
        // Printed back as the number, as libuv does for a scope it does not map back to a name.
        assertEquals("fe80::1%" + lo, SockAddr.address(to, (int) SIZEOF_SOCKADDR_IN6));
    }

    @Test
    void takesANumericZoneAsTheScopeId() {
        MemorySegment to = dirtyStorage();
        assertEquals((int) SIZEOF_SOCKADDR_IN6, SockAddr.encode(to, "fe80::1%7", 0));
        assertEquals(7, to.get(JAVA_INT, OFFSETOF_SOCKADDR_IN6_SIN6_SCOPE_ID));
        assertEquals("fe80::1%7", SockAddr.address(to, (int) SIZEOF_SOCKADDR_IN6));
    }

    @Test
    void answersEnodevForAZoneThatNamesNoInterface() {
        assertEquals(-ENODEV, SockAddr.encode(dirtyStorage(), "fe80::1%nosuchif0", 80));
        // Longer than IF_NAMESIZE: glibc answers ENODEV without asking the kernel.
        assertEquals(-ENODEV, SockAddr.encode(dirtyStorage(), "fe80::1%abcdefghijklmnopqrstuvwxyz", 80));
    }

    @Test
    void answersEinvalForANumericZoneBeyondThirtyTwoBits() {
        assertEquals(-EINVAL, SockAddr.encode(dirtyStorage(), "fe80::1%4294967296", 80));
    }

    @Test
    void answersEinvalForTextThatIsNoIpAddress() {
        for (String s : List.of("", "localhost", "1.2.3", "256.1.1.1", "01.2.3.4", "::g", "1::2::3",
                "::١", "١٢٧.0.0.1", "fe80::1%eth_0", "fe80::1%", "1.2.3.4%lo")) {
            assertEquals(-EINVAL, SockAddr.encode(dirtyStorage(), s, 80), s);
        }
    }

    @Test
    void encodesAFilesystemPathWithItsTerminatingNul() {
        MemorySegment to = dirtyStorage();
        String path = "/tmp/ffmnet.sock";
        int length = SockAddr.encodeUnix(to, path);
        assertEquals((int) OFFSETOF_SOCKADDR_UN_SUN_PATH + path.length() + 1, length);
        assertEquals(AF_UNIX, SockAddr.family(to));
        assertEquals(0, to.get(JAVA_BYTE, OFFSETOF_SOCKADDR_UN_SUN_PATH + path.length()));
        assertEquals(path, SockAddr.address(to, length));
        assertEquals(-1, SockAddr.port(to));
    }

    @Test
    void countsAPathsLengthInUtf8Bytes() {
        MemorySegment to = dirtyStorage();
        String path = "/tmp/sökét-ソケット";
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        assertEquals((int) OFFSETOF_SOCKADDR_UN_SUN_PATH + bytes + 1, SockAddr.encodeUnix(to, path));
        assertEquals(path, SockAddr.address(to, (int) OFFSETOF_SOCKADDR_UN_SUN_PATH + bytes + 1));
    }

    @Test
    void encodesAnAbstractNameWithoutATerminatingNul() {
        MemorySegment to = dirtyStorage();
        String name = "\0ffmnet";
        int length = SockAddr.encodeUnix(to, name);
        assertEquals((int) OFFSETOF_SOCKADDR_UN_SUN_PATH + name.length(), length);
        // The length, not a NUL, ends an abstract name; it keeps its leading NUL when read back.
        assertEquals(name, SockAddr.address(to, length));
    }

    @Test
    void readsAPathUpToTheKernelsLengthOrTheFirstNul() {
        MemorySegment to = dirtyStorage();
        int length = SockAddr.encodeUnix(to, "/a/b");
        // getsockname may report sizeof(sockaddr_un) for a path; the NUL still ends it.
        assertEquals("/a/b", SockAddr.address(to, 110));
        assertEquals("/a/b", SockAddr.address(to, length - 1));
    }

    @Test
    void readsAnUnnamedUnixSocketAsAnEmptyPath() {
        MemorySegment to = dirtyStorage();
        SockAddr.encodeUnix(to, "/ignored");
        assertEquals("", SockAddr.address(to, (int) OFFSETOF_SOCKADDR_UN_SUN_PATH));
    }

    @Test
    void answersEnametoolongForAPathThatLeavesNoRoomForItsNul() {
        int room = (int) SIZEOF_SOCKADDR_UN_SUN_PATH;
        MemorySegment to = dirtyStorage();
        String longest = "/" + "p".repeat(room - 2);
        assertEquals((int) OFFSETOF_SOCKADDR_UN_SUN_PATH + room, SockAddr.encodeUnix(to, longest));
        assertEquals(longest, SockAddr.address(to, (int) OFFSETOF_SOCKADDR_UN_SUN_PATH + room));
        assertEquals(-ENAMETOOLONG, SockAddr.encodeUnix(to, longest + "p"));
        assertEquals(-ENAMETOOLONG, SockAddr.encodeUnix(to, "/" + "ü".repeat(room / 2)));
    }

    @Test
    void letsAnAbstractNameFillTheWholePath() {
        int room = (int) SIZEOF_SOCKADDR_UN_SUN_PATH;
        MemorySegment to = dirtyStorage();
        String longest = "\0" + "a".repeat(room - 1);
        assertEquals((int) OFFSETOF_SOCKADDR_UN_SUN_PATH + room, SockAddr.encodeUnix(to, longest));
        assertEquals(longest, SockAddr.address(to, (int) OFFSETOF_SOCKADDR_UN_SUN_PATH + room));
        assertEquals(-ENAMETOOLONG, SockAddr.encodeUnix(to, longest + "a"));
    }

    @Test
    void knowsNoAddressOrPortForOtherFamilies() {
        MemorySegment to = arena.allocate(SockAddr.MAX_SIZE, 8);
        assertEquals(AF_UNSPEC, SockAddr.family(to));
        assertNull(SockAddr.address(to, SockAddr.MAX_SIZE));
        assertEquals(-1, SockAddr.port(to));
    }

    @Test
    void namesFamiliesAsNodeDoes() {
        assertEquals("IPv4", SockAddr.familyName(AF_INET));
        assertEquals("IPv6", SockAddr.familyName(AF_INET6));
        assertNull(SockAddr.familyName(AF_UNIX));
    }

    /** A sockaddr_storage full of 0xff, so a field encode forgets to clear shows up. */
    private MemorySegment dirtyStorage() {
        return arena.allocate(SockAddr.MAX_SIZE, 8).fill((byte) 0xff);
    }

    private static String hex(MemorySegment segment, long length) {
        return HEX.formatHex(segment.asSlice(0, length).toArray(JAVA_BYTE));
    }
}
