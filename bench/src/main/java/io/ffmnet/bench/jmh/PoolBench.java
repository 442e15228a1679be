package io.ffmnet.bench.jmh;

import io.ffmnet.internal.buffer.BufferPool;
import io.ffmnet.internal.buffer.Chunk;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The per-loop buffer pool: take a chunk and give it back (release to count zero), on the
 * pool's owner thread (the loop's case, no lock) and through the shared pool (locking), for the
 * smallest class and the 64 KiB read size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PoolBench {
    BufferPool owned;
    BufferPool shared;

    @Setup
    public void setup() {
        // JMH runs Thread-scoped setup on the benchmark thread: this thread owns the pool.
        owned = BufferPool.forOwner(Thread.currentThread());
        shared = BufferPool.current();
    }

    @TearDown
    public void tearDown() {
        owned.close();
    }

    @Benchmark
    public int ownedTakeRelease64() {
        Chunk c = owned.take(64);
        return c.release(c.generation());
    }

    @Benchmark
    public int ownedTakeRelease64K() {
        Chunk c = owned.take(64 * 1024);
        return c.release(c.generation());
    }

    @Benchmark
    public int sharedTakeRelease64() {
        Chunk c = shared.take(64);
        return c.release(c.generation());
    }
}
