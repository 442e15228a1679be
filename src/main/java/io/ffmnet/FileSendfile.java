package io.ffmnet;

import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;

import java.util.concurrent.atomic.LongAdder;

import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.ECONNRESET;
import static io.ffmnet.internal.sys.SysConstants.EINVAL;
import static io.ffmnet.internal.sys.SysConstants.ENOTCONN;
import static io.ffmnet.internal.sys.SysConstants.ENOTSUP;
import static io.ffmnet.internal.sys.SysConstants.EPIPE;
import static io.ffmnet.internal.sys.SysConstants.ETIMEDOUT;

/**
 * A {@link FileReadStream} piped to a {@link Socket}, sent with sendfile(2) on the loop: the file's
 * pages go from the page cache to the socket without a copy through user memory. Loop thread
 * only.
 *
 * <p>sendfile reads the file inside the call, so it runs in chunks of {@link #CHUNK} bytes. A chunk
 * in the page cache (a file read or written recently, the common case for what a server sends
 * again and again) does not block; one that is not waits for the disk, on the loop thread,
 * for up to one chunk's read. On a slow or busy disk that delays every socket of the loop; set
 * {@code -Dio.ffmnet.sendfile=false} and the file is read on the file thread pool instead.
 *
 * <p>It waits while the socket's queue holds earlier writes (a header written before the pipe
 * goes first) and while the socket is full (EAGAIN: WRITABLE, as any write). Sending uses the
 * file's own position, so when something else must see or write the bytes (a {@code DATA}
 * listener on the file stream, a write or {@code end()} on the socket) the ordinary copying
 * pipe takes over exactly where sendfile stopped. A socket that is not connected yet also gets
 * the ordinary pipe, which keeps writes made before connecting.
 */
final class FileSendfile implements ZeroCopyWriter {
    /** {@code -Dio.ffmnet.sendfile=false}: a file piped to a socket is read and written by copy. */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("io.ffmnet.sendfile"));
    /** Bytes per sendfile call: bounds how long one page-cache miss can hold the loop. */
    static final int CHUNK = 256 * 1024;
    /**
     * Calls per WRITABLE report before yielding to the loop's other handles; the socket is
     * still writable, so (level-triggered) the next poll comes straight back.
     */
    static final int MAX_CALLS_PER_EVENT = 4;

    /** Bytes sent with sendfile, all transfers (for tests and benchmarks). */
    static final LongAdder SENT_BYTES = new LongAdder();

    private final FileReadStream stream;
    private final Socket socket;
    private final boolean end;
    private final Runnable onWritable = this::transfer;
    private int fileFd = -1;
    private boolean active = true;
    /** This waits for WRITABLE (the socket was full, or its queue still held earlier writes). */
    private boolean waiting;
    /** The file stream was paused: nothing is sent until it resumes. */
    private boolean paused;
    /** {@link #opened} ran: the file is open and the socket was checked. */
    private boolean started;

    FileSendfile(FileReadStream stream, Socket socket, boolean end) {
        this.stream = stream;
        this.socket = socket;
        this.end = end;
        if (end) {
            stream.once(FileReadStream.END, socket::end);
        }
    }

    /** The file is open and OPEN and READY were emitted: start sending, or hand over to copying. */
    void opened(int fd) {
        if (!active) {
            return;
        }
        fileFd = fd;
        if (socket.destroyed) {
            active = false;
            stream.finishSendfile(false, null);  // as if the pipe's destination closed meanwhile
            return;
        }
        if (socket.handle == null || socket.connecting || socket.zeroCopy != null || socket.writableEnded) {
            switchToCopy();
            return;
        }
        socket.zeroCopy = this;
        started = true;
        transfer();
    }

    /** The file stream's {@code pause()}: stop sending after the current call, as Node's pipe. */
    void pause() {
        paused = true;
        if (active && started) {
            waiting = false;
            socket.handle.setWritableHook(null);
        }
    }

    /** The file stream's {@code resume()}. */
    void resume() {
        if (paused) {
            paused = false;
            if (active && started) {
                transfer();
            }
        }
    }

    private void transfer() {
        waiting = false;
        if (!active || paused) {
            return;
        }
        if (socket.handle.queuedBytes() != 0) {
            waitWritable();  // runs after the queue's own flush
            return;
        }
        for (int i = 0; i < MAX_CALLS_PER_EVENT; i++) {
            long count = Math.min(CHUNK, stream.remaining());
            long n = count > 0 ? Fds.sendfile(socket.handle.fd(), fileFd, 0, count) : 0;   // 0: the range is sent
            if (n > 0) {
                stream.consumed(n);
                socket.writer().countDirect(n);
                socket.refreshIdle();
                SENT_BYTES.add(n);
                continue;
            }
            if (n == 0) {
                detach();
                stream.finishSendfile(true, null);  // END (which ends the socket if asked), CLOSE
                return;
            }
            if (n == -EAGAIN) {
                break;
            }
            failed((int) n);
            return;
        }
        waitWritable();
    }

    private void waitWritable() {
        waiting = true;
        socket.handle.setWritableHook(onWritable);
    }

    /**
     * sendfile failed. The socket's errors are its own, as when a write fails: it is destroyed
     * with the error on the next tick, and the file stream closes (Node's pipe leaves a source
     * whose destination failed; nothing would read it again). EINVAL and ENOTSUP mean this
     * file cannot be sent so: the copying pipe goes on from the same position. Anything else
     * is the file's read error, reported by the file stream as the copying path does.
     */
    private void failed(int error) {
        if (error == -EINVAL || error == -ENOTSUP) {
            switchToCopy();
            return;
        }
        detach();
        if (error == -EPIPE || error == -ECONNRESET || error == -ENOTCONN || error == -ETIMEDOUT) {
            NetException e = Errors.exception(error, "write");
            Socket s = socket;
            s.loop().nextTick(() -> s.destroyNow(e, false));
            stream.finishSendfile(false, null);
            return;
        }
        stream.finishSendfile(false, Errors.exception(error, "read"));
    }

    /** The ordinary pipe takes over from the file's current position. */
    void switchToCopy() {
        if (!active) {
            return;
        }
        detach();
        stream.pipeByCopy(socket, false);  // END already ends the socket if asked
        stream.sendfileEnded();
    }

    private void detach() {
        active = false;
        if (socket.zeroCopy == this) {
            socket.zeroCopy = null;
        }
        if (socket.handle != null) {
            socket.handle.setWritableHook(null);
        }
    }

    /** Whether this waits for the socket to be writable (tests). */
    boolean waitingForSocket() {
        return active && waiting;
    }

    @Override
    public void beforeWrite() {
        switchToCopy();
    }

    @Override
    public void destinationClosing() {
        if (active) {
            detach();
            stream.finishSendfile(false, null);
        }
    }
}
