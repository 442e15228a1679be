package io.ffmnet.internal.stream;

import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.loop.LoopTimer;
import io.ffmnet.internal.poll.PollHandle;
import io.ffmnet.internal.poll.Poller;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.ffmnet.internal.sys.SysConstants.AF_INET6;
import static io.ffmnet.internal.sys.SysConstants.AF_UNIX;
import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.ECONNABORTED;
import static io.ffmnet.internal.sys.SysConstants.EMFILE;
import static io.ffmnet.internal.sys.SysConstants.ENFILE;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_IPV6;
import static io.ffmnet.internal.sys.SysConstants.IPV6_V6ONLY;
import static io.ffmnet.internal.sys.SysConstants.O_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.O_RDONLY;
import static io.ffmnet.internal.sys.SysConstants.SOCK_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.SOCK_NONBLOCK;
import static io.ffmnet.internal.sys.SysConstants.SOL_SOCKET;
import static io.ffmnet.internal.sys.SysConstants.SO_REUSEADDR;
import static io.ffmnet.internal.sys.SysConstants.SO_REUSEPORT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * A listening socket: bind, listen, and accepting connections as they arrive. Loop thread only.
 *
 * <p>Running out of descriptors: when {@code accept4} fails with EMFILE or ENFILE the pending
 * connection stays in the kernel's queue and level-triggered epoll reports the socket again at
 * once, which would spin the loop at full CPU. Like libuv, the handle keeps one spare descriptor:
 * it closes the spare, accepts and closes each waiting connection (the client sees a reset
 * rather than hanging), and opens the spare again. If even that fails, accepting pauses for
 * {@link #EMFILE_BACKOFF_MS} instead of spinning.
 */
public final class ListenHandle extends PollHandle {
    /** Connections accepted per readiness event, so a connection storm cannot starve I/O. */
    static final int MAX_ACCEPTS_PER_EVENT = 64;
    /** Pause when no descriptor at all can be had, not even by shedding connections. */
    static final long EMFILE_BACKOFF_MS = 100;

    /** What the listener reports, on the loop thread. */
    public interface Callbacks {
        /** A new connection: its non-blocking descriptor (the callee owns it) and the peer. */
        void onConnection(int fd, Endpoint peer);

        /** Accepting failed with an error other than the descriptor limit. */
        void onAcceptError(int error);
    }

    private final Loop loop;
    private final Callbacks callbacks;
    private final MemorySegment scratchView;
    /** The sockaddr part of {@link #scratchView}, where accept4 writes the peer's address. */
    private final MemorySegment peerView;
    private int spareFd = -1;
    private boolean accepting;
    private LoopTimer backoff;

    private ListenHandle(Loop loop, int fd, Callbacks callbacks) {
        this.loop = loop;
        this.fd = fd;
        this.callbacks = callbacks;
        this.scratchView = Tcp.scratch(loop);
        this.peerView = scratchView.asSlice(Tcp.ADDR_OFFSET, SockAddr.MAX_SIZE);
    }

    /**
     * What {@link #open} made: the handle, or the errno and the call that failed
     * ({@code socket}, {@code setsockopt}, {@code bind} or {@code listen}).
     */
    public record Opened(ListenHandle handle, int errno, String syscall) {
        static Opened failed(int fd, int errno, String syscall) {
            if (fd >= 0) {
                Fds.close(fd);
            }
            return new Opened(null, errno, syscall);
        }
    }

    /** Creates, binds and starts listening on a socket for the sockaddr at {@code addr}. */
    public static Opened open(Loop loop, int family, long addr, int addrLength, int backlog,
                              boolean reusePort, boolean ipv6Only, Callbacks callbacks) {
        return open(loop, loop, family, addr, addrLength, backlog, reusePort, ipv6Only, callbacks);
    }

    /**
     * As {@link #open(Loop, int, long, int, int, boolean, boolean, Callbacks)}, called on
     * {@code loop}'s thread (whose scratch memory holds {@code addr} and the option values) for
     * a handle that belongs to {@code owner}: a server with several loops binds every listener
     * from its own loop, so that a failure is known before any of them starts. The handle is
     * started (and closed, once started) on {@code owner}'s thread.
     */
    public static Opened open(Loop loop, Loop owner, int family, long addr, int addrLength, int backlog,
                              boolean reusePort, boolean ipv6Only, Callbacks callbacks) {
        int fd = Tcp.socket(family);
        if (fd < 0) {
            return Opened.failed(-1, fd, "socket");
        }
        int r = 0;
        if (family != AF_UNIX) {
            // Rebinding a port with connections in TIME_WAIT is what every server wants (Node does it).
            r = Tcp.setIntOption(loop, fd, SOL_SOCKET, SO_REUSEADDR, 1);
        }
        if (r == 0 && reusePort) {
            r = Tcp.setIntOption(loop, fd, SOL_SOCKET, SO_REUSEPORT, 1);
        }
        if (r == 0 && family == AF_INET6) {
            r = Tcp.setIntOption(loop, fd, IPPROTO_IPV6, IPV6_V6ONLY, ipv6Only ? 1 : 0);
        }
        if (r < 0) {
            return Opened.failed(fd, r, "setsockopt");
        }
        r = Sockets.bind(fd, addr, addrLength);
        if (r < 0) {
            return Opened.failed(fd, r, "bind");
        }
        r = Sockets.listen(fd, backlog);
        if (r < 0) {
            return Opened.failed(fd, r, "listen");
        }
        return new Opened(new ListenHandle(owner, fd, callbacks), 0, null);
    }

    /** Starts reporting connections. */
    public void start() {
        accepting = true;
        if (spareFd < 0) {
            spareFd = openSpare();
        }
        loop.poller().setInterest(this, Poller.READABLE);
    }

    /** The bound address (port 0 resolved to the one the kernel chose). */
    public Endpoint localEndpoint() {
        return Tcp.localEndpoint(loop, fd);
    }

    /**
     * Stops listening and closes the socket (and the spare descriptor) now. On the owner's
     * thread; a handle never started may also be closed on the thread that opened it, since it
     * was never registered with the owner's poller and has no spare descriptor or timer.
     */
    public void close() {
        if (fd < 0) {
            return;
        }
        accepting = false;
        if (backoff != null) {
            backoff.stop();
        }
        loop.poller().remove(this);
        Fds.close(fd);
        fd = -1;
        if (spareFd >= 0) {
            Fds.close(spareFd);
            spareFd = -1;
        }
    }

    @Override
    public void onReady(int events) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT && accepting; i++) {
            scratchView.set(JAVA_INT_UNALIGNED, Tcp.LEN_OFFSET, SockAddr.MAX_SIZE);
            int conn = Sockets.accept4(fd, loop.scratch() + Tcp.ADDR_OFFSET, loop.scratch() + Tcp.LEN_OFFSET,
                    SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (conn >= 0) {
                Endpoint peer = Tcp.decode(peerView, scratchView.get(JAVA_INT_UNALIGNED, Tcp.LEN_OFFSET));
                callbacks.onConnection(conn, peer);
                continue;
            }
            if (conn == -EAGAIN) {
                return;
            }
            if (conn == -ECONNABORTED) {
                continue;  // the client gave up while queued; take the next one
            }
            if (conn == -EMFILE || conn == -ENFILE) {
                shedConnections();
                return;
            }
            callbacks.onAcceptError(conn);
            return;
        }
    }

    /** Accepts and closes waiting connections using the spare descriptor's slot. */
    private void shedConnections() {
        if (spareFd < 0) {
            spareFd = openSpare();
        }
        if (spareFd < 0) {
            pauseAccepting();
            return;
        }
        Fds.close(spareFd);
        spareFd = -1;
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            int conn = Sockets.accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (conn < 0) {
                break;
            }
            Fds.close(conn);
        }
        spareFd = openSpare();
    }

    private void pauseAccepting() {
        loop.poller().setInterest(this, 0);
        if (backoff == null) {
            backoff = new LoopTimer(loop, () -> {
                if (accepting) {
                    loop.poller().setInterest(this, Poller.READABLE);
                }
            });
            backoff.ref(false);
        }
        backoff.start(EMFILE_BACKOFF_MS, false);
    }

    /** A descriptor that only holds a slot in the table: "/" opened read-only, as libuv does. */
    private static int openSpare() {
        try (Arena arena = Arena.ofConfined()) {
            int r = Fds.open(arena.allocateFrom("/").address(), O_RDONLY | O_CLOEXEC, 0);
            return Math.max(r, -1);
        }
    }
}
