package io.ffmnet.internal.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Native memory with a reference count, shared by the {@code Buffer} views made of it.
 *
 * <p>One {@code long} holds both the count (low half) and a generation (high half). A view
 * remembers the generation it was made in; when the count reaches zero the generation moves on,
 * so a view kept past its release fails every check, even after the memory went back to a pool
 * and out again to a new owner. Count and generation change together in one compare-and-set,
 * which makes retain and release safe from any thread.
 */
public abstract class Chunk {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Chunk.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The whole memory; views read through it at their own offsets. */
    public final MemorySegment segment;
    /** The native address of {@link #segment}, for system calls. */
    public final long address;
    /** The size in bytes. */
    public final int capacity;

    @SuppressWarnings("unused") // through STATE
    private volatile long state;

    protected Chunk(MemorySegment segment) {
        this.segment = segment;
        this.address = segment.address();
        this.capacity = (int) segment.byteSize();
    }

    /**
     * Starts a use of this chunk with a count of one.
     *
     * @return the generation the new views carry
     */
    final int open() {
        long s = (long) STATE.getAcquire(this);
        STATE.setRelease(this, (s & 0xffff_ffff_0000_0000L) | 1);
        return (int) (s >>> 32);
    }

    /** The generation of the current use: what views made now must carry. */
    public final int generation() {
        return (int) ((long) STATE.getAcquire(this) >>> 32);
    }

    /** Whether views of generation {@code gen} may still be used. */
    public final boolean isLive(int gen) {
        return (int) ((long) STATE.getAcquire(this) >>> 32) == gen;
    }

    /** The count as seen by a view of generation {@code gen}: 0 once that use ended. */
    public final int refCnt(int gen) {
        long s = (long) STATE.getAcquire(this);
        return (int) (s >>> 32) == gen ? (int) s : 0;
    }

    /** Adds one to the count; false (and no change) if the use {@code gen} already ended. */
    public final boolean retain(int gen) {
        for (;;) {
            long s = (long) STATE.getAcquire(this);
            if ((int) (s >>> 32) != gen) {
                return false;
            }
            if ((int) s == Integer.MAX_VALUE) {
                throw new IllegalStateException("reference count overflow");
            }
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /**
     * Takes one from the count; at zero the use ends and the memory is freed or pooled.
     *
     * @return 1 if this released the last reference, 0 if others remain, -1 if the use
     *         {@code gen} had already ended
     */
    public final int release(int gen) {
        for (;;) {
            long s = (long) STATE.getAcquire(this);
            if ((int) (s >>> 32) != gen) {
                return -1;
            }
            boolean last = (int) s == 1;
            long next = last ? (long) (gen + 1) << 32 : s - 1;
            if (STATE.compareAndSet(this, s, next)) {
                if (last) {
                    deallocate();
                    return 1;
                }
                return 0;
            }
        }
    }

    /** Gives the memory back: to its pool, to the C library, or to nobody (wrapped memory). */
    protected abstract void deallocate();
}
