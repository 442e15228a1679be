package io.ffmnet.internal.dgram;

import io.ffmnet.internal.buffer.Chunk;

/**
 * One datagram to send: the memory of its parts (gathered into one datagram by the kernel), where
 * to, and whom to tell. The parts' chunks are retained by whoever builds the request and released
 * by the handle once the kernel has taken the datagram or it has failed, just before the callback.
 */
public final class SendRequest {
    /** Told once how the send ended, on the loop thread. */
    @FunctionalInterface
    public interface Callback {
        /** @param result the bytes sent, or {@code -errno} ({@code -ECANCELED} if closed first) */
        void sent(SendRequest request, int result);
    }

    final String ip;
    final int port;
    final Callback callback;
    private final Chunk[] chunks;
    private final int[] generations;
    final long[] addresses;
    final int[] lengths;
    int parts;
    private long bytes;
    private boolean released;

    /**
     * @param capacity how many parts will be {@link #add}ed
     * @param ip       the destination address (an IP literal), or null on a connected socket
     * @param port     the destination port (ignored when {@code ip} is null)
     */
    public SendRequest(int capacity, String ip, int port, Callback callback) {
        this.ip = ip;
        this.port = port;
        this.callback = callback;
        this.chunks = new Chunk[capacity];
        this.generations = new int[capacity];
        this.addresses = new long[capacity];
        this.lengths = new int[capacity];
    }

    /**
     * Adds a part: {@code length} bytes at {@code address}, inside {@code chunk}'s use
     * {@code generation}, which the caller has already retained for this request.
     */
    public SendRequest add(Chunk chunk, int generation, long address, int length) {
        chunks[parts] = chunk;
        generations[parts] = generation;
        addresses[parts] = address;
        lengths[parts] = length;
        parts++;
        bytes += length;
        return this;
    }

    /** The destination address, or null for the connected peer. */
    public String ip() {
        return ip;
    }

    /** The destination port. */
    public int port() {
        return port;
    }

    /** The datagram's size in bytes. */
    public long bytes() {
        return bytes;
    }

    /** Drops the request's references to its parts; once only. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        for (int i = 0; i < parts; i++) {
            chunks[i].release(generations[i]);
            chunks[i] = null;
        }
    }

    /** Releases the parts, then reports {@code result}. */
    void complete(int result) {
        release();
        callback.sent(this, result);
    }
}
