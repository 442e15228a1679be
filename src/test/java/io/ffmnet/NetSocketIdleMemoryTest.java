package io.ffmnet;

import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.Sockets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;
import static io.ffmnet.internal.sys.SysConstants.SOCK_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What an idle connection keeps on the Java heap on the server side: the {@code Socket}, its
 * reader, writer, listeners, idle timer and stream handle. The server is the benchmark's echo
 * written as a Node user would ({@code DATA} writes back, an {@code ERROR} listener, an idle
 * {@code setTimeout}); the clients are plain descriptors made with system calls, so they keep
 * nothing on the heap and the difference in live heap after a full collection is the server's.
 *
 * <p>The bound is a size, not a time: with the serial collector (the test JVM's) a full
 * collection leaves exactly the live objects, and the count comes out the same on every run.
 * A connection keeps about 480 bytes here today (the server's objects, the listeners' lambdas
 * and the loop's per-descriptor slots); the bound leaves about 15% above that, so one more
 * object or table per socket, such as an eagerly made read queue (112 bytes), fails it.
 */
@Timeout(120)
class NetSocketIdleMemoryTest {
    private static final int CONNECTIONS = 2_000;
    private static final int WARM_UP_ROUNDS = 3;
    /** Live heap per idle server connection, bytes: the bound this test holds the sockets to. */
    private static final long MAX_BYTES_PER_CONNECTION = 550;

    @Test
    void anIdleConnectionWithATimeoutKeepsLessThanTheBoundOnTheHeap() throws Exception {
        // The bound counts 4-byte references: HotSpot compresses them for heaps below 32 GiB
        // (the default maximum is a quarter of the machine's memory).
        assumeTrue(Runtime.getRuntime().maxMemory() < 32L << 30,
                "heap of 32 GiB or more: references are 8 bytes and the sizes differ");
        AtomicInteger accepted = new AtomicInteger();
        Server server = Net.createServer(socket -> {
            socket.on(Socket.DATA, b -> socket.write(b));
            socket.on(Socket.ERROR, err -> { });
            socket.setTimeout(600_000, socket::destroy);
            accepted.incrementAndGet();
        });
        CompletableFuture<Void> listening = new CompletableFuture<>();
        server.listen(0, "127.0.0.1", () -> listening.complete(null));
        listening.get(10, TimeUnit.SECONDS);
        int port = server.address().port();
        int[] warm = new int[CONNECTIONS];
        int[] clients = new int[CONNECTIONS];
        Arrays.fill(warm, -1);
        Arrays.fill(clients, -1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE);
            int addrLength = SockAddr.encode(addr, "127.0.0.1", port);
            MemorySegment byteBuf = arena.allocate(1);
            // Warm up with as many connections, closed again before measuring: the code, the
            // pools and the loop's tables (indexed by descriptor, grown by doubling) reach their
            // steady state, and the measured connections reuse the same descriptor numbers. The
            // first round leaves ~170 KB of one-time objects that later collections drop (the
            // JDK's caches behind method handles and lambdas), hence more than one round.
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                openEchoed(warm, addr, addrLength, byteBuf);
                closeAll(warm);
                awaitNoConnections(server);
                liveHeap();
            }
            long before = liveHeap();
            openEchoed(clients, addr, addrLength, byteBuf);
            long after = liveHeap();
            assertEquals(WARM_UP_ROUNDS * warm.length + CONNECTIONS, accepted.get());
            long perConnection = (after - before) / CONNECTIONS;
            System.out.printf("idle connection: %d bytes of live heap each%n", perConnection);
            assertTrue(perConnection <= MAX_BYTES_PER_CONNECTION, "an idle connection keeps "
                    + perConnection + " bytes of heap, more than the bound of " + MAX_BYTES_PER_CONNECTION);
        } finally {
            closeAll(warm);
            closeAll(clients);
            CompletableFuture<Void> closed = new CompletableFuture<>();
            server.close(err -> closed.complete(null));
            closed.get(30, TimeUnit.SECONDS);
        }
    }

    /** Connects each client, sends one byte and waits for the echo: the server has read it. */
    private static void openEchoed(int[] fds, MemorySegment addr, int addrLength, MemorySegment byteBuf) {
        for (int i = 0; i < fds.length; i++) {
            int fd = Sockets.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            assertTrue(fd >= 0, "socket: " + fd);
            fds[i] = fd;
            assertEquals(0, Sockets.connect(fd, addr.address(), addrLength), "connect");
            byteBuf.set(ValueLayout.JAVA_BYTE, 0, (byte) i);
            assertEquals(1, Fds.writeBlocking(fd, byteBuf.address(), 1), "write");
            assertEquals(1, Fds.readBlocking(fd, byteBuf.address(), 1), "read the echo");
        }
    }

    private static void closeAll(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) {
                Fds.close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    private static void awaitNoConnections(Server server) throws Exception {
        while (true) {
            CompletableFuture<Integer> count = new CompletableFuture<>();
            server.getConnections((err, n) -> count.complete(n));
            if (count.get(10, TimeUnit.SECONDS) == 0) {
                return;
            }
            Thread.sleep(10);
        }
    }

    /** Heap in use after full collections, once two in a row agree (finalizable objects and the like). */
    private static long liveHeap() throws InterruptedException {
        long last = -1;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            if (Math.abs(used - last) < 4096) {
                return used;
            }
            last = used;
        }
        return last;
    }
}
