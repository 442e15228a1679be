package io.ffmnet.internal.stream;

/**
 * Bytes to write on a stream: a native region and what to do once it is written or lost. The
 * owner of the memory (the api layer, which retained the buffer) subclasses this and releases
 * the memory in {@link #complete}.
 *
 * <p>{@link #complete} runs exactly once: with 0 once the kernel took the last byte, or with a
 * negative errno when the bytes are lost ({@code -ECANCELED} when the stream closed first).
 */
public abstract class WriteRequest {
    /** Address of the next byte to write. */
    long address;
    /** Bytes still to write. */
    int remaining;
    /** The next request in the queue. */
    WriteRequest next;

    /** Sets the region; call before handing the request to a stream. */
    protected final void region(long address, int length) {
        this.address = address;
        this.remaining = length;
    }

    /** Bytes still to write. */
    public final int remaining() {
        return remaining;
    }

    /** Called once, on the loop thread: 0 when written, or a negative errno. */
    protected abstract void complete(int status);
}
