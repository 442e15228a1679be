package io.ffmnet;

import io.ffmnet.internal.sys.SysConstants;

import java.util.function.Consumer;

/**
 * One {@code socket.connect(port, address, callback)} on its way, as Node's {@code _connect} and
 * {@code doConnect}: the callback becomes a one-time {@code CONNECT} listener, the address is
 * looked up, and the outcome is announced on the next tick: {@code CONNECT}, or the error to
 * the callback (removing that listener) or else as an {@code ERROR} event.
 */
final class DatagramConnect implements DatagramSocket.Deferred {
    private final DatagramSocket socket;
    private final int port;
    private final String address;
    private final Consumer<NetException> callback;
    private Runnable listener;

    DatagramConnect(DatagramSocket socket, int port, String address, Consumer<NetException> callback) {
        this.socket = socket;
        this.port = port;
        this.address = address;
        this.callback = callback;
    }

    /** Loop thread. */
    @Override
    public void run() {
        if (callback != null) {
            listener = () -> callback.accept(null);
            socket.once(DatagramSocket.CONNECT, listener);
        }
        socket.state.lookup(address, this::afterLookup);
    }

    private void afterLookup(String ip, NetException lookupError) {
        NetException error = lookupError;
        if (error == null && socket.handle.isClosed()) {
            error = failure(-SysConstants.ECANCELED);
        }
        if (error == null) {
            int r = socket.handle.connect(ip, port);
            if (r < 0) {
                error = failure(r);
            }
        }
        socket.state.connected(error == null);
        NetException e = error;
        socket.loop().nextTick(() -> {
            if (e == null) {
                socket.emit(DatagramSocket.CONNECT);
            } else if (callback != null) {
                socket.off(DatagramSocket.CONNECT, listener);
                callback.accept(e);
            } else if (!socket.handle.isClosed()) {
                socket.state.emitErrorOrClose(e);
            }
        });
    }

    /** The bind this connect waited for failed: it is reported like a failed connect. */
    @Override
    public void cancel(NetException cause) {
        socket.state.connected(false);
        if (callback != null) {
            try {
                callback.accept(cause);
            } catch (Throwable t) {
                socket.loop().reportUncaught(t);
            }
        }
    }

    private NetException failure(int negErrno) {
        return DgramErrors.withHostPort(negErrno, "connect", address.isEmpty() ? socket.state.defaultHost() : address, port);
    }
}
