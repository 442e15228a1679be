package io.ffmnet.testing;

import io.ffmnet.internal.loop.Loop;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Node's {@code common.mustCall}/{@code mustNotCall} for JUnit: wrappers that count their calls,
 * checked after each test by {@link LeakCheckExtension}. Every wrapped callback also asserts that
 * it runs on an event-loop thread, since ffm-net promises that of every listener and callback.
 *
 * <p>{@link #awaitCalls()} blocks the test thread until every expectation of the current test is
 * met (or one fails on the loop); the limit there only keeps a broken test from hanging the
 * suite and is not a measurement.
 */
public final class Must {
    /** How long {@link #awaitCalls()} waits before reporting which expectation is missing. */
    private static final long HANG_GUARD_SECONDS = 60;

    private static final Object MONITOR = new Object();
    private static final List<Expectation> EXPECTATIONS = new ArrayList<>();
    private static final List<Throwable> FAILURES = new ArrayList<>();

    private Must() {}

    /** A counter of calls that must happen exactly {@code expected} times. */
    public static final class Expectation {
        final String where;
        final int expected;
        final AtomicInteger calls = new AtomicInteger();

        Expectation(String where, int expected) {
            this.where = where;
            this.expected = expected;
        }

        /** Before the wrapped callback runs. */
        void entering() {
            if (Loop.current() == null) {
                fail(new AssertionError("callback from " + where + " ran on "
                        + Thread.currentThread().getName() + ", not on an event loop"));
            }
        }

        /** After the wrapped callback returned or threw: counted only now, so a waiting test sees its effects. */
        void called() {
            int n = calls.incrementAndGet();
            if (n > expected) {
                fail(new AssertionError("callback from " + where + " called " + n
                        + " times, expected " + expected));
            }
            synchronized (MONITOR) {
                MONITOR.notifyAll();
            }
        }

        /** How many times it ran so far. */
        public int calls() {
            return calls.get();
        }

        @Override
        public String toString() {
            return where + ": called " + calls.get() + " of " + expected + " times";
        }
    }

    public static Runnable mustCall(Runnable fn) {
        return mustCall(fn, 1);
    }

    public static Runnable mustCall(Runnable fn, int times) {
        Expectation e = expect(times);
        return () -> {
            e.entering();
            try {
                fn.run();
            } finally {
                e.called();
            }
        };
    }

    public static <T> Consumer<T> mustCall(Consumer<T> fn) {
        return mustCall(fn, 1);
    }

    public static <T> Consumer<T> mustCall(Consumer<T> fn, int times) {
        Expectation e = expect(times);
        return t -> {
            e.entering();
            try {
                fn.accept(t);
            } finally {
                e.called();
            }
        };
    }

    public static <T, U> BiConsumer<T, U> mustCall(BiConsumer<T, U> fn) {
        return mustCall(fn, 1);
    }

    public static <T, U> BiConsumer<T, U> mustCall(BiConsumer<T, U> fn, int times) {
        Expectation e = expect(times);
        return (t, u) -> {
            e.entering();
            try {
                fn.accept(t, u);
            } finally {
                e.called();
            }
        };
    }

    /** A callback that may run any number of times but only on a loop thread. */
    public static Runnable onLoopOnly(Runnable fn) {
        return mustCall(fn, Integer.MAX_VALUE);
    }

    /** A callback of any of the three shapes that fails the test if it runs at all. */
    public static <T, U> Never<T, U> mustNotCall() {
        return new Never<>(caller());
    }

    /** See {@link #mustNotCall()}. */
    public static final class Never<T, U> implements Runnable, Consumer<T>, BiConsumer<T, U> {
        private final String where;

        Never(String where) {
            this.where = where;
        }

        @Override
        public void run() {
            fail(new AssertionError("mustNotCall callback from " + where + " was called"));
        }

        @Override
        public void accept(T t) {
            fail(new AssertionError("mustNotCall callback from " + where + " was called with " + t));
        }

        @Override
        public void accept(T t, U u) {
            fail(new AssertionError("mustNotCall callback from " + where + " was called with "
                    + t + ", " + u));
        }
    }

    /** Records a failure seen on a loop thread; the test fails with it when it ends or waits. */
    public static void fail(Throwable t) {
        synchronized (MONITOR) {
            FAILURES.add(t);
            MONITOR.notifyAll();
        }
    }

    /**
     * Waits until every {@code mustCall} of this test has run as often as expected, rethrowing
     * on this thread any failure recorded on a loop thread meanwhile.
     */
    public static void awaitCalls() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        synchronized (MONITOR) {
            while (true) {
                rethrowFailures();
                Expectation missing = firstUnmet();
                if (missing == null) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("still waiting after " + HANG_GUARD_SECONDS + " s: " + missing);
                }
                try {
                    MONITOR.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + missing);
                }
            }
        }
    }

    /** Checks that every expectation of the test was met exactly; clears them for the next test. */
    static void verifyAndReset() {
        synchronized (MONITOR) {
            try {
                rethrowFailures();
                for (Expectation e : EXPECTATIONS) {
                    if (e.expected != Integer.MAX_VALUE && e.calls.get() != e.expected) {
                        throw new AssertionError("mustCall not satisfied: " + e);
                    }
                }
            } finally {
                EXPECTATIONS.clear();
                FAILURES.clear();
            }
        }
    }

    private static Expectation expect(int times) {
        Expectation e = new Expectation(caller(), times);
        synchronized (MONITOR) {
            EXPECTATIONS.add(e);
        }
        return e;
    }

    private static Expectation firstUnmet() {
        for (Expectation e : EXPECTATIONS) {
            if (e.expected != Integer.MAX_VALUE && e.calls.get() < e.expected) {
                return e;
            }
        }
        return null;
    }

    private static void rethrowFailures() {
        if (FAILURES.isEmpty()) {
            return;
        }
        Throwable first = FAILURES.getFirst();
        AssertionError error = first instanceof AssertionError a ? a
                : new AssertionError("failure on the event loop: " + first, first);
        for (Throwable more : FAILURES.subList(1, FAILURES.size())) {
            if (more != error) {
                error.addSuppressed(more);
            }
        }
        FAILURES.clear();
        throw error;
    }

    /** The test source line that made the wrapper, for messages. */
    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(Must.class.getName()))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1)
                        + "." + f.getMethodName() + ":" + f.getLineNumber())
                .orElse("?"));
    }
}
