package io.ffmnet.internal.stream;

import io.ffmnet.internal.buffer.BufferPool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The read size follows the traffic: a bulk transfer ramps up to 64 KiB within a few reads, and
 * small messages bring it down to the smallest size class two read batches at a time.
 */
@Timeout(60)
class StreamHandleReadSizeTest extends StreamPairTest {
    /** Each read: the capacity of the chunk read into, and how many bytes it held. */
    private final LinkedBlockingQueue<int[]> reads = new LinkedBlockingQueue<>();

    @Test
    void theFirstReadUsesTheInitialSize() {
        pair.start((chunk, n) -> reads.add(new int[] {chunk.capacity, n}));
        pair.send("hello");
        assertEquals(BufferPool.classSize(StreamHandle.INITIAL_READ_SIZE_INDEX), take()[0]);
    }

    @Test
    void aBulkTransferRampsUpToTheLargestSizeOneStepPerFilledRead() {
        // Everything is in the socket before reading starts, so every read but the last fills
        // its chunk: 4 KiB, 16 KiB, 64 KiB, then the rest.
        int rest = 12 * 1024;
        int total = 4096 + 16 * 1024 + 64 * 1024 + rest;
        pair.send(new byte[total]);
        pair.start((chunk, n) -> reads.add(new int[] {chunk.capacity, n}));
        assertArrayEquals(new int[] {4096, 4096}, take());
        assertArrayEquals(new int[] {16 * 1024, 16 * 1024}, take());
        assertArrayEquals(new int[] {64 * 1024, 64 * 1024}, take());
        assertArrayEquals(new int[] {64 * 1024, rest}, take());
    }

    @Test
    void smallMessagesShrinkTheSizeToTheSmallestClassTwoBatchesPerStep() {
        pair.start((chunk, n) -> reads.add(new int[] {chunk.capacity, n}));
        List<Integer> sizes = new ArrayList<>();
        // One message per read batch: send, then wait for its read before sending the next.
        for (int i = 0; i < 2 * StreamHandle.INITIAL_READ_SIZE_INDEX + 2; i++) {
            pair.send("ping");
            sizes.add(take()[0]);
        }
        assertEquals(List.of(4096, 4096, 1024, 1024, 256, 256), sizes);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private int[] take() {
        try {
            int[] read = reads.poll(30, TimeUnit.SECONDS);
            assertNotNull(read, "no read");
            return read;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
