package io.ffmnet;

import io.ffmnet.internal.sys.Errors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * The write side of a {@link Socket}: Node's writable-stream accounting (queued bytes against
 * the high-water mark, {@code 'drain'}), writes made before the connection is up, and the
 * errors of writes that cannot go out.
 */
final class SocketWriter {
    private static final VarHandle QUEUED;

    static {
        try {
            QUEUED = MethodHandles.lookup().findVarHandle(SocketWriter.class, "queued", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Socket socket;
    /** Writes accepted before the socket connected; loop thread. */
    private ArrayDeque<SocketWrite> early;
    /** Bytes accepted by write() and not yet completed; counted on the caller's thread. */
    @SuppressWarnings("unused") // through QUEUED
    private volatile long queued;
    private volatile boolean needDrain;
    private volatile long bytesWritten;

    SocketWriter(Socket socket) {
        this.socket = socket;
    }

    long queuedBytes() {
        return (long) QUEUED.getVolatile(this);
    }

    long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Counts the bytes as queued on the caller's thread, so the return value is exact even when
     * the write itself is handed to the loop: Node returns {@code length < highWaterMark}.
     */
    boolean enqueue(SocketWrite w) {
        long total = (long) QUEUED.getAndAdd(this, (long) w.length) + w.length;
        boolean below = total < socket.highWaterMark;
        if (!below) {
            needDrain = true;
        }
        socket.onLoop(() -> dispatch(w));
        return below;
    }

    /** Loop thread: hands a write to the stream, keeps it until connected, or fails it. */
    private void dispatch(SocketWrite w) {
        if (socket.destroyed) {
            w.fail(destroyedError());
            return;
        }
        if (socket.writableEnded) {
            // Node: the callback gets the error and the stream is destroyed with it.
            NetException e = new NetException("ERR_STREAM_WRITE_AFTER_END", "write after end");
            w.fail(e);
            socket.destroyNow(e, false);
            return;
        }
        bytesWritten += w.length;
        if (socket.handle == null || socket.connecting) {
            if (early == null) {
                early = new ArrayDeque<>();
            }
            early.add(w);
            return;
        }
        send(w);
    }

    private void send(SocketWrite w) {
        socket.refreshIdle();
        int r = socket.handle.write(w);
        if (r == 1) {
            w.complete(0);
        } else if (r < 0) {
            w.complete(r);
            socket.destroyNow(Errors.exception(r, "write"), false);
        }
    }

    /** Sends what was written before the connection was up, in order. */
    void flushEarlyWrites() {
        if (early == null) {
            return;
        }
        SocketWrite w;
        while (!socket.destroyed && (w = early.poll()) != null) {
            send(w);
        }
    }

    void failEarlyWrites() {
        if (early == null) {
            return;
        }
        SocketWrite w;
        while ((w = early.poll()) != null) {
            w.fail(destroyedError());
        }
    }

    /** A write finished with any status; after its callback. Emits DRAIN when due. */
    void writeDone(SocketWrite w) {
        long left = (long) QUEUED.getAndAdd(this, (long) -w.length) - w.length;
        if (left == 0 && needDrain && !socket.destroyed) {
            needDrain = false;
            socket.emit(Socket.DRAIN);
        }
    }

    /** What a write lost to a destroyed socket reports: the destroy error, or Node's default. */
    NetException destroyedError() {
        NetException cause = socket.destroyError();
        return cause != null ? cause
                : new NetException("ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed");
    }
}
