package io.ffmnet;

import io.ffmnet.testing.Must;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default loop: cross-thread execute, thread confinement, the uncaught-exception handler. */
@Timeout(120)
class EventLoopTest {
    @Test
    void theDefaultLoopIsOneObjectAndRunsOnItsOwnThread() {
        EventLoop loop = EventLoop.getDefault();
        assertSame(loop, EventLoop.getDefault());
        assertFalse(loop.inEventLoop());
        loop.execute(mustCall(() -> assertTrue(loop.inEventLoop())));
        awaitCalls();
    }

    @Test
    void tasksFromManyThreadsAllRunInEachThreadsOrder() throws InterruptedException {
        int threads = 8;
        int perThread = 20_000;
        int[] next = new int[threads];   // touched on the loop thread only
        List<String> errors = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        Runnable finished = mustCall(() -> {}, threads * perThread);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread producer = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    int seq = i;
                    EventLoop.getDefault().execute(() -> {
                        if (next[id] != seq && errors.size() < 10) {
                            errors.add("thread " + id + " expected " + next[id] + " got " + seq);
                        }
                        next[id] = seq + 1;
                        finished.run();
                    });
                }
            });
            producers.add(producer);
            producer.start();
        }
        start.countDown();
        for (Thread producer : producers) {
            producer.join();
        }
        awaitCalls();
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> seen.complete(List.copyOf(errors)));
        assertEquals(List.of(), seen.join());
    }

    @Test
    void tasksQueuedOnTheLoopRunAfterTheCurrentCallback() {
        List<String> order = new ArrayList<>();
        Runnable second = mustCall(() -> order.add("task"));
        EventLoop.getDefault().execute(mustCall(() -> {
            EventLoop.getDefault().execute(second);
            order.add("callback");
        }));
        awaitCalls();
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> seen.complete(List.copyOf(order)));
        assertEquals(List.of("callback", "task"), seen.join());
    }

    @Test
    void aThrowingCallbackGoesToTheHandlerAndTheLoopCarriesOn() {
        EventLoop loop = EventLoop.getDefault();
        AtomicReference<Throwable> caught = new AtomicReference<>();
        loop.setUncaughtExceptionHandler(mustCall(caught::set));
        RuntimeException boom = new RuntimeException("boom");
        loop.execute(() -> {
            throw boom;
        });
        Timers.setTimeout(mustCall(() -> {}), 1);
        awaitCalls();
        loop.setUncaughtExceptionHandler(Must::fail);
        assertSame(boom, caught.get());
    }

    @Test
    void aThrowingHandlerDoesNotStopTheLoop() {
        EventLoop loop = EventLoop.getDefault();
        loop.setUncaughtExceptionHandler(mustCall(t -> {
            throw new IllegalStateException("handler fails too");
        }));
        loop.execute(() -> {
            throw new RuntimeException("first");
        });
        loop.execute(mustCall(() -> {}));
        awaitCalls();
        loop.setUncaughtExceptionHandler(Must::fail);
    }

    @Test
    void executeRejectsNull() {
        assertThrows(NullPointerException.class, () -> EventLoop.getDefault().execute(null));
    }
}
