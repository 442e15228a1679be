package io.ffmnet;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.dgram.Peer;
import io.ffmnet.internal.dgram.UdpHandle;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.SockAddr;

/**
 * Receives for a {@link DatagramSocket}: each datagram becomes one {@code MESSAGE}, on the thread
 * of the loop whose socket received it (the socket's own loop, or a loop of its group).
 */
final class DatagramInbox implements UdpHandle.Receiver {
    private static final int INFO_SLOTS = 8;   // a power of two

    private final DatagramSocket socket;
    /** Null for the socket's own descriptor; the group for a member's, whose close may lag. */
    private final DatagramGroup group;
    /**
     * The {@link RemoteInfo}s given last, for the senders the handle names by the same
     * {@link Peer} while they keep sending: a record is immutable, so a steady flow of datagrams
     * of one size from one sender shares one instead of making one per datagram.
     */
    private final Peer[] infoPeers = new Peer[INFO_SLOTS];
    private final RemoteInfo[] infos = new RemoteInfo[INFO_SLOTS];
    private int nextInfo;

    DatagramInbox(DatagramSocket socket, DatagramGroup group) {
        this.socket = socket;
        this.group = group;
    }

    @Override
    public void onMessage(Chunk chunk, int offset, int length, int size, Peer from) {
        int generation = chunk.generation();
        try {
            // A member closes on its own loop a moment after close(): deliver nothing meanwhile.
            if ((group == null || !group.isClosing()) && socket.hasListeners(DatagramSocket.MESSAGE)) {
                socket.emit(DatagramSocket.MESSAGE, Buffer.view(chunk, offset, length), info(from, size));
            }
        } finally {
            chunk.release(generation);   // the listener's reference; a retain keeps the memory
        }
    }

    private RemoteInfo info(Peer from, int size) {
        for (int i = 0; i < INFO_SLOTS; i++) {
            if (infoPeers[i] == from && infos[i].size() == size) {
                return infos[i];
            }
        }
        RemoteInfo info = new RemoteInfo(from.address(), SockAddr.familyName(from.family()), from.port(), size);
        int slot = nextInfo++ & (INFO_SLOTS - 1);
        infoPeers[slot] = from;
        infos[slot] = info;
        return info;
    }

    @Override
    public void onReceiveError(int negErrno) {
        NetException error = Errors.exception(negErrno, "recvmsg");
        socket.onLoop(() -> socket.state.emitErrorOrClose(error));   // ERROR is the socket's own loop's
    }
}
