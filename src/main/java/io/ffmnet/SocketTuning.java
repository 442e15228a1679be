package io.ffmnet;

import io.ffmnet.internal.loop.LoopTimer;
import io.ffmnet.internal.stream.Endpoint;
import io.ffmnet.internal.stream.Tcp;

/**
 * A {@link Socket}'s idle timeout and TCP options: the socket's idle timer itself, plus the
 * options set before the connection exists, remembered and applied once it does, as Node does.
 * Made on the loop when first needed ({@link #of}): a socket with neither has none. Loop thread
 * only.
 */
final class SocketTuning extends LoopTimer {
    private final Socket socket;
    /** A non-zero idle time was set with setTimeout (the timer keeps its length). */
    private boolean idleEnabled;
    /** Null until set: an untouched option costs no system call. */
    private Boolean noDelay;
    private Boolean keepAlive;
    private long keepAliveDelay;

    private SocketTuning(Socket socket) {
        super(socket.loop());
        this.socket = socket;
        ref(false);  // as Node's socket timeouts: the idle timer does not hold the process open
    }

    /** The socket's tuning, made on first use; loop thread. */
    static SocketTuning of(Socket socket) {
        if (socket.tuning == null) {
            socket.tuning = new SocketTuning(socket);
        }
        return socket.tuning;
    }

    /**
     * Node's {@code socket.setTimeout(ms, onTimeout)} on the caller's thread: the argument check
     * and the listener at once, the timer on the loop.
     */
    static void setTimeout(Socket socket, long ms, Runnable onTimeout) {
        if (ms < 0) {
            throw InvalidArgumentException.outOfRange("msecs", "a non-negative finite number", ms);
        }
        if (onTimeout != null) {
            if (ms == 0) {
                socket.off(Socket.TIMEOUT, onTimeout);
            } else {
                socket.once(Socket.TIMEOUT, onTimeout);
            }
        }
        socket.onLoop(() -> {
            if (ms != 0 || socket.tuning != null) {
                of(socket).setTimeout(ms);
            }
        });
    }

    /**
     * The server's options for a connection it accepted, which is connected already: applied at
     * once, with nothing to remember.
     */
    static void applyServerOptions(Socket socket, ServerOptions options) {
        if ((options.noDelay() || options.keepAlive()) && isTcpConnected(socket)) {
            int fd = socket.handle.fd();
            if (options.noDelay()) {
                Tcp.setNoDelay(socket.loop(), fd, true);
            }
            if (options.keepAlive()) {
                Tcp.setKeepAlive(socket.loop(), fd, true, options.keepAliveInitialDelay());
            }
        }
    }

    private void setTimeout(long ms) {
        idleEnabled = ms != 0;
        if (ms == 0) {
            stop();
        } else if (!socket.destroyed) {
            start(ms, false);
        }
    }

    /** The idle timer fired. */
    @Override
    public void run() {
        socket.emit(Socket.TIMEOUT);
    }

    /**
     * Activity: the countdown starts again. O(1): the timer heap re-files it lazily. As Node's
     * {@code timeout.refresh()}, this also re-arms a timeout that already fired, so a socket
     * that was idle, then active, emits TIMEOUT again when idle again.
     */
    void refreshIdle() {
        if (idleEnabled && !socket.destroyed) {
            refresh();
        }
    }

    void stopTimer() {
        stop();
    }

    void setNoDelay(boolean on) {
        noDelay = on;
        apply();
    }

    void setKeepAlive(boolean on, long initialDelayMs) {
        keepAlive = on;
        keepAliveDelay = initialDelayMs;
        apply();
    }

    /** Applies the options to a connected TCP socket; Unix sockets have none of them. */
    void apply() {
        if (!isTcpConnected(socket)) {
            return;
        }
        int fd = socket.handle.fd();
        if (noDelay != null) {
            Tcp.setNoDelay(socket.loop(), fd, noDelay);
        }
        if (keepAlive != null) {
            Tcp.setKeepAlive(socket.loop(), fd, keepAlive, keepAliveDelay);
        }
    }

    private static boolean isTcpConnected(Socket socket) {
        Endpoint peer = socket.remoteEndpoint();
        return socket.handle != null && !socket.connecting && !socket.destroyed
                && peer != null && !"unix".equals(peer.family());
    }
}
