package io.ffmnet.internal.buffer;

import java.lang.foreign.MemorySegment;

/**
 * Memory the user owns ({@code Buffer.wrap}): counted like any chunk, but nothing is freed at
 * zero, and the segment's own scope keeps guarding reads through {@link #segment}.
 */
public final class WrappedChunk extends Chunk {
    public WrappedChunk(MemorySegment segment) {
        super(segment);
        open();
    }

    @Override
    protected void deallocate() {
        // The memory belongs to the segment's arena.
    }
}
