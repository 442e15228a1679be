package io.ffmnet.bench.jmh;

import io.ffmnet.internal.sys.SockAddr;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/** sockaddr encode (parse the text address, write the struct) and decode (struct to text + port). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SockAddrBench {
    Arena arena;
    MemorySegment scratch;
    MemorySegment v4;
    MemorySegment v6;
    int v4Length;
    int v6Length;

    @Setup
    public void setup() {
        arena = Arena.ofConfined();
        scratch = arena.allocate(SockAddr.MAX_SIZE);
        v4 = arena.allocate(SockAddr.MAX_SIZE);
        v6 = arena.allocate(SockAddr.MAX_SIZE);
        v4Length = SockAddr.encode(v4, "192.168.10.200", 40123);
        v6Length = SockAddr.encode(v6, "2001:db8::8a2e:370:7334", 40123);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public int encodeV4() {
        return SockAddr.encode(scratch, "192.168.10.200", 40123);
    }

    @Benchmark
    public int encodeV6() {
        return SockAddr.encode(scratch, "2001:db8::8a2e:370:7334", 40123);
    }

    @Benchmark
    public int decodeV4() {
        return SockAddr.address(v4, v4Length).length() + SockAddr.port(v4);
    }

    @Benchmark
    public int decodeV6() {
        return SockAddr.address(v6, v6Length).length() + SockAddr.port(v6);
    }
}
