package io.ffmnet;

import io.ffmnet.internal.sys.SysConstants;
import io.ffmnet.testing.BlockingPeer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

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
    private static final int SIZE = 64;
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

        try (BlockingPeer client = new BlockingPeer(SysConstants.SOCK_DGRAM, port, SIZE)) {
            echo(client, WARMUP_BURSTS);
            long before = BlockingPeer.allocatedBytes(loopThread.get());
            echo(client, MEASURED_BURSTS);
            long after = BlockingPeer.allocatedBytes(loopThread.get());
            double perDatagram = (after - before) / (double) (MEASURED_BURSTS * BURST);
            System.out.printf("dgram echo: %.1f bytes allocated on the loop thread per datagram%n", perDatagram);
            assertTrue(perDatagram <= MAX_BYTES_PER_DATAGRAM,
                    perDatagram + " bytes per datagram on the loop thread, more than " + MAX_BYTES_PER_DATAGRAM);
        }
    }

    /** Sends {@code bursts} bursts of {@link #BURST} datagrams and takes every echo back. */
    private static void echo(BlockingPeer client, int bursts) {
        for (int b = 0; b < bursts; b++) {
            for (int i = 0; i < BURST; i++) {
                client.send(SIZE);
            }
            for (int i = 0; i < BURST; i++) {
                client.receive(SIZE, false);
            }
        }
    }
}
