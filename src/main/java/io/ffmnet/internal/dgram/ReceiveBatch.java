package io.ffmnet.internal.dgram;

import io.ffmnet.internal.buffer.BufferPool;
import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.sys.MsgVec;
import io.ffmnet.internal.sys.SockAddr;

import static io.ffmnet.internal.sys.SysConstants.MSG_TRUNC;

/**
 * The receive side of a UDP socket: one {@code recvmmsg} fills up to {@link #width} pooled
 * chunks, one datagram each, and each chunk then becomes the memory of one {@code MESSAGE}
 * buffer, so no datagram is copied between the kernel and the listener.
 *
 * <p>The width adapts: it doubles (up to {@link #MAX_WIDTH}) each time a call fills every slot,
 * and falls back to what arrived when a call comes back short. A quiet socket thus takes one
 * chunk per wake-up, while a busy one takes many datagrams per system call. Chunks that received
 * nothing go back to the pool at the end of the wake-up ({@link #releaseSpare}), so an idle
 * socket holds no receive memory.
 */
final class ReceiveBatch implements AutoCloseable {
    /**
     * The most datagrams one {@code recvmmsg} takes. libuv uses 20 ({@code UV__MMSG_MAXWIDTH});
     * 32 halves the calls under load, and 32 slots of 64 KiB (2 MiB) is the most receive memory
     * a socket takes from its loop's pool at once.
     */
    static final int MAX_WIDTH = 32;

    private final MsgVec vec = new MsgVec(MAX_WIDTH, MAX_WIDTH);
    private final Chunk[] slots = new Chunk[MAX_WIDTH];
    private final int slotSize;
    private int width = 1;
    /** Whether each header gets room for a {@code UDP_GRO} control message. */
    private final boolean gro;

    /**
     * @param slotSize the bytes each datagram may have; longer ones arrive truncated
     * @param gro      whether the socket has {@code UDP_GRO} on, so a slot may hold coalesced datagrams
     */
    ReceiveBatch(int slotSize, boolean gro) {
        this.slotSize = slotSize;
        this.gro = gro;
    }

    /** How many datagrams the next call asks for. */
    int width() {
        return width;
    }

    /**
     * Receives up to {@link #width()} datagrams. {@code MSG_TRUNC} makes the kernel report each
     * datagram's full length in {@code msg_len} even when it was cut to fit its slot.
     *
     * @return how many arrived, or {@code -errno} ({@code -EAGAIN} when none are waiting)
     */
    int receive(int fd, BufferPool pool) {
        for (int i = 0; i < width; i++) {
            if (slots[i] == null) {
                slots[i] = pool.take(slotSize);
            }
            vec.setIov(i, slots[i].address, slotSize);
            vec.setMessage(i, i, 1, SockAddr.MAX_SIZE);
            if (gro) {
                vec.setControlRoom(i);
            }
        }
        int n = vec.receive(fd, width, MSG_TRUNC);
        if (n > 0) {
            adapt(n);
        }
        return n;
    }

    private void adapt(int received) {
        width = received == width ? Math.min(width * 2, MAX_WIDTH) : Math.max(received, 1);
    }

    /** The chunk datagram {@code i} arrived in; the caller now owns its reference. */
    Chunk take(int i) {
        Chunk chunk = slots[i];
        slots[i] = null;
        return chunk;
    }

    /** The full length of datagram {@code i} as it was sent. */
    int size(int i) {
        return vec.length(i);
    }

    /** The bytes of datagram {@code i} that its slot holds: its size, or less if truncated. */
    int received(int i) {
        return Math.min(vec.length(i), slotSize);
    }

    /**
     * With {@code UDP_GRO}: the size of each datagram the kernel coalesced into slot {@code i}
     * (all but the last of that size), or 0 when the slot holds one datagram.
     */
    int segmentSize(int i) {
        return gro ? vec.groSegmentSize(i) : 0;
    }

    MsgVec vec() {
        return vec;
    }

    /** Gives back the chunks no datagram arrived in (and those a close left undelivered). */
    void releaseSpare() {
        for (int i = 0; i < MAX_WIDTH; i++) {
            Chunk chunk = slots[i];
            if (chunk != null) {
                slots[i] = null;
                chunk.release(chunk.generation());
            }
        }
    }

    @Override
    public void close() {
        releaseSpare();
        vec.close();
    }
}
