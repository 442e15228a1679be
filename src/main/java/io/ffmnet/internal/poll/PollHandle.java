package io.ffmnet.internal.poll;

/**
 * A file descriptor watched by a {@link Poller}, and what to do when it is ready. The poller
 * owns the bookkeeping fields; subclasses (sockets, servers, the loop's wake-up eventfd) set
 * {@link #fd} and implement {@link #onReady}.
 */
public abstract class PollHandle {
    /** The watched descriptor, or -1 before it exists and after it is closed. */
    protected int fd = -1;

    /** What the handle wants to hear about: {@link Poller#READABLE} and/or {@link Poller#WRITABLE}. */
    int interest;
    /** What the kernel was last told; 0 when the kernel does not watch the fd. */
    int registered;
    /** Index in the poller's handle table, or -1 when not in the poller. */
    int slot = -1;
    /** Distinguishes this use of {@link #slot} from earlier ones, so stale events are dropped. */
    int generation;
    /** Whether the handle is in the poller's list of changes to apply before the next wait. */
    boolean changeQueued;

    /** The descriptor, or -1. */
    public final int fd() {
        return fd;
    }

    /** The interest last asked for. */
    public final int interest() {
        return interest;
    }

    /**
     * Called on the loop thread with the ready bits ({@link Poller#READABLE},
     * {@link Poller#WRITABLE}, {@link Poller#HANGUP}, {@link Poller#ERROR}).
     */
    public abstract void onReady(int events);
}
