package io.ffmnet;

import io.ffmnet.SocketTestSupport.Collector;
import io.ffmnet.SocketTestSupport.TestServer;
import io.ffmnet.internal.buffer.BufferPool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer that respects {@code write()}'s return value against a reader that does not read:
 * memory stays bounded on both sides (the reader buffers up to its high-water mark and then stops
 * reading in the kernel; the kernel's buffers fill; the writer's queue stops at its mark), no
 * DATA is emitted while paused, and once the reader flows again every byte arrives, in order.
 */
@Timeout(120)
class NetSocketBackpressureTest {
    /** Far more than loopback's socket buffers hold, so the writer must wait. */
    private static final long TOTAL = 48L << 20;
    private static final int CHUNK = 16 * 1024;

    /** Writes {@link #TOTAL} pseudo-random bytes, waiting for DRAIN whenever write returns false. */
    private static final class Writer {
        final Socket socket;
        final MessageDigest digest = SocketTestSupport.sha256();
        final Random random = new Random(42);
        final AtomicLong maxQueued = new AtomicLong();
        final AtomicLong maxBuffers = new AtomicLong();
        final AtomicBoolean stalled = new AtomicBoolean();
        final long baselineBuffers;
        long sent;
        String hash;

        Writer(Socket socket, long baselineBuffers) {
            this.socket = socket;
            this.baselineBuffers = baselineBuffers;
        }

        /** Loop thread. */
        void pump() {
            byte[] chunk = new byte[CHUNK];
            while (sent < TOTAL) {
                random.nextBytes(chunk);
                digest.update(chunk);
                sent += CHUNK;
                boolean more = socket.write(chunk);
                maxQueued.accumulateAndGet(socket.bufferSize(), Math::max);
                maxBuffers.accumulateAndGet(BufferPool.outstandingEverywhere() - baselineBuffers, Math::max);
                if (!more) {
                    stalled.set(true);
                    socket.once(Socket.DRAIN, this::pump);
                    return;
                }
            }
            hash = HexFormat.of().formatHex(digest.digest());
            socket.end();
        }
    }

    private static void assertBounded(Writer w) {
        long hwm = SocketOptions.DEFAULT_HIGH_WATER_MARK;
        assertTrue(w.maxQueued.get() < hwm + CHUNK,
                "queued " + w.maxQueued.get() + " bytes, more than the high-water mark plus one write");
        // One pooled chunk per queued write (16 KiB each), plus a few in flight elsewhere.
        long chunks = (hwm + CHUNK) / CHUNK + 4;
        assertTrue(w.maxBuffers.get() <= chunks, "buffers outstanding grew to " + w.maxBuffers.get());
    }

    @Test
    void aPausedReaderBoundsTheWritersMemoryAndEverythingArrivesAfterResume() {
        CompletableFuture<Collector> received = new CompletableFuture<>();
        AtomicBoolean pausedPhase = new AtomicBoolean(true);
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.pause();
            Collector c = new Collector(false);
            // Added while paused: the listener does not resume a paused socket, as in Node.
            s.on(Socket.DATA, b -> {
                assertFalse(pausedPhase.get(), "DATA while paused");
                c.accept(b);
            });
            s.on(Socket.END, () -> received.complete(c));
            accepted.complete(s);
        });
        long baseline = BufferPool.outstandingEverywhere();
        Socket client = connect(server.port);
        Socket peer = await(accepted);
        Writer writer = new Writer(client, baseline);
        onLoop(writer::pump);

        // Wait (by polling the loop, not by a timed assertion) until the writer is stuck: the
        // kernel's buffers are full and our queue holds what write() accepted.
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        onLoop(() -> pollUntilStuck(writer, stuck, 0));
        await(stuck);
        onLoop(() -> {
            assertTrue(peer.isPaused());
            assertReadNoMoreThanTheMark(peer);
            assertTrue(writer.sent < TOTAL, "the writer is waiting for DRAIN");
            pausedPhase.set(false);
            peer.resume();
        });
        assertFalse(peer.isPaused());
        Collector c = await(received);
        assertEquals(TOTAL, c.count());
        assertEquals(writer.hash, c.hash());
        assertBounded(writer);
        destroyAll(client, peer);
        server.close();
    }

    /**
     * A socket that does not flow still reads, as Node's does after its {@code read(0)}, but only
     * into its buffer and only up to the high-water mark: then it stops reading in the kernel.
     */
    private static void assertReadNoMoreThanTheMark(Socket s) {
        long bound = SocketOptions.DEFAULT_HIGH_WATER_MARK + 64 * 1024;  // the mark plus one read
        assertTrue(s.bytesRead() <= bound, "read " + s.bytesRead() + " bytes while not flowing");
    }

    @Test
    void aReaderWithoutDataListenerReadsOnlyUpToTheMarkUntilOneIsAdded() {
        CompletableFuture<Collector> received = new CompletableFuture<>();
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        TestServer server = server(accepted::complete);  // no DATA listener: the socket never flows
        long baseline = BufferPool.outstandingEverywhere();
        Socket client = connect(server.port);
        Socket peer = await(accepted);
        Writer writer = new Writer(client, baseline);
        onLoop(writer::pump);
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        onLoop(() -> pollUntilStuck(writer, stuck, 0));
        await(stuck);
        onLoop(() -> {
            assertReadNoMoreThanTheMark(peer);
            assertFalse(peer.isPaused(), "never flowing is not paused, as Node's isPaused()");
            Collector c = new Collector(false);
            peer.on(Socket.END, () -> received.complete(c));
            peer.on(Socket.DATA, c);  // starts the flow
        });
        Collector c = await(received);
        assertEquals(TOTAL, c.count());
        assertEquals(writer.hash, c.hash());
        assertBounded(writer);
        destroyAll(client, peer);
        server.close();
    }

    @Test
    void pauseOnConnectReadsNothingAtAllUntilResumed() {
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        TestServer server = server(new ServerOptions().pauseOnConnect(true), s -> {
            s.on(Socket.DATA, mustNotCall());
            accepted.complete(s);
        });
        Socket client = connect(server.port);
        Socket peer = await(accepted);
        assertTrue(peer.isPaused(), "pauseOnConnect");
        client.write("waiting in the kernel", mustCall(e -> {}));
        awaitCalls();
        // Let the loop poll a few more times: a reading socket would have emitted DATA by then.
        CompletableFuture<Void> later = new CompletableFuture<>();
        onLoop(() -> Timers.setTimeout(() -> later.complete(null), 50));
        await(later);
        assertEquals(0, peer.bytesRead(), "pauseOnConnect stops the handle: Node does no read(0)");
        destroyAll(client, peer);
        server.close();
    }

    /**
     * Checks each few milliseconds whether the writer has stopped at the high-water mark and its
     * queue has not moved since the last look (the kernel takes nothing more).
     */
    private static void pollUntilStuck(Writer w, CompletableFuture<Void> stuck, long lastQueued) {
        long queued = w.socket.bufferSize();
        if (w.stalled.get() && queued > 0 && queued == lastQueued) {
            stuck.complete(null);
            return;
        }
        Timers.setTimeout(() -> pollUntilStuck(w, stuck, queued), 20);
    }
}
