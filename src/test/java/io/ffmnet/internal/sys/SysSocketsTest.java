package io.ffmnet.internal.sys;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET6;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLIN;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLOUT;
import static io.ffmnet.bindings.linux_x86_64.Constants.F_GETFL;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPPROTO_IPV6;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPPROTO_TCP;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPV6_V6ONLY;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.SHUT_WR;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_DGRAM;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_STREAM;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOL_SOCKET;
import static io.ffmnet.bindings.linux_x86_64.Constants.SO_ERROR;
import static io.ffmnet.bindings.linux_x86_64.Constants.SO_REUSEADDR;
import static io.ffmnet.bindings.linux_x86_64.Constants.SO_TYPE;
import static io.ffmnet.bindings.linux_x86_64.Constants.TCP_NODELAY;
import static io.ffmnet.bindings.linux_x86_64.Errno.EADDRINUSE;
import static io.ffmnet.bindings.linux_x86_64.Errno.EADDRNOTAVAIL;
import static io.ffmnet.bindings.linux_x86_64.Errno.EAFNOSUPPORT;
import static io.ffmnet.bindings.linux_x86_64.Errno.EAGAIN;
import static io.ffmnet.bindings.linux_x86_64.Errno.EBADF;
import static io.ffmnet.bindings.linux_x86_64.Errno.ECONNREFUSED;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINPROGRESS;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENODEV;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOPROTOOPT;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOTCONN;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOTSOCK;
import static io.ffmnet.bindings.linux_x86_64.Errno.EOPNOTSUPP;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_SOCKADDR_UN_SUN_PATH;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_IN;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_IN6;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sockets} against real sockets on loopback: each call's success path, and for each an
 * errno path with the exact {@code -errno} the wrapper must hand back. The datagram calls are in
 * {@link SysDatagramCallsTest}.
 */
@Timeout(60)
class SysSocketsTest extends SysSocketFixture {
    // ---- socket ----

