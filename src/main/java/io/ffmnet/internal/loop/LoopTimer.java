package io.ffmnet.internal.loop;

/**
 * A timeout or interval on one loop, for users ({@code Timers.setTimeout}) and for handles (a
 * socket's idle timeout). Loop thread only. A timer is a plain object in the loop's heap: no
 * thread, no executor task, a few dozen bytes, so 100,000 idle-socket timeouts cost little.
 *
 * <p>{@link #refresh()} is O(1): it moves {@link #expiry} forward and leaves the heap alone; the
 * heap notices when the stale entry reaches the top and files the timer again under its new
 * time (see {@link TimerHeap}). A socket that refreshes its idle timer on every read therefore
 * never touches the heap while data flows.
 *
 * <p>What it runs is a task given to the constructor, or, for a handle that is its own timer
 * (and so saves a task object per handle), its {@link #run()} override.
 */
public class LoopTimer implements Runnable {
    /** Node's {@code TIMEOUT_MAX}: longer (or non-positive) delays become 1 ms, as in Node. */
    public static final long TIMEOUT_MAX = Integer.MAX_VALUE;

    final Loop loop;
    private final Runnable task;
    private long duration;
    private boolean repeat;
    private boolean active;
    private boolean referenced = true;

    /** When the timer is due, in the loop's milliseconds. */
    long expiry;
    /** The time the heap files this timer under; behind {@link #expiry} after a refresh. */
    long heapKey;
    /** Insertion order among timers due at the same millisecond: Node fires those in order. */
    long seq;
    /** Position in the heap, or -1 when not in it. */
    int heapIndex = -1;

    public LoopTimer(Loop loop, Runnable task) {
        this.loop = loop;
        this.task = task;
    }

    /** A timer whose subclass overrides {@link #run()}. */
    protected LoopTimer(Loop loop) {
        this(loop, null);
    }

    /** What the timer does when it fires: runs the task given to the constructor. */
    @Override
    public void run() {
        task.run();
    }

    /** Node's delay rule: not a number in 1..TIMEOUT_MAX means 1 ms. */
    public static long normalizeDelay(long ms) {
        return ms >= 1 && ms <= TIMEOUT_MAX ? ms : 1;
    }

    /** Arms the timer {@code ms} from now (normalised as Node does), replacing any earlier arming. */
    public LoopTimer start(long ms, boolean repeat) {
        loop.assertInLoop();
        this.duration = normalizeDelay(ms);
        this.repeat = repeat;
        if (heapIndex >= 0) {
            loop.timers.remove(this);
        }
        setActive(true);
        expiry = loop.now() + duration;
        loop.timers.add(this);
        return this;
    }

    /** Disarms the timer; calling it again, or on a timer that fired, does nothing. */
    public void stop() {
        loop.assertInLoop();
        if (heapIndex >= 0) {
            loop.timers.remove(this);
        }
        setActive(false);
    }

    /**
     * Restarts the countdown from now with the same duration, as Node's {@code timeout.refresh()};
     * a timer that already fired (and was not an interval) is armed again.
     */
    public void refresh() {
        loop.assertInLoop();
        if (duration == 0) {
            return;
        }
        expiry = loop.now() + duration;
        if (heapIndex < 0) {
            setActive(true);
            loop.timers.add(this);
        }
    }

    /** Whether the timer keeps the loop (and through it the JVM) alive while armed. */
    public void ref(boolean referenced) {
        loop.assertInLoop();
        if (this.referenced != referenced) {
            this.referenced = referenced;
            if (active) {
                loop.adjustRefs(referenced ? 1 : -1);
            }
        }
    }

    public boolean hasRef() {
        return referenced;
    }

    /** Armed and not yet fired (or an interval not cleared). */
    public boolean isActive() {
        return active;
    }

    private void setActive(boolean active) {
        if (this.active != active) {
            this.active = active;
            if (referenced) {
                loop.adjustRefs(active ? 1 : -1);
            }
        }
    }

    /**
     * Fires the timer: taken off the heap by the loop. An interval is filed again after the
     * task, from the loop's time then, unless the task stopped or refreshed it; a timeout ends
     * unless the task refreshed it. This is the order of Node's {@code listOnTimeout}.
     */
    void fire() {
        try {
            loop.invoke(this);
        } finally {
            if (active && heapIndex < 0) {
                if (repeat) {
                    expiry = loop.now() + duration;
                    loop.timers.add(this);
                } else {
                    setActive(false);
                }
            }
        }
    }
}
