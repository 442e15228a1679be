package io.ffmnet.testing;

import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.Sockets;
import io.ffmnet.internal.sys.SysConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A plain blocking socket on the test's thread, connected to a server of the loop under test,
 * made straight through the sys layer: it allocates nothing on the loop's thread, and (unlike
 * the JDK's sockets) leaves no descriptor of its own behind for the leak check. For the tests
 * that count what the loop thread allocates per message; see {@link #allocatedBytes}.
 *
 * <p>Its reads and writes block, so they go through the sys layer's blocking calls: the loop's
 * calls are {@code critical} downcalls, during which a thread stays "in Java", and a blocked one
 * would hold every safepoint (a garbage collection) and with it the loop it waits for.
 */
public final class BlockingPeer implements AutoCloseable {
    /** A hang guard, not a measurement: a peer still blocked after this long is shut down. */
    private static final long GUARD_SECONDS = 120;

    private final int fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment out;
    private final MemorySegment in;
    private final ScheduledExecutorService guard = Executors.newSingleThreadScheduledExecutor();
    private final ScheduledFuture<?> watchdog;

    /**
     * @param type    {@code SOCK_STREAM} or {@code SOCK_DGRAM}
     * @param port    the server's port on 127.0.0.1
     * @param maxSize the largest message sent or received
     */
    public BlockingPeer(int type, int port, int maxSize) {
        fd = Sockets.socket(SysConstants.AF_INET, type, 0);
        if (fd < 0) {
            throw new AssertionError("socket: " + fd);
        }
        // A shut-down socket's blocked read returns 0, which fails the caller's check.
        watchdog = guard.schedule(() -> Sockets.shutdown(fd, SysConstants.SHUT_RDWR), GUARD_SECONDS, TimeUnit.SECONDS);
        out = arena.allocate(maxSize);
        in = arena.allocate(maxSize);
        MemorySegment to = arena.allocate(SockAddr.MAX_SIZE, 8);
        int r = Sockets.connect(fd, to.address(), SockAddr.encode(to, "127.0.0.1", port));
        if (r != 0) {
            close();
            throw new AssertionError("connect: " + r);
        }
    }

    /** Sends {@code size} bytes (one datagram, or stream bytes) and checks they all went. */
    public void send(int size) {
        long n = Fds.writeBlocking(fd, out.address(), size);
        if (n != size) {
            throw new AssertionError("sent " + n + " of " + size);
        }
    }

    /** Receives one datagram, or exactly {@code size} stream bytes, and checks its size. */
    public void receive(int size, boolean stream) {
        long got = 0;
        do {
            long n = Fds.readBlocking(fd, in.address() + got, stream ? size - got : in.byteSize());
            if (n <= 0) {
                throw new AssertionError("received " + n + " after " + got + " of " + size + " bytes");
            }
            got += n;
        } while (stream && got < size);
        if (got != size) {
            throw new AssertionError("received " + got + " bytes, expected " + size);
        }
    }

    @Override
    public void close() {
        watchdog.cancel(false);
        guard.shutdown();
        try {
            guard.awaitTermination(10, TimeUnit.SECONDS);   // so the descriptor is not shut after reuse
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Fds.close(fd);
        arena.close();
    }

    /** The bytes the thread {@code threadId} has allocated so far (the JVM's own counter). */
    public static long allocatedBytes(long threadId) {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(threadId);
    }
}
