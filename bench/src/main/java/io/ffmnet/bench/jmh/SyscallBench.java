package io.ffmnet.bench.jmh;

import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Mem;
import io.ffmnet.internal.sys.Sockets;
import io.ffmnet.internal.sys.SysConstants;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One system call through the sys layer: the downcall, errno capture (off a loop thread through
 * the thread-local slot), and the kernel's own cost. write(2) of 8 bytes to an eventfd (the
 * loop's wake-up), write+read on it (a wake-up and its drain), and getsockopt(SO_RCVBUF).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SyscallBench {
    int eventFd;
    int socketFd;
    long one;
    long drain;
    long optval;
    long optlen;

    @Setup
    public void setup() {
        eventFd = Fds.eventfd(0, Fds.EFD_NONBLOCK | Fds.EFD_CLOEXEC);
        socketFd = Sockets.socket(SysConstants.AF_INET, SysConstants.SOCK_STREAM | SysConstants.SOCK_CLOEXEC, 0);
        if (eventFd < 0 || socketFd < 0) {
            throw new IllegalStateException("eventfd " + eventFd + ", socket " + socketFd);
        }
        one = Mem.malloc(8);
        drain = Mem.malloc(8);
        optval = Mem.malloc(4);
        optlen = Mem.malloc(4);
        MemorySegment.ofAddress(one).reinterpret(8).set(JAVA_LONG_UNALIGNED, 0, 1L);
    }

    @TearDown
    public void tearDown() {
        Fds.close(eventFd);
        Fds.close(socketFd);
        Mem.free(one);
        Mem.free(drain);
        Mem.free(optval);
        Mem.free(optlen);
    }

    @Benchmark
    public long eventfdWrite() {
        return Fds.write(eventFd, one, 8);
    }

    @Benchmark
    public long eventfdWriteRead() {
        Fds.write(eventFd, one, 8);
        return Fds.read(eventFd, drain, 8);
    }

    @Benchmark
    public int getsockoptRcvbuf() {
        MemorySegment.ofAddress(optlen).reinterpret(4).set(JAVA_INT_UNALIGNED, 0, 4);
        return Sockets.getsockopt(socketFd, SysConstants.SOL_SOCKET, SysConstants.SO_RCVBUF, optval, optlen);
    }
}
