package io.ffmnet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive-and-echo path of the Node-style API allocates little per datagram on the loop
 * thread: the {@code MESSAGE} buffer view, the send's one object, and a {@link RemoteInfo} only
 * when the sender or size changed (about 80-140 bytes, depending on what the JIT's escape
 * analysis removes; it was 280-300 while a send also made a part array, a request with four
 * arrays and two lambdas). Counted in bytes by the JVM's per-thread allocation counter over many
 * datagrams after a warm-up, so the bound is about what the code allocates, not how fast it runs.
 */
@Timeout(180)
class DgramAllocationTest {
    private static final int BURST = 16;
    private static final int WARMUP_BURSTS = 4_000;
    private static final int MEASURED_BURSTS = 4_000;
    private static final double MAX_BYTES_PER_DATAGRAM = 200;

    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    @AfterEach
    void closeSockets() {
        sockets.closeAll();
    }

    @Test
    void echoAllocatesLittlePerDatagram() throws Exception {
        AtomicLong loopThread = new AtomicLong(-1);
        DatagramSocket[] server = new DatagramSocket[1];
        server[0] = sockets.add(Dgram.createSocket("udp4", (msg, rinfo) -> {
            loopThread.set(Thread.currentThread().threadId());
            server[0].send(msg, rinfo.port(), rinfo.address());
        }));
        DgramTestKit.listening(server[0], "127.0.0.1");
        int port = server[0].address().port();

        int client = Sockets.socket(SysConstants.AF_INET, SysConstants.SOCK_DGRAM, 0);   // blocking
        assertTrue(client >= 0, "socket: " + client);
        // A hang guard, not a measurement: a shut-down socket's blocked recvfrom returns 0.
        ScheduledExecutorService guard = Executors.newSingleThreadScheduledExecutor();
        ScheduledFuture<?> watchdog = guard.schedule(
                () -> Sockets.shutdown(client, SysConstants.SHUT_RDWR), 120, TimeUnit.SECONDS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment to = arena.allocate(SockAddr.MAX_SIZE, 8);
            assertEquals(0, Sockets.connect(client, to.address(), SockAddr.encode(to, "127.0.0.1", port)));
            echo(client, arena, WARMUP_BURSTS);
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getThreadAllocatedBytes(loopThread.get());
            echo(client, arena, MEASURED_BURSTS);
            long after = threads.getThreadAllocatedBytes(loopThread.get());
            double perDatagram = (after - before) / (double) (MEASURED_BURSTS * BURST);
            System.out.printf("dgram echo: %.1f bytes allocated on the loop thread per datagram%n", perDatagram);
            assertTrue(perDatagram <= MAX_BYTES_PER_DATAGRAM,
                    perDatagram + " bytes per datagram on the loop thread, more than " + MAX_BYTES_PER_DATAGRAM);
        } finally {
            watchdog.cancel(false);
            guard.shutdown();
            guard.awaitTermination(10, TimeUnit.SECONDS);   // so the descriptor is not shut after reuse
            Fds.close(client);
        }
    }

    /** Sends {@code bursts} bursts of {@link #BURST} datagrams and takes every echo back. */
    private static void echo(int client, Arena arena, int bursts) {
        MemorySegment out = arena.allocate(64);
        MemorySegment in = arena.allocate(2048);
        for (int b = 0; b < bursts; b++) {
            for (int i = 0; i < BURST; i++) {
                assertEquals(out.byteSize(), Sockets.sendto(client, out.address(), out.byteSize(), 0, 0, 0));
            }
            for (int i = 0; i < BURST; i++) {
                assertEquals(out.byteSize(), Sockets.recvfrom(client, in.address(), in.byteSize(), 0, 0, 0));
            }
        }
    }
}
