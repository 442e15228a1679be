package io.ffmnet;

import io.ffmnet.internal.sys.Errors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * The write side of a {@link Socket}: Node's writable-stream accounting (queued bytes against
 * the high-water mark, {@code 'drain'}), writes made before the connection is up, and the
 * errors of writes that cannot go out.
 */
final class SocketWriter {
    private static final VarHandle QUEUED;
    private static final BiConsumer<SocketWriter, SocketWrite> DISPATCH = SocketWriter::dispatch;

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
    /**
     * A write failed at once and the socket is destroyed on the next tick, as Node's onwrite
     * defers onwriteError for a synchronous failure: writes made meanwhile fail with the same
     * error (Node buffers them behind the errored write and errorBuffer fails them with it).
     * Once the socket is destroyed, the error that destroyed it (null if none), which the writes
     * it lost report ({@link #destroying}). Loop thread.
     */
    private NetException errored;

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
        socket.onLoop(DISPATCH, this, w);  // on the loop: no task object
        // Node returns false for a write refused because the stream ended or was destroyed, "to
        // break any synchronous while(stream.write(data)) loops" (writable.js).
        return below && !socket.ending && !socket.destroyed;
    }

    /** Loop thread: hands a write to the stream, keeps it until connected, or fails it. */
    private void dispatch(SocketWrite w) {
        // Node's _write tests "ending" before "destroyed": a write after end() is refused as
        // such even once the socket has closed.
        if (socket.writableEnded) {
            // Node: the callback gets the error and the stream is destroyed with it (unless it
            // already is: errorOrDestroy then does nothing, so no second ERROR).
            NetException e = new NetException("ERR_STREAM_WRITE_AFTER_END", "write after end");
            w.fail(e);
            socket.destroyNow(e, false);
            return;
        }
        if (socket.destroyed) {
            // A write made after destroy() always gets ERR_STREAM_DESTROYED, as in Node, even
            // when an error destroyed the socket (only writes the destroy lost get that error).
            w.fail(new NetException("ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed"));
            return;
        }
        if (errored != null) {
            w.fail(errored);
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
        ZeroCopyWriter.beforeWrite(socket);  // bytes in a splice's kernel pipe go first
        send(w);
    }

    private void send(SocketWrite w) {
        socket.refreshIdle();
        int r = socket.handle.write(w);
        if (r == 1) {
            w.complete(0);
        } else if (r < 0) {
            // One error object for this callback, the writes made before the destroy, and ERROR.
            NetException e = Errors.exception(r, "write");
            errored = e;
            w.fail(e);
            socket.loop().nextTick(() -> socket.destroyNow(e, false));
        }
    }

    /**
     * The socket is being destroyed with {@code error}, or with none (null): a write error that
     * came first stays the one lost writes report, as a Node stream stays errored.
     */
    void destroying(NetException error) {
        if (error != null) {
            errored = error;
        }
    }

    /** Sends what was written before the connection was up, in order. */
    void flushEarlyWrites() {
        if (early == null) {
            return;
        }
        SocketWrite w;
        while (!socket.destroyed && (w = early.poll()) != null) {
            if (errored != null) {
                w.fail(errored);
            } else {
                send(w);
            }
        }
    }

    /**
     * Takes out the writes still waiting for the connection, for {@link #failEarlyWrites} in the
     * close phase; the socket is being destroyed before it connected.
     */
    ArrayDeque<SocketWrite> takeEarlyWrites() {
        ArrayDeque<SocketWrite> taken = early;
        early = null;
        return taken;
    }

    /**
     * Fails the writes a socket destroyed before connecting never sent, as Node does: between
     * 'error' and 'close'. The first (the one Node's socket held while connecting) gets
     * ERR_SOCKET_CLOSED_BEFORE_CONNECTION; the others get the error that destroyed the socket,
     * or that same error when none did.
     */
    void failEarlyWrites(ArrayDeque<SocketWrite> writes) {
        if (writes == null || writes.isEmpty()) {
            return;
        }
        NetException first = new NetException("ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
                "Socket closed before the connection was established");
        NetException rest = errored != null ? errored : first;
        SocketWrite w;
        boolean isFirst = true;
        while ((w = writes.poll()) != null) {
            w.failNow(isFirst ? first : rest);
            isFirst = false;
        }
    }

    /**
     * A write finished with any status; just before its callback. Emits DRAIN when due: Node's
     * afterWrite emits 'drain' before it runs the callbacks of the writes that completed, and
     * never once end() was called or the stream was destroyed.
     */
    void writeDone(SocketWrite w) {
        long left = (long) QUEUED.getAndAdd(this, (long) -w.length) - w.length;
        if (left == 0 && needDrain && !socket.destroyed && !socket.writableEnded) {
            needDrain = false;
            socket.emit(Socket.DRAIN);
        }
    }

    /** Bytes a splice or sendfile moved into this socket around the queue; loop thread. */
    void countDirect(long n) {
        bytesWritten += n;
    }

    /** What a write lost to a destroyed socket reports: the destroy error, or Node's default. */
    NetException destroyedError() {
        NetException cause = errored;
        return cause != null ? cause
                : new NetException("ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed");
    }
}
