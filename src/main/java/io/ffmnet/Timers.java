package io.ffmnet;

import io.ffmnet.internal.loop.Loop;

import java.util.Objects;

/**
 * Node's timer functions. Called on a loop thread they schedule on that loop; anywhere else, on
 * the default loop. Callbacks run on the loop thread; a callback that throws goes to the loop's
 * uncaught-exception handler.
 *
 * <p>Delays follow Node: a delay below 1 or above {@link #TIMEOUT_MAX} ms becomes 1 ms; timers
 * due at the same millisecond fire in the order they were set.
 */
public final class Timers {
    /** Node's largest delay, 2^31 - 1 ms (about 24.8 days). */
    public static final long TIMEOUT_MAX = Integer.MAX_VALUE;

    private Timers() {}

    /** Runs {@code callback} once after {@code ms}: Node's {@code setTimeout}. */
    public static Timer setTimeout(Runnable callback, long ms) {
        return Timer.timeout(loop(), Objects.requireNonNull(callback, "callback"), ms, false);
    }

    /** Runs {@code callback} every {@code ms}: Node's {@code setInterval}. */
    public static Timer setInterval(Runnable callback, long ms) {
        return Timer.timeout(loop(), Objects.requireNonNull(callback, "callback"), ms, true);
    }

    /** Runs {@code callback} in the loop's immediates phase, after I/O: Node's {@code setImmediate}. */
    public static Timer setImmediate(Runnable callback) {
        return Timer.immediate(loop(), Objects.requireNonNull(callback, "callback"));
    }

    /**
     * Runs {@code callback} right after the current callback, before any I/O or timer: Node's
     * {@code process.nextTick}. From another thread, right after the loop takes up the call.
     */
    public static Timer nextTick(Runnable callback) {
        return Timer.tick(loop(), Objects.requireNonNull(callback, "callback"));
    }

    /** Node's {@code clearTimeout}; accepts null as Node accepts {@code undefined}. */
    public static void clearTimeout(Timer timer) {
        if (timer != null) {
            timer.clear();
        }
    }

    /** Node's {@code clearInterval}. */
    public static void clearInterval(Timer timer) {
        clearTimeout(timer);
    }

    /** Node's {@code clearImmediate}. */
    public static void clearImmediate(Timer timer) {
        clearTimeout(timer);
    }

    private static Loop loop() {
        return EventLoop.current().loop;
    }
}
