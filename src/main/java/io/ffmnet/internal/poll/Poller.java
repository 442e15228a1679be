package io.ffmnet.internal.poll;

/**
 * A readiness backend: level-triggered, with ffm-net's own event bits. Interest changes are
 * recorded by {@link #setInterest} and sent to the kernel once, just before the next wait, and
 * only when they differ from what the kernel already has. Not thread-safe: one loop thread
 * owns a poller.
 */
public interface Poller extends AutoCloseable {
    int READABLE = 1;
    int WRITABLE = 2;
    /** The peer hung up both directions (or the fd was shut down both ways). */
    int HANGUP = 4;
    /** An error is pending on the fd (read it with {@code SO_ERROR}, or by reading). */
    int ERROR = 8;

    /**
     * Records that {@code handle} now wants {@code interest} (0 for nothing). A handle is added
     * on its first call. Applied before the next {@link #poll}.
     */
    void setInterest(PollHandle handle, int interest);

    /**
     * Forgets {@code handle} at once, before its descriptor is closed: the kernel is told now,
     * and events already collected for it in this round are not delivered.
     */
    void remove(PollHandle handle);

    /**
     * Applies recorded changes, then waits up to {@code timeoutMs} (-1: no limit, 0: do not
     * block) for readiness.
     *
     * @return how many handles are ready, or {@code -errno}
     */
    int poll(int timeoutMs);

    /** The {@code i}-th ready handle of the last poll, or null if it was removed meanwhile. */
    PollHandle readyHandle(int i);

    /** The ready bits of the {@code i}-th ready handle of the last poll. */
    int readyEvents(int i);

    /** How many handles the poller watches now. */
    int size();

    /** Releases the poller's descriptor and memory. */
    @Override
    void close();
}
