package io.ffmnet.internal.stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes made while the loop dispatches ready events are held back and sent together at the end
 * of the poll phase; writes made anywhere else go to the kernel at once.
 */
@Timeout(60)
class StreamHandleBatchTest extends StreamPairTest {

    @Test
    void aWriteMadeWhileReadingWaitsForTheEndOfTheDispatch() {
        CompletableFuture<long[]> seen = new CompletableFuture<>();
        pair.start((chunk, n) -> {
            int r = pair.handle.write(pair.request("pong"));
            seen.complete(new long[] {r, pair.handle.queuedBytes()});
        });
        pair.send("ping");
        long[] writeResult = seen.join();
        assertEquals(0, writeResult[0], "held back, not written at once");
        assertEquals(4, writeResult[1]);
        assertEquals("pong", pair.receive(4));
        assertEquals(List.of("pong:0"), pair.completionsAfterThisIteration());
    }

    @Test
    void aWriteMadeOutsideTheDispatchGoesToTheKernelAtOnce() {
        pair.start((chunk, n) -> { });
        int r = pair.onLoop(() -> pair.handle.write(pair.request("now")));
        assertEquals(1, r, "written by the call itself");
        assertEquals("now", pair.receive(3));
    }

    @Test
    void aBatchThatGrowsPastTheCapIsWrittenBeforeTheDispatchEnds() {
        int first = (int) StreamHandle.MAX_BATCHED_BYTES / 2;
        int second = (int) StreamHandle.MAX_BATCHED_BYTES;
        CompletableFuture<Long> queuedAfterBoth = new CompletableFuture<>();
        pair.start((chunk, n) -> {
            pair.handle.write(pair.request("a".repeat(first)));
            pair.handle.write(pair.request("b".repeat(second)));
            queuedAfterBoth.complete(pair.handle.queuedBytes());
        });
        pair.send("go");
        assertTrue(queuedAfterBoth.join() < first + second, "the cap flushed inside the dispatch");
        assertEquals("a".repeat(first) + "b".repeat(second), pair.receive(first + second));
        assertEquals(2, pair.completionsAfterThisIteration().size());
    }

    @Test
    void closingInsideTheDispatchStillSendsWhatWasWrittenBeforeIt() {
        pair.start((chunk, n) -> {
            pair.handle.write(pair.request("bye"));
            pair.handle.close();
        });
        pair.send("hi");
        assertEquals("bye", pair.receive(3));
        assertEquals(0, pair.readOnce(new byte[1]), "then EOF");
        assertEquals(List.of("bye:0"), pair.completionsAfterThisIteration());
    }

    @Test
    void aShutdownInsideTheDispatchFollowsTheHeldBackBytes() {
        CompletableFuture<Long> heldAtShutdown = new CompletableFuture<>();
        pair.start((chunk, n) -> {
            pair.handle.write(pair.request("last"));
            pair.handle.shutdown();
            heldAtShutdown.complete(pair.handle.queuedBytes());
        });
        pair.send("x");
        assertEquals(4, heldAtShutdown.join(), "the bytes were still held when shutdown() was called");
        assertEquals("last", pair.receive(4));
        assertEquals(0, pair.readOnce(new byte[1]), "FIN after the bytes");
    }

    @Test
    void writesToSeveralSocketsInOneDispatchAllLeave() {
        // A second pair, written from the first one's read: a chat server's broadcast.
        try (StreamPair other = new StreamPair(loop).open()) {
            CompletableFuture<long[]> held = new CompletableFuture<>();
            pair.start((chunk, n) -> {
                pair.handle.write(pair.request("to-self"));
                other.handle.write(other.request("to-other"));
                held.complete(new long[] {pair.handle.queuedBytes(), other.handle.queuedBytes()});
            });
            pair.send("msg");
            assertArrayEquals(new long[] {7, 8}, held.join(), "both held until the dispatch ends");
            assertEquals("to-self", pair.receive(7));
            assertEquals("to-other", other.receive(8));
        }
    }
}
