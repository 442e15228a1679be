package io.ffmnet.internal.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET6;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLIN;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLOUT;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CTL_ADD;
import static io.ffmnet.bindings.linux_x86_64.Constants.F_GETFL;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPPROTO_IPV6;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPPROTO_TCP;
import static io.ffmnet.bindings.linux_x86_64.Constants.IPV6_V6ONLY;
import static io.ffmnet.bindings.linux_x86_64.Constants.MSG_TRUNC;
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
import static io.ffmnet.bindings.linux_x86_64.Errno.EDESTADDRREQ;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINPROGRESS;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENODEV;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOPROTOOPT;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOTCONN;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOTSOCK;
import static io.ffmnet.bindings.linux_x86_64.Errno.EOPNOTSUPP;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_IOVEC_IOV_BASE;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_IOVEC_IOV_LEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MMSGHDR_MSG_HDR;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MMSGHDR_MSG_LEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_FLAGS;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_IOV;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_IOVLEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_NAME;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_NAMELEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_SOCKADDR_UN_SUN_PATH;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_EPOLL_EVENT;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_IOVEC;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_MMSGHDR;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_MSGHDR;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_IN;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_IN6;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sockets} against real sockets on loopback: each call's success path, and for each an
 * errno path with the exact {@code -errno} the wrapper must hand back.
 */
@Timeout(60)
class SysSocketsTest {
    /** Bounds a wait for readiness that must come; not a measurement. */
    private static final int READY_WAIT_MS = 10_000;

