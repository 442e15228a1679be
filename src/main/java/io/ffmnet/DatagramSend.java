package io.ffmnet;

import io.ffmnet.internal.dgram.SendRequest;
import io.ffmnet.internal.dgram.UdpHandle;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.sys.SysConstants;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One {@code socket.send(...)} on its way: the message's buffers (one reference each, held
 * until the kernel took the datagram or it failed), where it goes as the caller wrote it (a
 * host name is resolved on the loop first), and the callback. Node's {@code SendWrap}.
 *
 * <p>Node's rules: the callback is always called later, never inside {@code send}: with the
 * byte count, or with the error ({@code send EMSGSIZE 127.0.0.1:41234}). Without a callback a
 * send error is dropped, as Node drops it; a failed host lookup is then an {@code ERROR} event.
 * ffm-net adds one rule: a datagram that never went out still gets its callback, with the error
 * of the bind it waited for, or {@code ECANCELED} if the socket closed first (as libuv completes
 * its pending requests); Node calls neither.
 */
final class DatagramSend extends SendRequest implements DatagramSocket.Deferred {
    private final DatagramSocket socket;
    /** Null on a connected socket; empty or null host means the loopback address. */
    private String address;
    /** The destination port, or 0 on a connected socket. */
    private int port;
    private final BiConsumer<NetException, Integer> onSent;

    /** A datagram of one part; {@code part} is a reference this send now owns. */
    DatagramSend(DatagramSocket socket, Buffer part, String address, int port,
                 BiConsumer<NetException, Integer> onSent) {
        this(socket, 1, address, port, onSent);
        add(part);
    }

    /** A datagram gathered from {@code parts}, one reference of each now owned by this send. */
    DatagramSend(DatagramSocket socket, Buffer[] parts, String address, int port,
                 BiConsumer<NetException, Integer> onSent) {
        this(socket, parts.length, address, port, onSent);
        for (Buffer part : parts) {
            add(part);
        }
    }

    private DatagramSend(DatagramSocket socket, int capacity, String address, int port,
                         BiConsumer<NetException, Integer> onSent) {
        super(capacity);
        this.socket = socket;
        this.address = address;
        this.port = port;
        this.onSent = onSent;
    }

    private void add(Buffer part) {
        add(part.chunk(), part.generation(), part.address(), part.length());
    }

    /** The socket is connected: the datagram goes to its peer, whatever port the call named. */
    void toConnectedPeer() {
        address = null;
        port = 0;
    }

    /** Drops the references to the parts of a send that will not happen; once only. */
    void discard() {
        release();
    }

    /** Looks the destination up if it is a name, then hands the datagram to the socket. Loop thread. */
    @Override
    public void run() {
        if (socket.handle.isClosed()) {
            cancel(cancelled());
        } else if (port == 0) {
            transmit(null);
        } else {
            String host = address == null || address.isEmpty() ? socket.state.defaultHost() : address;
            if (socket.state.isLiteral(host)) {
                transmit(host);   // dns.lookup would answer a literal on the next tick; the callback is deferred anyway
            } else {
                socket.state.lookup(host, this::afterLookup);
            }
        }
    }

    private void afterLookup(String ip, NetException error) {
        if (error != null) {
            fail(error);
        } else if (socket.handle.isClosed()) {
            cancel(cancelled());
        } else {
            transmit(ip);
        }
    }

    private void transmit(String ip) {
        destination(ip, port);
        int r = DatagramGroup.sendHandle(socket).send(this);   // the calling loop's socket
        if (r == UdpHandle.PENDING) {
            return;
        }
        if (onSent != null) {
            NetException error = r < 0 ? sendError(r) : null;
            Integer bytes = r < 0 ? null : r;
            Loop.current().nextTick(() -> onSent.accept(error, bytes));   // Node: process.nextTick, on this loop
        }
    }

    /** The kernel took the queued datagram, or refused it, or the socket closed first. */
    @Override
    protected void sent(int result) {
        if (onSent == null) {
            return;
        }
        try {
            if (result >= 0) {
                onSent.accept(null, result);
            } else {
                onSent.accept(sendError(result), null);
            }
        } catch (Throwable t) {
            socket.loop().reportUncaught(t);
        }
    }

    /** The datagram will not be sent: the bind it waited for failed, or the socket closed. */
    @Override
    public void cancel(NetException cause) {
        release();
        if (onSent != null) {
            try {
                onSent.accept(cause, null);
            } catch (Throwable t) {
                socket.loop().reportUncaught(t);
            }
        }
    }

    /** Node's {@code doSend} with a lookup error: to the callback, else an {@code ERROR} event. */
    private void fail(NetException error) {
        release();
        if (onSent != null) {
            cancel(error);
        } else {
            socket.state.emitErrorOrClose(error);
        }
    }

    private NetException sendError(int negErrno) {
        return DgramErrors.withHostPort(negErrno, "send", port == 0 ? null : displayAddress(), port);
    }

    private NetException cancelled() {
        return sendError(-SysConstants.ECANCELED);
    }

    private String displayAddress() {
        return address == null || address.isEmpty() ? socket.state.defaultHost() : address;
    }

    // ---- building a message: Node's sliceBuffer and fixBufferList ---------------------------

    /** Takes a reference to {@code msg} for the send; throws for null or a released buffer. */
    static Buffer own(Buffer msg, String name) {
        if (msg == null) {
            throw DgramErrors.badMessage(name);
        }
        return msg.retain();
    }

    /** Node's {@code fixBufferList}: a reference to each buffer of the list, or none if one is null or released. */
    static Buffer[] own(List<Buffer> msgs) {
        if (msgs == null) {
            throw DgramErrors.badMessage("buffer");
        }
        Buffer[] parts = new Buffer[msgs.size()];
        try {
            for (int i = 0; i < parts.length; i++) {
                parts[i] = own(msgs.get(i), "buffer list arguments");
            }
        } catch (RuntimeException e) {
            for (Buffer part : parts) {
                if (part != null) {
                    part.release();
                }
            }
            throw e;
        }
        return parts;
    }

    /** Node's {@code sliceBuffer}: bounds errors are {@code ERR_BUFFER_OUT_OF_BOUNDS}. */
    static Buffer slice(Buffer msg, int offset, int length) {
        if (msg == null) {
            throw DgramErrors.badMessage("buffer");
        }
        checkBounds(msg.length(), offset, length);
        return msg.slice(offset, offset + length);
    }

    /** The {@code length} bytes of {@code msg} from {@code offset}, copied to native memory. */
    static Buffer copy(byte[] msg, int offset, int length) {
        checkBounds(nonNull(msg).length, offset, length);
        return Buffer.from(Arrays.copyOfRange(msg, offset, offset + length));
    }

    /** Node reads offset and length as unsigned ({@code >>> 0}), so a negative one is out of bounds. */
    private static void checkBounds(int size, int offset, int length) {
        if (offset < 0 || offset > size) {
            throw DgramErrors.outOfBounds("offset");
        }
        if (length < 0 || (long) offset + length > size) {
            throw DgramErrors.outOfBounds("length");
        }
    }

    /** {@code msg}, or {@code ERR_INVALID_ARG_TYPE} for null. */
    static <T> T nonNull(T msg) {
        if (msg == null) {
            throw DgramErrors.badMessage("buffer");
        }
        return msg;
    }
}
