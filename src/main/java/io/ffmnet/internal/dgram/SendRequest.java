package io.ffmnet.internal.dgram;

import io.ffmnet.internal.buffer.Chunk;

/**
 * One datagram to send: the memory of its parts (gathered into one datagram by the kernel), where
 * to, and whom to tell. The parts' chunks are retained by whoever builds the request and released
 * by the handle once the kernel has taken the datagram or it has failed, just before the callback.
 *
 * <p>A layer above may extend it to carry its own state in the same object, so that a datagram on
 * its way costs one allocation: it then uses the constructor without a callback, names the
 * destination with {@link #destination} before handing the request over, and overrides
 * {@link #sent}.
 */
public class SendRequest {
    /** Told once how the send ended, on the loop thread. */
    @FunctionalInterface
    public interface Callback {
        /** @param result the bytes sent, or {@code -errno} ({@code -ECANCELED} if closed first) */
        void sent(SendRequest request, int result);
    }

    private String ip;
    private int port;
    private final Callback callback;
    // The first part is held in fields, so that the common one-part datagram allocates nothing
    // more; the parts after it (Node's send([buf1, buf2])) go to `more`, index p - 1.
    private Chunk chunk;
    private int generation;
    private long address;
    private int length;
    private final MoreParts more;
    private int parts;
    private int bytes;
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
        this.more = capacity > 1 ? new MoreParts(capacity - 1) : null;
    }

    /** For a subclass that overrides {@link #sent}: no callback, no destination yet. */
    protected SendRequest(int capacity) {
        this(capacity, null, 0, null);
    }

    /**
     * Adds a part: {@code length} bytes at {@code address}, inside {@code chunk}'s use
     * {@code generation}, which the caller has already retained for this request.
     */
    public final SendRequest add(Chunk chunk, int generation, long address, int length) {
        if (parts == 0) {
            this.chunk = chunk;
            this.generation = generation;
            this.address = address;
            this.length = length;
        } else {
            more.set(parts - 1, chunk, generation, address, length);
        }
        parts++;
        bytes += length;
        return this;
    }

    /** Names where the datagram goes: an IP literal and port, or null for the connected peer. */
    protected final void destination(String ip, int port) {
        this.ip = ip;
        this.port = port;
    }

    /** How many parts the datagram has. */
    final int parts() {
        return parts;
    }

    /** The native address of part {@code p}. */
    final long address(int p) {
        return p == 0 ? address : more.addresses[p - 1];
    }

    /** The length of part {@code p}. */
    final int length(int p) {
        return p == 0 ? length : more.lengths[p - 1];
    }

    /** The destination address, or null for the connected peer. */
    public final String ip() {
        return ip;
    }

    /** The destination port. */
    public final int port() {
        return port;
    }

    /** The datagram's size in bytes. */
    public final int bytes() {
        return bytes;
    }

    /** Drops the request's references to its parts; once only, later calls do nothing. */
    protected final void release() {
        if (released) {
            return;
        }
        released = true;
        if (parts > 0) {
            chunk.release(generation);
            chunk = null;
        }
        for (int i = 0; i < parts - 1; i++) {
            more.release(i);
        }
    }

    /** Releases the parts, then reports {@code result}. */
    final void complete(int result) {
        release();
        sent(result);
    }

    /**
     * How the send ended, once, on the loop thread, after the parts were released: tells the
     * callback given to the constructor.
     *
     * @param result the bytes sent, or {@code -errno} ({@code -ECANCELED} if closed first)
     */
    protected void sent(int result) {
        callback.sent(this, result);
    }

    /** The parts after the first. */
    private static final class MoreParts {
        final Chunk[] chunks;
        final int[] generations;
        final long[] addresses;
        final int[] lengths;

        MoreParts(int n) {
            chunks = new Chunk[n];
            generations = new int[n];
            addresses = new long[n];
            lengths = new int[n];
        }

        void set(int i, Chunk chunk, int generation, long address, int length) {
            chunks[i] = chunk;
            generations[i] = generation;
            addresses[i] = address;
            lengths[i] = length;
        }

        void release(int i) {
            chunks[i].release(generations[i]);
            chunks[i] = null;
        }
    }
}
