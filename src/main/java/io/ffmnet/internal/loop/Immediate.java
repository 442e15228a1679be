package io.ffmnet.internal.loop;

/**
 * A {@code setImmediate} callback waiting for the loop's immediates phase. Cleared ones stay in
 * the loop's queue and are skipped when reached, which keeps clearing O(1). Loop thread only.
 */
public final class Immediate {
    private final Loop loop;
    final Runnable task;
    private boolean queued = true;
    private boolean referenced = true;

    Immediate(Loop loop, Runnable task) {
        this.loop = loop;
        this.task = task;
    }

    /** Whether it is still to run. */
    public boolean isQueued() {
        return queued;
    }

    /** Cancels it if it has not run yet. */
    public void clear() {
        loop.assertInLoop();
        take();
    }

    /** Whether a queued immediate keeps the loop alive; Node's {@code immediate.ref()/unref()}. */
    public void ref(boolean referenced) {
        loop.assertInLoop();
        if (this.referenced != referenced) {
            this.referenced = referenced;
            if (queued) {
                loop.adjustRefImmediates(referenced ? 1 : -1);
            }
        }
    }

    public boolean hasRef() {
        return referenced;
    }

    /** Takes it off the queue: true if it was still to run. */
    boolean take() {
        if (!queued) {
            return false;
        }
        queued = false;
        if (referenced) {
            loop.adjustRefImmediates(-1);
        }
        return true;
    }
}
