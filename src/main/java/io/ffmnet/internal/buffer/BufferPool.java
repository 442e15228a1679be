package io.ffmnet.internal.buffer;

import io.ffmnet.internal.sys.Mem;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Native memory in a few size classes, carved from 1 MiB slabs allocated once and freed when the
 * pool closes. Each event loop owns a pool and takes from it without locking; chunks released on
 * other threads come back through a queue that the owner drains. Threads that are not loops
 * share one pool, which locks.
 */
public final class BufferPool {
    /** Chunk sizes. 64 KiB matches the read size libuv and Node use for streams. */
    static final int[] CLASS_SIZES = {256, 1024, 4096, 16 * 1024, 64 * 1024};
    /** The largest pooled request; larger ones are malloc'd and freed on release. */
    public static final int MAX_POOLED = CLASS_SIZES[CLASS_SIZES.length - 1];
    /** How many size classes there are. */
    public static final int CLASS_COUNT = CLASS_SIZES.length;
    static final int SLAB_SIZE = 1 << 20;

    /** A thread that owns a pool: event-loop threads. */
    public interface Owner {
        BufferPool bufferPool();
    }

    private static final BufferPool SHARED = new BufferPool(null);
    private static final List<BufferPool> POOLS = new CopyOnWriteArrayList<>(List.of(SHARED));
    private static final AtomicLong UNPOOLED_LIVE = new AtomicLong();

    private final Thread owner;
    private final PooledChunk[][] free = new PooledChunk[CLASS_SIZES.length][];
    private final int[] freeCount = new int[CLASS_SIZES.length];
    private final ConcurrentLinkedQueue<PooledChunk> returns = new ConcurrentLinkedQueue<>();
    private final List<Long> slabs = new ArrayList<>();
    private int inUse;
    private boolean closed;

    private BufferPool(Thread owner) {
        this.owner = owner;
        for (int c = 0; c < CLASS_SIZES.length; c++) {
            free[c] = new PooledChunk[16];
        }
    }

    /** A pool for the loop running on {@code owner}; only that thread may take from it. */
    public static BufferPool forOwner(Thread owner) {
        BufferPool pool = new BufferPool(owner);
        POOLS.add(pool);
        return pool;
    }

    /** The chunk size of size class {@code index} (0 the smallest, {@link #CLASS_COUNT} - 1 the largest). */
    public static int classSize(int index) {
        return CLASS_SIZES[index];
    }

    /** The pool of the calling thread: its loop's, or the shared one. */
    public static BufferPool current() {
        return Thread.currentThread() instanceof Owner o ? o.bufferPool() : SHARED;
    }

    /**
     * A chunk of at least {@code size} bytes with a count of one; its contents are not zeroed.
     * Call on the owner thread (any thread for the shared pool).
     */
    public Chunk take(int size) {
        int c = sizeClass(size);
        if (c < 0) {
            UNPOOLED_LIVE.incrementAndGet();
            return new MallocChunk(size);
        }
        if (owner == null) {
            synchronized (this) {
                return takeFromClass(c);
            }
        }
        assert Thread.currentThread() == owner : "pool taken from off its loop";
        return takeFromClass(c);
    }

    private PooledChunk takeFromClass(int c) {
        if (freeCount[c] == 0) {
            drainReturns();
            if (freeCount[c] == 0) {
                carveSlab(c);
            }
        }
        PooledChunk chunk = free[c][--freeCount[c]];
        free[c][freeCount[c]] = null;
        inUse++;
        chunk.open();
        return chunk;
    }

    /** Takes back a chunk whose count reached zero, on whatever thread released it. */
    void give(PooledChunk chunk) {
        if (owner == null) {
            synchronized (this) {
                push(chunk);
            }
        } else if (Thread.currentThread() == owner) {
            push(chunk);
        } else {
            returns.offer(chunk);
        }
    }

    private void push(PooledChunk chunk) {
        inUse--;
        if (closed) {
            return;
        }
        int c = chunk.sizeClass;
        if (freeCount[c] == free[c].length) {
            free[c] = Arrays.copyOf(free[c], freeCount[c] * 2);
        }
        free[c][freeCount[c]++] = chunk;
    }

    /** Moves chunks released on other threads back to the free lists. Owner thread only. */
    public void drainReturns() {
        PooledChunk chunk;
        while ((chunk = returns.poll()) != null) {
            push(chunk);
        }
    }

    private void carveSlab(int c) {
        int size = CLASS_SIZES[c];
        long slab = Mem.malloc(SLAB_SIZE);
        slabs.add(slab);
        MemorySegment whole = MemorySegment.ofAddress(slab).reinterpret(SLAB_SIZE);
        for (int offset = 0; offset + size <= SLAB_SIZE; offset += size) {
            if (freeCount[c] == free[c].length) {
                free[c] = Arrays.copyOf(free[c], freeCount[c] * 2);
            }
            free[c][freeCount[c]++] = new PooledChunk(whole.asSlice(offset, size), this, c);
        }
    }

    static int sizeClass(int size) {
        for (int c = 0; c < CLASS_SIZES.length; c++) {
            if (size <= CLASS_SIZES[c]) {
                return c;
            }
        }
        return -1;
    }

    /**
     * Chunks taken and not yet given back. Exact on the owner thread once released chunks were
     * drained; elsewhere a snapshot.
     */
    public int outstanding() {
        if (owner == null) {
            synchronized (this) {
                return inUse;
            }
        }
        return inUse - returns.size();
    }

    /** Native memory this pool holds in slabs, in bytes. */
    public long reservedBytes() {
        return (long) slabs.size() * SLAB_SIZE;
    }

    /**
     * Frees the slabs. Chunks still in use keep pointing at freed memory, so a loop closes its
     * pool only after its handles are gone; their views then fail their generation check.
     */
    public void close() {
        drainReturns();
        closed = true;
        for (long slab : slabs) {
            Mem.free(slab);
        }
        slabs.clear();
        Arrays.fill(freeCount, 0);
        POOLS.remove(this);
    }

    /** Pooled chunks out across all pools plus live unpooled allocations: the leak check's number. */
    public static long outstandingEverywhere() {
        long total = UNPOOLED_LIVE.get();
        for (BufferPool pool : POOLS) {
            total += pool.outstanding();
        }
        return total;
    }

    /** A chunk from a slab. */
    static final class PooledChunk extends Chunk {
        final BufferPool pool;
        final int sizeClass;

        PooledChunk(MemorySegment segment, BufferPool pool, int sizeClass) {
            super(segment);
            this.pool = pool;
            this.sizeClass = sizeClass;
        }

        @Override
        protected void deallocate() {
            pool.give(this);
        }
    }

    /** Memory larger than any class, from malloc, freed at release. */
    static final class MallocChunk extends Chunk {
        MallocChunk(int size) {
            super(MemorySegment.ofAddress(Mem.malloc(size)).reinterpret(size));
            open();
        }

        @Override
        protected void deallocate() {
            Mem.free(address);
            UNPOOLED_LIVE.decrementAndGet();
        }
    }
}
