package io.ffmnet;

import io.ffmnet.internal.loop.LoopTimer;
import io.ffmnet.internal.stream.Endpoint;
import io.ffmnet.internal.stream.Tcp;

/**
 * A {@link Socket}'s idle timeout and TCP options. Options set before the connection exists are
 * remembered and applied once it does, as Node does. Loop thread only.
 */
final class SocketTuning implements Runnable {
    private final Socket socket;
    private LoopTimer idleTimer;
    /** The idle time set with setTimeout; 0 when disabled. */
    private long idleMs;
    /** Null until set: an untouched option costs no system call. */
    private Boolean noDelay;
    private Boolean keepAlive;
    private long keepAliveDelay;

    SocketTuning(Socket socket) {
        this.socket = socket;
    }

    void setTimeout(long ms) {
        idleMs = ms;
        if (ms == 0) {
            stopTimer();
            return;
        }
        if (idleTimer == null) {
            idleTimer = new LoopTimer(socket.loop(), this);  // no lambda: one object less per socket
            idleTimer.ref(false);  // as Node's socket timeouts: it does not hold the process open
        }
        if (!socket.destroyed) {
            idleTimer.start(ms, false);
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
        if (idleMs > 0 && idleTimer != null && !socket.destroyed) {
            idleTimer.refresh();
        }
    }

    void stopTimer() {
        if (idleTimer != null) {
            idleTimer.stop();
        }
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
        Endpoint peer = socket.remoteEndpoint();
        if (socket.handle == null || socket.connecting || socket.destroyed
                || peer == null || "unix".equals(peer.family())) {
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
}
