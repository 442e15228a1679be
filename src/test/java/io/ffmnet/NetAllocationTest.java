package io.ffmnet;

import io.ffmnet.internal.sys.SysConstants;
import io.ffmnet.testing.BlockingPeer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Node-style TCP echo ({@code socket.on(DATA, b -> socket.write(b))}) allocates little per
 * message on the loop thread: the {@code DATA} buffer view and what the write keeps while the
 * kernel has not taken it, nothing per read or write call beyond that. One 64-byte message in
 * flight, so each is one read, one {@code DATA} and one write. Counted in bytes by the JVM's
 * per-thread allocation counter after a warm-up: a bound on what the code allocates, not on how
 * fast it runs.
 */
@Timeout(180)
class NetAllocationTest {
    private static final int SIZE = 64;
    private static final int WARMUP_MESSAGES = 30_000;
    private static final int MEASURED_MESSAGES = 30_000;
    private static final double MAX_BYTES_PER_MESSAGE = 200;

    @Test
    void echoAllocatesLittlePerMessage() {
        AtomicLong loopThread = new AtomicLong(-1);
        Server server = Net.createServer(socket -> socket.on(Socket.DATA, (Buffer b) -> {
            loopThread.set(Thread.currentThread().threadId());
            socket.write(b);
        }));
        int port = NetServerTestKit.listen(server, "127.0.0.1");
        try (BlockingPeer client = new BlockingPeer(SysConstants.SOCK_STREAM, port, SIZE)) {
            pingPong(client, WARMUP_MESSAGES);
            long before = BlockingPeer.allocatedBytes(loopThread.get());
            pingPong(client, MEASURED_MESSAGES);
            long after = BlockingPeer.allocatedBytes(loopThread.get());
            double perMessage = (after - before) / (double) MEASURED_MESSAGES;
            System.out.printf("tcp echo: %.1f bytes allocated on the loop thread per message%n", perMessage);
            assertTrue(perMessage <= MAX_BYTES_PER_MESSAGE,
                    perMessage + " bytes per message on the loop thread, more than " + MAX_BYTES_PER_MESSAGE);
        } finally {
            NetServerTestKit.close(server);
        }
    }

    private static void pingPong(BlockingPeer client, int messages) {
        for (int i = 0; i < messages; i++) {
            client.send(SIZE);
            client.receive(SIZE, true);
        }
    }
}
