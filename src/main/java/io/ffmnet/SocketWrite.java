package io.ffmnet;

import io.ffmnet.internal.stream.WriteRequest;
import io.ffmnet.internal.sys.Errors;

import java.util.function.Consumer;

import static io.ffmnet.internal.sys.SysConstants.ECANCELED;

/**
 * One {@code socket.write(...)}: the buffer it keeps alive and the callback it owes. The
 * callback runs exactly once, on the next tick after the bytes were handed to the kernel (Node
 * defers it the same way), or with the error that lost them.
 */
final class SocketWrite extends WriteRequest implements Runnable {
    private final Socket socket;
    private final Buffer buffer;
    private final Consumer<NetException> callback;
    final int length;
    private NetException error;
    private boolean done;

    /** Takes over one reference to {@code buffer}. */
    SocketWrite(Socket socket, Buffer buffer, Consumer<NetException> callback) {
        this.socket = socket;
        this.buffer = buffer;
        this.callback = callback;
        this.length = buffer.length();
        region(buffer.address(), length);
    }

    @Override
    protected void complete(int status) {
        if (status < 0) {
            error = status == -ECANCELED ? socket.writer().destroyedError() : Errors.exception(status, "write");
        } else {
            socket.refreshIdle();  // Node refreshes the idle timer when a write completes, too
        }
        finish();
    }

    /** Completes without having been written. */
    void fail(NetException e) {
        error = e;
        finish();
    }

    /** Completes without having been written, running the callback now rather than on a tick. */
    void failNow(NetException e) {
        error = e;
        markDone();
        try {
            run();
        } catch (Throwable t) {
            socket.reportUncaught(t);
        }
    }

    private void finish() {
        markDone();
        socket.loop().nextTick(this);
    }

    /** Exactly once: the buffer goes back as soon as the bytes are written or lost. */
    private void markDone() {
        if (done) {
            throw new AssertionError("write completed twice");
        }
        done = true;
        buffer.release();
    }

    /** The deferred completion: accounting (and DRAIN, first, as Node's afterWrite), then the callback. */
    @Override
    public void run() {
        socket.writer().writeDone(this);
        if (callback != null) {
            callback.accept(error);
        }
    }
}
