package io.ffmnet.internal.dgram;

import io.ffmnet.internal.sys.MsgVec;
import io.ffmnet.internal.sys.SockAddr;

import java.lang.foreign.MemorySegment;

/**
 * Turns the sender address of a received datagram into a {@link Peer}, remembering the last one:
 * a socket usually hears from the same few peers, and comparing 16 or 28 bytes costs less than
 * formatting an address and allocating its text for every datagram.
 */
final class SenderCache {
    private final MemorySegment last = MemorySegment.ofArray(new byte[SockAddr.MAX_SIZE]);
    private int lastLength = -1;
    private Peer lastPeer;

    /** The sender of datagram {@code i} of {@code vec}. */
    Peer sender(MsgVec vec, int i) {
        int length = vec.nameLength(i);
        if (length == lastLength && vec.sameName(i, last, length)) {
            return lastPeer;
        }
        MemorySegment name = vec.name(i);
        Peer peer = new Peer(SockAddr.address(name, length), SockAddr.family(name), SockAddr.port(name));
        vec.copyName(i, last, Math.min(length, SockAddr.MAX_SIZE));
        lastLength = length;
        lastPeer = peer;
        return peer;
    }
}