    @Test
    void socketMakesANonBlockingCloseOnExecDescriptor() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertTrue((Fds.fcntl(fd, F_GETFL, 0) & O_NONBLOCK) != 0);
        assertEquals(SOCK_STREAM, intOption(fd, SOL_SOCKET, SO_TYPE));
    }

    @Test
    void socketAnswersEafnosupportForAnUnknownFamily() {
        assertEquals(-EAFNOSUPPORT, Sockets.socket(4242, SOCK_STREAM | SOCK_CLOEXEC, 0));
    }

    @Test
    void socketAnswersEinvalForAnUnknownType() {
        assertEquals(-EINVAL, Sockets.socket(AF_INET, 4242 | SOCK_CLOEXEC, 0));
    }

    // ---- bind, listen, accept4 ----

    @Test
    void bindTakesAnEphemeralPortThatGetsocknameReports() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(0, bind(fd, "127.0.0.1", 0));
        Addr local = localName(fd);
        assertEquals((int) SIZEOF_SOCKADDR_IN, local.length);
        assertEquals(AF_INET, SockAddr.family(local.segment));
        assertEquals("127.0.0.1", SockAddr.address(local.segment, local.length));
        assertTrue(SockAddr.port(local.segment) > 0);
    }

    @Test
    void bindAnswersEaddrinuseForATakenPort() {
        int first = listener();
        int second = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EADDRINUSE, bind(second, "127.0.0.1", localPort(first)));
    }

    @Test
    void bindAnswersEaddrnotavailForAnAddressNoInterfaceHas() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never configured here.
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EADDRNOTAVAIL, bind(fd, "192.0.2.1", 0));
    }

    @Test
    void bindAnswersEinvalForASocketAlreadyBound() {
        int fd = socket(AF_INET, SOCK_DGRAM);
        assertEquals(0, bind(fd, "127.0.0.1", 0));
        assertEquals(-EINVAL, bind(fd, "127.0.0.1", 0));
    }

    @Test
    void listenAnswersEopnotsuppOnADatagramSocket() {
        int fd = socket(AF_INET, SOCK_DGRAM);
        assertEquals(-EOPNOTSUPP, Sockets.listen(fd, 16));
    }

    @Test
    void accept4AnswersEagainWhileNoConnectionIsWaiting() {
        int server = listener();
        assertEquals(-EAGAIN, Sockets.accept4(server, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC));
    }

    @Test
    void accept4AnswersEinvalOnASocketThatIsNotListening() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EINVAL, Sockets.accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC));
    }

    @Test
    void accept4ReturnsTheConnectionWithThePeersAddress() {
        int server = listener();
        int client = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EINPROGRESS, connect(client, "127.0.0.1", localPort(server)));
        awaitReady(server, EPOLLIN);
        MemorySegment peer = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment peerLength = socklen(SockAddr.MAX_SIZE);
        int accepted = track(Sockets.accept4(server, peer.address(), peerLength.address(),
                SOCK_NONBLOCK | SOCK_CLOEXEC));
        assertEquals((int) SIZEOF_SOCKADDR_IN, peerLength.get(JAVA_INT, 0));
        assertEquals("127.0.0.1", SockAddr.address(peer, peerLength.get(JAVA_INT, 0)));
        assertEquals(localPort(client), SockAddr.port(peer));
        assertTrue((Fds.fcntl(accepted, F_GETFL, 0) & O_NONBLOCK) != 0, "accept4 applied SOCK_NONBLOCK");
    }

    // ---- connect ----

    @Test
    void connectAnswersEinprogressThenSoErrorZeroOnceConnected() {
        int server = listener();
        int client = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EINPROGRESS, connect(client, "127.0.0.1", localPort(server)));
        awaitReady(client, EPOLLOUT);
        assertEquals(0, intOption(client, SOL_SOCKET, SO_ERROR));
        Addr peer = peerName(client);
        assertEquals(localPort(server), SockAddr.port(peer.segment));
    }

    @Test
    void connectToAPortWithNoListenerReportsEconnrefusedThroughSoError() {
        // A bound socket that does not listen holds the port and answers SYN with RST.
        int holder = socket(AF_INET, SOCK_STREAM);
        assertEquals(0, bind(holder, "127.0.0.1", 0));
        int client = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EINPROGRESS, connect(client, "127.0.0.1", localPort(holder)));
        awaitReady(client, EPOLLOUT);
        assertEquals(ECONNREFUSED, intOption(client, SOL_SOCKET, SO_ERROR));
        // SO_ERROR is cleared by reading it.
        assertEquals(0, intOption(client, SOL_SOCKET, SO_ERROR));
    }

    @Test
    void connectOnABlockingSocketAnswersEconnrefusedDirectly() {
        int holder = socket(AF_INET, SOCK_STREAM);
        assertEquals(0, bind(holder, "127.0.0.1", 0));
        // Blocking, but a refusal on loopback comes back within the call.
        int client = track(Sockets.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        assertEquals(-ECONNREFUSED, connect(client, "127.0.0.1", localPort(holder)));
    }

    @Test
    void connectAnswersEafnosupportForAnIpv6AddressOnAnIpv4Socket() {
        int client = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EAFNOSUPPORT, connect(client, "::1", 9));
    }

    // ---- shutdown ----

    @Test
    void shutdownAnswersEnotconnOnAnUnconnectedSocket() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(-ENOTCONN, Sockets.shutdown(fd, SHUT_WR));
    }

    @Test
    void shutdownOfTheWriteSideGivesThePeerEndOfFile() {
        int[] pair = tcpPair();
        assertEquals(0, Sockets.shutdown(pair[0], SHUT_WR));
        awaitReady(pair[1], EPOLLIN);
        MemorySegment buf = arena.allocate(16);
        assertEquals(0, Fds.read(pair[1], buf.address(), 16));
    }

    @Test
    void shutdownAnswersEbadfForADescriptorThatIsNotOpen() {
        assertEquals(-EBADF, Sockets.shutdown(-1, SHUT_WR));
    }

    // ---- setsockopt, getsockopt ----

    @Test
    void setsockoptValuesReadBackThroughGetsockopt() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(0, intOption(fd, SOL_SOCKET, SO_REUSEADDR));
        assertEquals(0, setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1));
        assertEquals(1, intOption(fd, SOL_SOCKET, SO_REUSEADDR));
        assertEquals(0, setIntOption(fd, IPPROTO_TCP, TCP_NODELAY, 1));
        assertEquals(1, intOption(fd, IPPROTO_TCP, TCP_NODELAY));
        assertEquals(0, setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 0));
        assertEquals(0, intOption(fd, SOL_SOCKET, SO_REUSEADDR));
    }

    @Test
    void getsockoptReportsTheLengthItWrote() {
        int fd = socket(AF_INET, SOCK_STREAM);
        MemorySegment value = arena.allocate(16);
        MemorySegment length = socklen(16);
        assertEquals(0, Sockets.getsockopt(fd, SOL_SOCKET, SO_TYPE, value.address(), length.address()));
        assertEquals(4, length.get(JAVA_INT, 0));
    }

    @Test
    void socketOptionsAnswerEbadfForADescriptorThatIsNotOpen() {
        MemorySegment value = arena.allocate(JAVA_INT);
        assertEquals(-EBADF, Sockets.setsockopt(-1, SOL_SOCKET, SO_REUSEADDR, value.address(), 4));
        assertEquals(-EBADF, Sockets.getsockopt(-1, SOL_SOCKET, SO_REUSEADDR, value.address(),
                socklen(4).address()));
    }

    @Test
    void socketOptionsAnswerEnoprotooptForAnUnknownOption() {
        int fd = socket(AF_INET, SOCK_STREAM);
        MemorySegment value = arena.allocate(JAVA_INT);
        assertEquals(-ENOPROTOOPT, Sockets.setsockopt(fd, SOL_SOCKET, 4242, value.address(), 4));
        assertEquals(-ENOPROTOOPT, Sockets.getsockopt(fd, SOL_SOCKET, 4242, value.address(),
                socklen(4).address()));
    }

    @Test
    void socketOptionsAnswerEnotsockOnAPipe() {
        MemorySegment ends = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Fds.pipe2(ends.address(), O_NONBLOCK | O_CLOEXEC));
        track(ends.getAtIndex(JAVA_INT, 0));
        track(ends.getAtIndex(JAVA_INT, 1));
        MemorySegment value = arena.allocate(JAVA_INT);
        assertEquals(-ENOTSOCK, Sockets.getsockopt(ends.getAtIndex(JAVA_INT, 0), SOL_SOCKET, SO_TYPE,
                value.address(), socklen(4).address()));
    }

    // ---- getsockname, getpeername ----

    @Test
    void getpeernameAnswersEnotconnOnAnUnconnectedSocket() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(0, bind(fd, "127.0.0.1", 0));
        MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, 8);
        assertEquals(-ENOTCONN, Sockets.getpeername(fd, addr.address(), socklen(SockAddr.MAX_SIZE).address()));
    }

    @Test
    void getsocknameAnswersEbadfForADescriptorThatIsNotOpen() {
        MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, 8);
        assertEquals(-EBADF, Sockets.getsockname(-1, addr.address(), socklen(SockAddr.MAX_SIZE).address()));
    }

    @Test
    void getsocknameOfAnUnboundSocketIsTheWildcardWithPortZero() {
        int fd = socket(AF_INET, SOCK_DGRAM);
        Addr local = localName(fd);
        assertEquals("0.0.0.0", SockAddr.address(local.segment, local.length));
        assertEquals(0, SockAddr.port(local.segment));
    }

    // ---- socketpair ----

    @Test
    void socketpairConnectsTwoUnixSockets() {
        int[] pair = socketpair();
        MemorySegment payload = bytes("pair");
        assertEquals(4, Fds.write(pair[0], payload.address(), 4));
        MemorySegment buf = arena.allocate(16);
        assertEquals(4, Fds.read(pair[1], buf.address(), 16));
        assertEquals("pair", string(buf, 4));
        assertEquals(SOCK_STREAM, intOption(pair[1], SOL_SOCKET, SO_TYPE));
    }

    @Test
    void socketpairAnswersEopnotsuppForInternetSockets() {
        MemorySegment sv = arena.allocate(JAVA_INT, 2);
        assertEquals(-EOPNOTSUPP, Sockets.socketpair(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, sv.address()));
    }

    // ---- if_nametoindex ----

    @Test
    void ifNametoindexFindsTheLoopbackInterface() {
        int index = Sockets.ifNametoindex(arena.allocateFrom("lo").address());
        assertTrue(index > 0, "if_nametoindex(\"lo\") = " + index);
    }

    @Test
    void ifNametoindexAnswersEnodevForANameNoInterfaceHas() {
        assertEquals(-ENODEV, Sockets.ifNametoindex(arena.allocateFrom("nosuchif0").address()));
    }

    // ---- IPv6 ----

    @Test
    void ipv6ConnectionsWorkOnTheLoopbackAddress() {
        int server = track6(Sockets.socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        int bound = bind(server, "::1", 0);
        Assumptions.assumeTrue(bound != -EADDRNOTAVAIL, "no ::1 on lo");
        assertEquals(0, bound);
        assertEquals(0, Sockets.listen(server, 16));
        Addr local = localName(server);
        assertEquals((int) SIZEOF_SOCKADDR_IN6, local.length);
        assertEquals("::1", SockAddr.address(local.segment, local.length));

        int client = socket(AF_INET6, SOCK_STREAM);
        assertEquals(-EINPROGRESS, connect(client, "::1", SockAddr.port(local.segment)));
        awaitReady(server, EPOLLIN);
        MemorySegment peer = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment peerLength = socklen(SockAddr.MAX_SIZE);
        track(Sockets.accept4(server, peer.address(), peerLength.address(), SOCK_NONBLOCK | SOCK_CLOEXEC));
        assertEquals("::1", SockAddr.address(peer, peerLength.get(JAVA_INT, 0)));
        assertEquals(localPort(client), SockAddr.port(peer));
        awaitReady(client, EPOLLOUT);
        assertEquals(0, intOption(client, SOL_SOCKET, SO_ERROR));
    }

    @Test
    void ipv6OnlySocketsRefuseIpv4MappedAddresses() {
        int fd = track6(Sockets.socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        assertEquals(0, setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1));
        assertEquals(1, intOption(fd, IPPROTO_IPV6, IPV6_V6ONLY));
        assertEquals(-EINVAL, bind(fd, "::ffff:127.0.0.1", 0));
    }

    // ---- Unix domain ----

    @Test
    void unixSocketsConnectThroughAPathInTheFilesystem(@TempDir Path dir) {
        String path = dir.resolve("s.sock").toString();
        int server = socket(AF_UNIX, SOCK_STREAM);
        Addr addr = unix(path);
        assertEquals(0, Sockets.bind(server, addr.segment.address(), addr.length));
        assertTrue(Files.exists(Path.of(path)), "bind made the socket file");
        assertEquals(0, Sockets.listen(server, 16));
        Addr local = localName(server);
        assertEquals(path, SockAddr.address(local.segment, local.length));

        int client = socket(AF_UNIX, SOCK_STREAM);
        // A Unix connect completes at once while the backlog has room, even non-blocking.
        assertEquals(0, Sockets.connect(client, addr.segment.address(), addr.length));
        Addr peer = peerName(client);
        assertEquals(path, SockAddr.address(peer.segment, peer.length));

        MemorySegment from = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment fromLength = socklen(SockAddr.MAX_SIZE);
        track(Sockets.accept4(server, from.address(), fromLength.address(), SOCK_NONBLOCK | SOCK_CLOEXEC));
        // The client never bound: Node reports its address as an empty path.
        assertEquals((int) OFFSETOF_SOCKADDR_UN_SUN_PATH, fromLength.get(JAVA_INT, 0));
        assertEquals("", SockAddr.address(from, fromLength.get(JAVA_INT, 0)));

        int second = socket(AF_UNIX, SOCK_STREAM);
        assertEquals(-EADDRINUSE, Sockets.bind(second, addr.segment.address(), addr.length));
    }

    @Test
    void unixConnectAnswersEconnrefusedForASocketFileNobodyListensOn(@TempDir Path dir) {
        String path = dir.resolve("idle.sock").toString();
        int bound = socket(AF_UNIX, SOCK_STREAM);
        Addr addr = unix(path);
        assertEquals(0, Sockets.bind(bound, addr.segment.address(), addr.length));
        int client = socket(AF_UNIX, SOCK_STREAM);
        assertEquals(-ECONNREFUSED, Sockets.connect(client, addr.segment.address(), addr.length));
    }

    @Test
    void unixSocketsConnectThroughAnAbstractName() {
        String name = "\0ffmnet-test-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        int server = socket(AF_UNIX, SOCK_STREAM);
        Addr addr = unix(name);
        assertEquals(0, Sockets.bind(server, addr.segment.address(), addr.length));
        assertEquals(0, Sockets.listen(server, 16));
        Addr local = localName(server);
        assertEquals(addr.length, local.length);
        assertEquals(name, SockAddr.address(local.segment, local.length));

        int client = socket(AF_UNIX, SOCK_STREAM);
        assertEquals(0, Sockets.connect(client, addr.segment.address(), addr.length));
        int accepted = track(Sockets.accept4(server, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC));
        MemorySegment payload = bytes("abstract");
        assertEquals(8, Fds.write(client, payload.address(), 8));
        MemorySegment buf = arena.allocate(16);
        assertEquals(8, Fds.read(accepted, buf.address(), 16));
        assertEquals("abstract", string(buf, 8));
    }
}