    private final Arena arena = Arena.ofConfined();
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        for (int fd : fds) {
            assertEquals(0, Fds.close(fd), "close(" + fd + ")");
        }
        arena.close();
    }

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

    // ---- recvfrom, sendto ----

    @Test
    void sendtoAndRecvfromCarryADatagramAndItsSenderOverLoopback() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        MemorySegment buf = arena.allocate(64);
        assertEquals(-EAGAIN, Sockets.recvfrom(b, buf.address(), 64, 0, 0, 0));

        Addr to = ip("127.0.0.1", localPort(b));
        MemorySegment payload = bytes("ping");
        assertEquals(4, Sockets.sendto(a, payload.address(), 4, 0, to.segment.address(), to.length));

        awaitReady(b, EPOLLIN);
        MemorySegment from = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment fromLength = socklen(SockAddr.MAX_SIZE);
        long n = Sockets.recvfrom(b, buf.address(), 64, 0, from.address(), fromLength.address());
        assertEquals(4, n);
        assertEquals("ping", string(buf, n));
        assertEquals("127.0.0.1", SockAddr.address(from, fromLength.get(JAVA_INT, 0)));
        assertEquals(localPort(a), SockAddr.port(from));
    }

    @Test
    void sendtoAnswersEdestaddrreqWithoutAnAddressOnAnUnconnectedSocket() {
        int a = udp("127.0.0.1");
        MemorySegment payload = bytes("x");
        assertEquals(-EDESTADDRREQ, Sockets.sendto(a, payload.address(), 1, 0, 0, 0));
    }

    @Test
    void sendtoAnswersEinvalForAnAddressLengthTooShort() {
        int a = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", 9);
        MemorySegment payload = bytes("x");
        assertEquals(-EINVAL, Sockets.sendto(a, payload.address(), 1, 0, to.segment.address(), 3));
    }

    // ---- recvmsg, sendmsg ----

    @Test
    void sendmsgGathersIovecsAndRecvmsgScattersThemWithTheSendersName() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", localPort(b));

        MemorySegment hello = bytes("hello, ");
        MemorySegment world = bytes("world");
        MemorySegment sendIov = iovecs(hello, world);
        MemorySegment sendHdr = msghdr(to.segment, to.length, sendIov, 2);
        assertEquals(12, Sockets.sendmsg(a, sendHdr.address(), 0));

        awaitReady(b, EPOLLIN);
        MemorySegment first = arena.allocate(5);
        MemorySegment rest = arena.allocate(32);
        MemorySegment name = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment recvHdr = msghdr(name, SockAddr.MAX_SIZE, iovecs(first, rest), 2);
        assertEquals(12, Sockets.recvmsg(b, recvHdr.address(), 0));
        assertEquals("hello", string(first, 5));
        assertEquals(", world", string(rest, 7));
        int nameLength = recvHdr.get(JAVA_INT, OFFSETOF_MSGHDR_MSG_NAMELEN);
        assertEquals((int) SIZEOF_SOCKADDR_IN, nameLength);
        assertEquals("127.0.0.1", SockAddr.address(name, nameLength));
        assertEquals(localPort(a), SockAddr.port(name));
        assertEquals(0, recvHdr.get(JAVA_INT, OFFSETOF_MSGHDR_MSG_FLAGS));
    }

    @Test
    void recvmsgFlagsATruncatedDatagramWithMsgTrunc() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", localPort(b));
        MemorySegment payload = bytes("0123456789");
        assertEquals(10, Sockets.sendto(a, payload.address(), 10, 0, to.segment.address(), to.length));

        awaitReady(b, EPOLLIN);
        MemorySegment small = arena.allocate(4);
        MemorySegment hdr = msghdr(MemorySegment.NULL, 0, iovecs(small), 1);
        assertEquals(4, Sockets.recvmsg(b, hdr.address(), 0));
        assertEquals("0123", string(small, 4));
        assertEquals(MSG_TRUNC, hdr.get(JAVA_INT, OFFSETOF_MSGHDR_MSG_FLAGS) & MSG_TRUNC);
    }

    @Test
    void recvmsgAnswersEagainWhenNothingIsQueued() {
        int b = udp("127.0.0.1");
        MemorySegment hdr = msghdr(MemorySegment.NULL, 0, iovecs(arena.allocate(8)), 1);
        assertEquals(-EAGAIN, Sockets.recvmsg(b, hdr.address(), 0));
    }

    @Test
    void sendmsgAnswersEdestaddrreqWithoutANameOnAnUnconnectedSocket() {
        int a = udp("127.0.0.1");
        MemorySegment hdr = msghdr(MemorySegment.NULL, 0, iovecs(bytes("x")), 1);
        assertEquals(-EDESTADDRREQ, Sockets.sendmsg(a, hdr.address(), 0));
    }

    // ---- recvmmsg, sendmmsg ----

    @Test
    void sendmmsgAndRecvmmsgMoveSeveralDatagramsPerCall() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", localPort(b));
        String[] words = {"one", "two!", "three"};

        MemorySegment out = arena.allocate(SIZEOF_MMSGHDR * words.length, 8);
        for (int i = 0; i < words.length; i++) {
            MemorySegment hdr = out.asSlice(i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR, SIZEOF_MSGHDR);
            fillMsghdr(hdr, to.segment, to.length, iovecs(bytes(words[i])), 1);
        }
        assertEquals(words.length, Sockets.sendmmsg(a, out.address(), words.length, 0));
        for (int i = 0; i < words.length; i++) {
            assertEquals(words[i].length(), out.get(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_LEN));
        }

        int batch = 8;
        MemorySegment in = arena.allocate(SIZEOF_MMSGHDR * batch, 8);
        MemorySegment[] buffers = new MemorySegment[batch];
        MemorySegment[] names = new MemorySegment[batch];
        for (int i = 0; i < batch; i++) {
            buffers[i] = arena.allocate(32);
            names[i] = arena.allocate(SockAddr.MAX_SIZE, 8);
            MemorySegment hdr = in.asSlice(i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR, SIZEOF_MSGHDR);
            fillMsghdr(hdr, names[i], SockAddr.MAX_SIZE, iovecs(buffers[i]), 1);
        }
        List<String> received = new ArrayList<>();
        while (received.size() < words.length) {
            awaitReady(b, EPOLLIN);
            int got = Sockets.recvmmsg(b, in.address(), batch, 0);
            assertTrue(got > 0, "recvmmsg = " + got);
            for (int i = 0; i < got; i++) {
                int length = in.get(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_LEN);
                received.add(string(buffers[i], length));
                int nameLength = in.get(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR
                        + OFFSETOF_MSGHDR_MSG_NAMELEN);
                assertEquals(localPort(a), SockAddr.port(names[i]));
                assertEquals("127.0.0.1", SockAddr.address(names[i], nameLength));
                // The kernel rewrote msg_namelen: restore the room for the next call.
                in.set(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR + OFFSETOF_MSGHDR_MSG_NAMELEN,
                        SockAddr.MAX_SIZE);
            }
        }
        assertEquals(List.of(words), received);
        assertEquals(-EAGAIN, Sockets.recvmmsg(b, in.address(), batch, 0));
    }

    @Test
    void sendmmsgAnswersEbadfForADescriptorThatIsNotOpen() {
        MemorySegment out = arena.allocate(SIZEOF_MMSGHDR, 8);
        assertEquals(-EBADF, Sockets.sendmmsg(-1, out.address(), 1, 0));
        assertEquals(-EBADF, Sockets.recvmmsg(-1, out.address(), 1, 0));
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

    // ---- helpers ----

    private record Addr(MemorySegment segment, int length) {}

    private int track(int fd) {
        assertTrue(fd >= 0, () -> "expected a descriptor, got " + Errors.code(fd));
        fds.add(fd);
        return fd;
    }

    /** Like {@link #track}, but skips the test when the kernel has no IPv6. */
    private int track6(int fd) {
        Assumptions.assumeTrue(fd != -EAFNOSUPPORT, "no IPv6 in this kernel");
        return track(fd);
    }

    private int socket(int domain, int type) {
        return track(Sockets.socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }

    private int udp(String ip) {
        int fd = socket(AF_INET, SOCK_DGRAM);
        assertEquals(0, bind(fd, ip, 0));
        return fd;
    }

    private int listener() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(0, bind(fd, "127.0.0.1", 0));
        assertEquals(0, Sockets.listen(fd, 16));
        return fd;
    }

    /** A connected TCP pair on loopback: {client, accepted}. */
    private int[] tcpPair() {
        int server = listener();
        int client = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EINPROGRESS, connect(client, "127.0.0.1", localPort(server)));
        awaitReady(server, EPOLLIN);
        int accepted = track(Sockets.accept4(server, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC));
        awaitReady(client, EPOLLOUT);
        assertEquals(0, intOption(client, SOL_SOCKET, SO_ERROR));
        return new int[] {client, accepted};
    }

    private int[] socketpair() {
        MemorySegment sv = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Sockets.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv.address()));
        return new int[] {track(sv.getAtIndex(JAVA_INT, 0)), track(sv.getAtIndex(JAVA_INT, 1))};
    }

    private Addr ip(String ip, int port) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        int length = SockAddr.encode(segment, ip, port);
        assertTrue(length > 0, ip);
        return new Addr(segment, length);
    }

    private Addr unix(String path) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        int length = SockAddr.encodeUnix(segment, path);
        assertTrue(length > 0, path);
        return new Addr(segment, length);
    }

    private int bind(int fd, String ip, int port) {
        Addr addr = ip(ip, port);
        return Sockets.bind(fd, addr.segment.address(), addr.length);
    }

    private int connect(int fd, String ip, int port) {
        Addr addr = ip(ip, port);
        return Sockets.connect(fd, addr.segment.address(), addr.length);
    }

    private MemorySegment socklen(int room) {
        MemorySegment length = arena.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, room);
        return length;
    }

    private Addr localName(int fd) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment length = socklen(SockAddr.MAX_SIZE);
        assertEquals(0, Sockets.getsockname(fd, segment.address(), length.address()));
        return new Addr(segment, length.get(JAVA_INT, 0));
    }

    private Addr peerName(int fd) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment length = socklen(SockAddr.MAX_SIZE);
        assertEquals(0, Sockets.getpeername(fd, segment.address(), length.address()));
        return new Addr(segment, length.get(JAVA_INT, 0));
    }

    private int localPort(int fd) {
        return SockAddr.port(localName(fd).segment);
    }

    private int intOption(int fd, int level, int name) {
        MemorySegment value = arena.allocate(JAVA_INT);
        MemorySegment length = socklen(4);
        assertEquals(0, Sockets.getsockopt(fd, level, name, value.address(), length.address()));
        return value.get(JAVA_INT, 0);
    }

    private int setIntOption(int fd, int level, int name, int value) {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        return Sockets.setsockopt(fd, level, name, v.address(), 4);
    }

    private MemorySegment bytes(String s) {
        return arena.allocateFrom(JAVA_BYTE, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(MemorySegment buf, long length) {
        return new String(buf.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /*
     * struct iovec { void *iov_base; size_t iov_len; };
     */
    private MemorySegment iovecs(MemorySegment... buffers) {
        MemorySegment iov = arena.allocate(SIZEOF_IOVEC * buffers.length, 8);
        for (int i = 0; i < buffers.length; i++) {
            iov.set(JAVA_LONG, i * SIZEOF_IOVEC + OFFSETOF_IOVEC_IOV_BASE, buffers[i].address());
            iov.set(JAVA_LONG, i * SIZEOF_IOVEC + OFFSETOF_IOVEC_IOV_LEN, buffers[i].byteSize());
        }
        return iov;
    }

    private MemorySegment msghdr(MemorySegment name, int nameLength, MemorySegment iov, int iovCount) {
        MemorySegment hdr = arena.allocate(SIZEOF_MSGHDR, 8);
        fillMsghdr(hdr, name, nameLength, iov, iovCount);
        return hdr;
    }

    /*
     * struct msghdr { void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov;
     *                 size_t msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags; };
     */
    private static void fillMsghdr(MemorySegment hdr, MemorySegment name, int nameLength,
                                   MemorySegment iov, int iovCount) {
        hdr.fill((byte) 0);
        hdr.set(JAVA_LONG, OFFSETOF_MSGHDR_MSG_NAME, name.address());
        hdr.set(JAVA_INT, OFFSETOF_MSGHDR_MSG_NAMELEN, nameLength);
        hdr.set(JAVA_LONG, OFFSETOF_MSGHDR_MSG_IOV, iov.address());
        hdr.set(JAVA_LONG, OFFSETOF_MSGHDR_MSG_IOVLEN, iovCount);
    }

    /**
     * Waits (with {@link Epoll}, bounded by {@link #READY_WAIT_MS}) until {@code fd} reports one
     * of {@code events}; fails if it never does.
     */
    private void awaitReady(int fd, int events) {
        int epfd = Epoll.epollCreate1(EPOLL_CLOEXEC);
        assertTrue(epfd >= 0, () -> "epoll_create1: " + Errors.code(epfd));
        try {
            MemorySegment event = arena.allocate(SIZEOF_EPOLL_EVENT);
            event.set(JAVA_INT_UNALIGNED, Epoll.EVENT_EVENTS, events);
            assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, fd, event.address()));
            MemorySegment out = arena.allocate(SIZEOF_EPOLL_EVENT);
            assertEquals(1, Epoll.epollWait(epfd, out.address(), 1, READY_WAIT_MS),
                    "fd " + fd + " never became ready");
            assertNotEquals(0, out.get(JAVA_INT_UNALIGNED, Epoll.EVENT_EVENTS));
        } finally {
            Fds.close(epfd);
        }
    }
}
