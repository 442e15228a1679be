package io.ffmnet.internal.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLIN;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLOUT;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CTL_ADD;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_DGRAM;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_STREAM;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOL_SOCKET;
import static io.ffmnet.bindings.linux_x86_64.Constants.SO_ERROR;
import static io.ffmnet.bindings.linux_x86_64.Errno.EAFNOSUPPORT;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINPROGRESS;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_IOVEC_IOV_BASE;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_IOVEC_IOV_LEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_IOV;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_IOVLEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_NAME;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_NAMELEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_EPOLL_EVENT;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_IOVEC;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_MSGHDR;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the sys-layer socket tests share: descriptors closed after each test, and helpers. */
abstract class SysSocketFixture {
    /** Bounds a wait for readiness that must come; not a measurement. */
    static final int READY_WAIT_MS = 10_000;

    final Arena arena = Arena.ofConfined();
    final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        for (int fd : fds) {
            assertEquals(0, Fds.close(fd), "close(" + fd + ")");
        }
        arena.close();
    }

    // ---- helpers ----

    /** A socket address in native memory and its length. */
    static final class Addr {
        final MemorySegment segment;
        final int length;

        Addr(MemorySegment segment, int length) {
            this.segment = segment;
            this.length = length;
        }
    }

    int track(int fd) {
        assertTrue(fd >= 0, () -> "expected a descriptor, got " + Errors.code(fd));
        fds.add(fd);
        return fd;
    }

    /** Like {@link #track}, but skips the test when the kernel has no IPv6. */
    int track6(int fd) {
        Assumptions.assumeTrue(fd != -EAFNOSUPPORT, "no IPv6 in this kernel");
        return track(fd);
    }

    int socket(int domain, int type) {
        return track(Sockets.socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }

    int udp(String ip) {
        int fd = socket(AF_INET, SOCK_DGRAM);
        assertEquals(0, bind(fd, ip, 0));
        return fd;
    }

    int listener() {
        int fd = socket(AF_INET, SOCK_STREAM);
        assertEquals(0, bind(fd, "127.0.0.1", 0));
        assertEquals(0, Sockets.listen(fd, 16));
        return fd;
    }

    /** A connected TCP pair on loopback: {client, accepted}. */
    int[] tcpPair() {
        int server = listener();
        int client = socket(AF_INET, SOCK_STREAM);
        assertEquals(-EINPROGRESS, connect(client, "127.0.0.1", localPort(server)));
        awaitReady(server, EPOLLIN);
        int accepted = track(Sockets.accept4(server, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC));
        awaitReady(client, EPOLLOUT);
        assertEquals(0, intOption(client, SOL_SOCKET, SO_ERROR));
        return new int[] {client, accepted};
    }

    int[] socketpair() {
        MemorySegment sv = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Sockets.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv.address()));
        return new int[] {track(sv.getAtIndex(JAVA_INT, 0)), track(sv.getAtIndex(JAVA_INT, 1))};
    }

    Addr ip(String ip, int port) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        int length = SockAddr.encode(segment, ip, port);
        assertTrue(length > 0, ip);
        return new Addr(segment, length);
    }

    Addr unix(String path) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        int length = SockAddr.encodeUnix(segment, path);
        assertTrue(length > 0, path);
        return new Addr(segment, length);
    }

    int bind(int fd, String ip, int port) {
        Addr addr = ip(ip, port);
        return Sockets.bind(fd, addr.segment.address(), addr.length);
    }

    int connect(int fd, String ip, int port) {
        Addr addr = ip(ip, port);
        return Sockets.connect(fd, addr.segment.address(), addr.length);
    }

    MemorySegment socklen(int room) {
        MemorySegment length = arena.allocate(JAVA_INT);
        length.set(JAVA_INT, 0, room);
        return length;
    }

    Addr localName(int fd) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment length = socklen(SockAddr.MAX_SIZE);
        assertEquals(0, Sockets.getsockname(fd, segment.address(), length.address()));
        return new Addr(segment, length.get(JAVA_INT, 0));
    }

    Addr peerName(int fd) {
        MemorySegment segment = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment length = socklen(SockAddr.MAX_SIZE);
        assertEquals(0, Sockets.getpeername(fd, segment.address(), length.address()));
        return new Addr(segment, length.get(JAVA_INT, 0));
    }

    int localPort(int fd) {
        return SockAddr.port(localName(fd).segment);
    }

    int intOption(int fd, int level, int name) {
        MemorySegment value = arena.allocate(JAVA_INT);
        MemorySegment length = socklen(4);
        assertEquals(0, Sockets.getsockopt(fd, level, name, value.address(), length.address()));
        return value.get(JAVA_INT, 0);
    }

    int setIntOption(int fd, int level, int name, int value) {
        MemorySegment v = arena.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        return Sockets.setsockopt(fd, level, name, v.address(), 4);
    }

    MemorySegment bytes(String s) {
        return arena.allocateFrom(JAVA_BYTE, s.getBytes(StandardCharsets.UTF_8));
    }

    static String string(MemorySegment buf, long length) {
        return new String(buf.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /*
     * struct iovec { void *iov_base; size_t iov_len; };
     */
    MemorySegment iovecs(MemorySegment... buffers) {
        MemorySegment iov = arena.allocate(SIZEOF_IOVEC * buffers.length, 8);
        for (int i = 0; i < buffers.length; i++) {
            iov.set(JAVA_LONG, i * SIZEOF_IOVEC + OFFSETOF_IOVEC_IOV_BASE, buffers[i].address());
            iov.set(JAVA_LONG, i * SIZEOF_IOVEC + OFFSETOF_IOVEC_IOV_LEN, buffers[i].byteSize());
        }
        return iov;
    }

    MemorySegment msghdr(MemorySegment name, int nameLength, MemorySegment iov, int iovCount) {
        MemorySegment hdr = arena.allocate(SIZEOF_MSGHDR, 8);
        fillMsghdr(hdr, name, nameLength, iov, iovCount);
        return hdr;
    }

    /*
     * struct msghdr { void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov;
     *                 size_t msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags; };
     */
    static void fillMsghdr(MemorySegment hdr, MemorySegment name, int nameLength,
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
    void awaitReady(int fd, int events) {
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

