package io.ffmnet;

import io.ffmnet.internal.loop.Immediate;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.loop.LoopTimer;

/**
 * What {@link Timers} return: Node's {@code Timeout} (for {@code setTimeout}/{@code setInterval}),
 * {@code Immediate} (for {@code setImmediate}) or a queued {@code nextTick}. Every method is safe
 * from any thread; off the loop thread it takes effect in order with the loop's other tasks.
 */
public final class Timer {
    private enum Kind { TIMEOUT, INTERVAL, IMMEDIATE, TICK }

    private final Loop loop;
    private final Kind kind;
    private final Runnable task;
    /** The loop-side objects and state: touched on the loop thread only. */
    private final LoopTimer timer;
    private Immediate immediate;
    /**
     * Set by {@link #clear()}. A timer created on another thread is started by a task; if the
     * loop clears it before that task runs (the Timer was handed over some other way), the task
     * must not start it.
     */
    private boolean cleared;
    /** For {@link #hasRef()} from any thread. */
    private volatile boolean referenced = true;

    private Timer(Loop loop, Kind kind, Runnable task) {
        this.loop = loop;
        this.kind = kind;
        this.task = task;
        this.timer = kind == Kind.TIMEOUT || kind == Kind.INTERVAL ? new LoopTimer(loop, task) : null;
    }

    static Timer timeout(Loop loop, Runnable task, long ms, boolean repeat) {
        Timer t = new Timer(loop, repeat ? Kind.INTERVAL : Kind.TIMEOUT, task);
        t.onLoop(() -> {
            if (!t.cleared) {
                t.timer.start(ms, repeat);
            }
        });
        return t;
    }

    static Timer immediate(Loop loop, Runnable task) {
        Timer t = new Timer(loop, Kind.IMMEDIATE, task);
        t.onLoop(() -> {
            if (!t.cleared) {
                t.immediate = loop.setImmediate(task);
                t.immediate.ref(t.referenced);
            }
        });
        return t;
    }

    static Timer tick(Loop loop, Runnable task) {
        Timer t = new Timer(loop, Kind.TICK, task);
        t.onLoop(() -> loop.nextTick(() -> {
            if (!t.cleared) {
                task.run();
            }
        }));
        return t;
    }

    /** Cancels it: Node's {@code clearTimeout}/{@code clearInterval}/{@code clearImmediate}. */
    public Timer clear() {
        onLoop(() -> {
            cleared = true;
            if (timer != null) {
                timer.stop();
            } else if (immediate != null) {
                immediate.clear();
            }
        });
        return this;
    }

    /** Lets it keep the JVM alive again (the default). */
    public Timer ref() {
        return setRef(true);
    }

    /**
     * Stops it from keeping the JVM alive: it still fires if the JVM is running for other
     * reasons. A {@code nextTick} runs before the loop next waits, so it never holds the JVM.
     */
    public Timer unref() {
        return setRef(false);
    }

    private Timer setRef(boolean ref) {
        if (kind == Kind.TICK) {
            return this;
        }
        referenced = ref;
        onLoop(() -> {
            if (timer != null) {
                timer.ref(ref);
            } else if (immediate != null) {
                immediate.ref(ref);
            }
        });
        return this;
    }

    /** Whether it keeps the JVM alive: Node's {@code timeout.hasRef()}. */
    public boolean hasRef() {
        return referenced && kind != Kind.TICK;
    }

    /**
     * Restarts the countdown from now with the same delay, re-arming a timeout that already
     * fired: Node's {@code timeout.refresh()}. Immediates and ticks have no delay; for them this
     * does nothing, as Node's {@code Immediate} has no {@code refresh}.
     */
    public Timer refresh() {
        if (kind == Kind.TIMEOUT || kind == Kind.INTERVAL) {
            onLoop(() -> {
                if (!cleared) {
                    timer.refresh();
                }
            });
        }
        return this;
    }

    private void onLoop(Runnable action) {
        if (loop.inLoop()) {
            action.run();
        } else {
            loop.execute(action);
        }
    }
}
