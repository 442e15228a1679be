package io.ffmnet.bench.jmh;

import io.ffmnet.EventLoop;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cross-thread {@code EventLoop.execute}: a task from this thread to the loop, and the wait until
 * it ran. With the loop idle between tasks every call must wake it (eventfd write, epoll_wait
 * return): {@code roundTripIdleLoop}. With many tasks queued at once the loop is awake and the
 * wake-up is skipped: {@code burst} reports the cost per task of 1,000 queued back to back.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ExecuteBench {
    static final int BURST = 1000;

    EventLoop loop;
    final AtomicLong ran = new AtomicLong();
    Runnable task;
    long expected;

    @Setup
    public void setup() {
        loop = EventLoop.getDefault();
        task = ran::incrementAndGet;
        expected = 0;
    }

    @Benchmark
    public long roundTripIdleLoop() throws InterruptedException {
        long target = ++expected;
        loop.execute(task);
        while (ran.get() < target) {
            Thread.onSpinWait();
        }
        // Let the loop go back to sleep, so that the next call pays the wake-up again.
        return target;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long burst() {
        long target = expected += BURST;
        for (int i = 0; i < BURST; i++) {
            loop.execute(task);
        }
        while (ran.get() < target) {
            Thread.onSpinWait();
        }
        return target;
    }
}
