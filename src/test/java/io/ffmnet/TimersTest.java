package io.ffmnet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node's timer semantics on the default loop: order, cancellation, intervals, refresh. */
@Timeout(120)
class TimersTest {
    /** Runs {@code body} on the default loop and waits for it; what it throws fails the test. */
    static void onLoop(Runnable body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.join();
    }

    @Test
    void timersFireInOrderOfDueTimeThenInOrderOfCreation() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Runnable last = mustCall(() -> order.add("d:30"));
        onLoop(() -> {
            Timers.setTimeout(last, 30);
            Timers.setTimeout(mustCall(() -> order.add("a:10")), 10);
            Timers.setTimeout(mustCall(() -> order.add("b:20")), 20);
            Timers.setTimeout(mustCall(() -> order.add("c:20")), 20);
            Timers.setTimeout(mustCall(() -> order.add("z:0")), 0);
        });
        awaitCalls();
        assertEquals(List.of("z:0", "a:10", "b:20", "c:20", "d:30"), order);
    }

    @Test
    void aClearedTimeoutNeverFires() {
        Runnable after = mustCall(() -> {});
        onLoop(() -> {
            Timer t = Timers.setTimeout(mustNotCall(), 5);
            Timers.clearTimeout(t);
            Timers.clearTimeout(t);   // twice is harmless, as in Node
            Timers.clearTimeout(null);
            Timers.setTimeout(after, 20);
        });
        awaitCalls();
    }

    @Test
    void aTimeoutClearedByAnEarlierTimerOfTheSameRoundDoesNotFire() {
        AtomicReference<Timer> victim = new AtomicReference<>();
        onLoop(() -> {
            Timers.setTimeout(mustCall(() -> victim.get().clear()), 10);
            victim.set(Timers.setTimeout(mustNotCall(), 10));
            Timers.setTimeout(mustCall(() -> {}), 30);
        });
        awaitCalls();
    }

    @Test
    void anIntervalRepeatsUntilCleared() {
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Timer> interval = new AtomicReference<>();
        Runnable tick = mustCall(() -> {
            if (runs.incrementAndGet() == 5) {
                interval.get().clear();
            }
        }, 5);
        onLoop(() -> interval.set(Timers.setInterval(tick, 2)));
        awaitCalls();
        // One more interval period would have run it a sixth time; a later timer proves it stopped.
        onLoop(() -> Timers.setTimeout(mustCall(() -> assertEquals(5, runs.get())), 20));
        awaitCalls();
    }

    @Test
    void refreshInsideItsOwnCallbackArmsATimeoutAgain() {
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Timer> timer = new AtomicReference<>();
        Runnable fire = mustCall(() -> {
            if (runs.incrementAndGet() < 3) {
                timer.get().refresh();
            }
        }, 3);
        onLoop(() -> timer.set(Timers.setTimeout(fire, 1)));
        awaitCalls();
    }

    @Test
    void refreshPostponesATimeoutBehindOnesSetAfterIt() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Timer> first = new AtomicReference<>();
        Runnable firstFired = mustCall(() -> order.add("first"));
        Runnable secondFired = mustCall(() -> order.add("second"));
        onLoop(() -> {
            first.set(Timers.setTimeout(firstFired, 30));
            Timers.setTimeout(mustCall(() -> first.get().refresh()), 20);
            Timers.setTimeout(secondFired, 40);
        });
        awaitCalls();
        // first was due at 30, refreshed at 20 to 50: after second (40).
        assertEquals(List.of("second", "first"), order);
    }

    @Test
    void nextTicksRunBeforeImmediatesAndImmediatesBeforeLaterTimers() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Runnable timeout = mustCall(() -> order.add("timeout"));
        onLoop(() -> Timers.setTimeout(mustCall(() -> {
            Timers.setTimeout(timeout, 0);
            Timers.setImmediate(mustCall(() -> order.add("immediate")));
            Timers.nextTick(mustCall(() -> order.add("tick")));
            order.add("callback");
        }), 1));
        awaitCalls();
        assertEquals(List.of("callback", "tick", "immediate", "timeout"), order);
    }

    @Test
    void anImmediateQueuedByAnImmediateRunsInTheNextIteration() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Runnable second = mustCall(() -> order.add("inner"));
        onLoop(() -> {
            Timers.setImmediate(mustCall(() -> {
                order.add("outer1");
                Timers.setImmediate(second);
            }));
            Timers.setImmediate(mustCall(() -> order.add("outer2")));
        });
        awaitCalls();
        assertEquals(List.of("outer1", "outer2", "inner"), order);
    }

    @Test
    void clearedImmediatesAndTicksDoNotRun() {
        Runnable after = mustCall(() -> {});
        onLoop(() -> {
            Timers.clearImmediate(Timers.setImmediate(mustNotCall()));
            Timers.nextTick(mustNotCall()).clear();
            Timers.setImmediate(after);
        });
        awaitCalls();
    }

    @Test
    void timersSetFromAnotherThreadRunOnTheLoopInOrder() {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 10; i++) {
            int n = i;
            Timers.setTimeout(mustCall(() -> order.add(n)), 5);
        }
        Timer cancelled = Timers.setTimeout(mustNotCall(), 5);
        cancelled.clear();
        Timers.setImmediate(mustCall(() -> {}));
        Timers.nextTick(mustCall(() -> {}));
        awaitCalls();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), order);
    }

    @Test
    void delaysOutsideNodesRangeBecomeOneMillisecond() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Runnable later = mustCall(() -> order.add("ten"));
        onLoop(() -> {
            Timers.setTimeout(later, 10);
            Timers.setTimeout(mustCall(() -> order.add("huge")), Timers.TIMEOUT_MAX + 1);
            Timers.setTimeout(mustCall(() -> order.add("negative")), -5);
        });
        awaitCalls();
        assertEquals(List.of("huge", "negative", "ten"), order);
    }

    @Test
    void refAndUnrefAreReportedByHasRef() {
        onLoop(() -> {
            Timer t = Timers.setTimeout(mustNotCall(), 100_000);
            assertTrue(t.hasRef());
            t.unref();
            assertFalse(t.hasRef());
            t.ref();
            assertTrue(t.hasRef());
            t.clear();
        });
    }

    @Test
    void aHundredThousandTimersFireInDueOrderAndClearedOnesDoNot() {
        int count = 100_000;
        AtomicInteger fired = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger();
        long[] lastDue = {-1};
        Runnable done = mustCall(() -> {});
        onLoop(() -> {
            List<Timer> timers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long due = 1 + (i * 7919L) % 50;
                timers.add(Timers.setTimeout(() -> {
                    if (due < lastDue[0]) {
                        outOfOrder.incrementAndGet();
                    }
                    lastDue[0] = due;
                    fired.incrementAndGet();
                }, due));
            }
            for (int i = 0; i < count; i += 2) {
                timers.get(i).clear();
            }
            Timers.setTimeout(done, 60);
        });
        awaitCalls();
        assertEquals(count / 2, fired.get());
        assertEquals(0, outOfOrder.get());
    }
}
