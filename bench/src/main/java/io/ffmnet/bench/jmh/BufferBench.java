package io.ffmnet.bench.jmh;

import io.ffmnet.Buffer;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The zero-copy Buffer's per-use costs: a view (slice), retain/release (one CAS each on the
 * chunk's count+generation word), reading through a view, and alloc+release through the public
 * API (off a loop thread this uses the shared, locking pool).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BufferBench {
    Buffer buffer;

    @Setup
    public void setup() {
        buffer = Buffer.alloc(4096);
    }

    @TearDown
    public void tearDown() {
        buffer.release();
    }

    /** A view of 64 bytes: what the read path makes per read. */
    @Benchmark
    public Buffer slice() {
        return buffer.slice(0, 64);
    }

    /** retain() then release(): what a write of a received buffer costs in reference counting. */
    @Benchmark
    public boolean retainRelease() {
        buffer.retain();
        return buffer.release();
    }

    /** A view, retained and released: the full life of an echoed chunk's extra reference. */
    @Benchmark
    public boolean sliceRetainRelease() {
        Buffer b = buffer.slice(0, 64);
        b.retain();
        return b.release();
    }

    /** One checked read through a view (generation check + bounds check). */
    @Benchmark
    public byte get() {
        return buffer.get(63);
    }

    /** Buffer.alloc(64) + release() off any loop: the shared pool, which locks. */
    @Benchmark
    public boolean allocRelease64() {
        return Buffer.alloc(64).release();
    }
}
