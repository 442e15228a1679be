package io.ffmnet.bench.jmh;

import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.loop.LoopTimer;
import org.openjdk.jmh.annotations.*;

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Loop timers with 100,000 of them live (an idle-timeout per connection of a busy server):
 * insert+cancel of one more, and refresh of a live one (O(1) by design: the heap is only
 * touched when a stale entry reaches the top). Timers belong to the loop thread, so each
 * invocation runs a batch of {@link #BATCH} operations there and waits for it; the hand-off
 * costs about one cross-thread round trip per batch, i.e. well under 1 % of the reported
 * per-operation time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TimerBench {
    static final int LIVE = 100_000;
    static final int BATCH = 10_000;

    Loop loop;
    LoopTimer[] live;
    LoopTimer[] extra;
    long[] delays;
    int[] refreshOrder;

    @Setup
    public void setup() throws Exception {
        loop = Loop.start("timer-bench-loop");
        SplittableRandom random = new SplittableRandom(42);
        delays = new long[BATCH];
        refreshOrder = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            delays[i] = 600_000 + random.nextInt(600_000);
            refreshOrder[i] = random.nextInt(LIVE);
        }
        onLoop(() -> {
            Runnable nothing = () -> { };
            live = new LoopTimer[LIVE];
            for (int i = 0; i < LIVE; i++) {
                live[i] = new LoopTimer(loop, nothing);
                live[i].ref(false);
                live[i].start(600_000 + random.nextInt(600_000), false);
            }
            extra = new LoopTimer[BATCH];
            for (int i = 0; i < BATCH; i++) {
                extra[i] = new LoopTimer(loop, nothing);
                extra[i].ref(false);
            }
        });
    }

    @TearDown
    public void tearDown() throws Exception {
        onLoop(() -> {
            for (LoopTimer t : live) {
                t.stop();
            }
        });
        loop.shutdown();
    }

    void onLoop(Runnable task) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(60, TimeUnit.SECONDS);
    }

    /** Files one more timer among 100k and takes it out again (heap sift up, then remove). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void insertCancel() throws Exception {
        onLoop(() -> {
            for (int i = 0; i < BATCH; i++) {
                extra[i].start(delays[i], false);
            }
            for (int i = BATCH - 1; i >= 0; i--) {
                extra[i].stop();
            }
        });
    }

    /** Restarts the countdown of a random live timer (what every read on a socket with a timeout does). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void refresh() throws Exception {
        onLoop(() -> {
            for (int i = 0; i < BATCH; i++) {
                live[refreshOrder[i]].refresh();
            }
        });
    }
}
