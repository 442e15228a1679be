package io.ffmnet;

import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.ffmnet.internal.sys.SysConstants.O_APPEND;
import static io.ffmnet.internal.sys.SysConstants.O_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.O_CREAT;
import static io.ffmnet.internal.sys.SysConstants.O_EXCL;
import static io.ffmnet.internal.sys.SysConstants.O_TRUNC;
import static io.ffmnet.internal.sys.SysConstants.O_WRONLY;

/**
 * Node's {@code fs.WriteStream}: a {@link Writable} file, so a socket can {@code pipe} into it.
 * The file is opened and written on a small thread pool, never on the event loop; events and
 * callbacks come back to the loop thread. Writes keep their buffers retained until written, so
 * piping a socket into a file copies nothing in Java.
 *
 * <p>Events: {@link #OPEN} (the descriptor), {@link #READY}, {@link Writable#DRAIN},
 * {@link Writable#FINISH}, {@link Writable#ERROR}, {@link #CLOSE}.
 */
public final class FileWriteStream extends EventEmitter implements Writable {
    /** {@code 'open'}: the file is open; the argument is its descriptor. */
    public static final Event<Consumer<Integer>> OPEN = Event.named("open");
    /** {@code 'ready'}: right after {@code 'open'}. */
    public static final Event<Runnable> READY = Event.named("ready");
    /** {@code 'close'}: the descriptor is closed. */
    public static final Event<Runnable> CLOSE = Event.named("close");

    private final Path path;
    private final int highWaterMark;
    private final FileIo.Serial io = new FileIo.Serial();
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean needDrain;
    private volatile boolean ended;
    private volatile long bytesWritten;

    /** Worker-thread state: the descriptor, or the error that ended the stream. */
    private int fd = -1;
    private int failure;

    // Loop-thread state.
    private boolean destroyed;
    private boolean referenced;

    FileWriteStream(EventLoop loop, Path path, WriteStreamOptions options) {
        super(loop);
        this.path = path;
        this.highWaterMark = options.highWaterMark();
        int flags = openFlags(options.flags());
        onLoop(() -> {
            referenced = true;
            loop().adjustRefs(1);  // pending file work keeps the process alive, as in Node
        });
        io.execute(() -> {
            int r = FileIo.open(path, flags, options.mode());
            if (r < 0) {
                failure = r;
                NetException e = Errors.exception(r, "open", path.toString(), -1);
                onLoop(() -> fail(e));
                return;
            }
            fd = r;
            onLoop(() -> {
                emit(OPEN, r);
                emit(READY);
            });
        });
    }

    private static int openFlags(String flags) {
        int f = O_WRONLY | O_CREAT | O_CLOEXEC | (flags.startsWith("a") ? O_APPEND : O_TRUNC);
        return flags.contains("x") ? f | O_EXCL : f;
    }

    /** The file's path. */
    public Path path() {
        return path;
    }

    /** Bytes written to the file so far. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Bytes accepted and not yet written (Node's {@code writableLength}). */
    public long writableLength() {
        return queued.get();
    }

    @Override
    public boolean write(Buffer data, Consumer<NetException> onWritten) {
        data.retain();
        int length = data.length();
        boolean below = queued.addAndGet(length) < highWaterMark;
        if (!below) {
            needDrain = true;
        }
        if (ended) {
            NetException e = new NetException("ERR_STREAM_WRITE_AFTER_END", "write after end");
            onLoop(() -> finishWrite(data, e, onWritten));
            return false;
        }
        io.execute(() -> {
            int r = failure != 0 ? failure : FileIo.writeAll(fd, data.address(), length);
            if (r == 0) {
                bytesWritten += length;
            } else {
                failure = r;
            }
            NetException e = r == 0 ? null : Errors.exception(r, "write");
            onLoop(() -> {
                finishWrite(data, e, onWritten);
                if (e != null) {
                    fail(e);
                }
            });
        });
        return below;
    }

    /** Writes a string as UTF-8. */
    public boolean write(String data) {
        Buffer b = Buffer.from(data);
        try {
            return write(b, null);
        } finally {
            b.release();
        }
    }

    private void finishWrite(Buffer data, NetException error, Consumer<NetException> onWritten) {
        data.release();
        long left = queued.addAndGet(-data.length());
        try {
            if (onWritten != null) {
                onWritten.accept(error);
            }
        } catch (Throwable t) {
            reportUncaught(t);
        }
        if (left == 0 && needDrain && !destroyed) {
            needDrain = false;
            emit(DRAIN);
        }
    }

    @Override
    public FileWriteStream end() {
        return end(null);
    }

    /** Closes the file once everything queued is written; {@code FINISH} then {@code CLOSE}. */
    @Override
    public FileWriteStream end(Runnable onFinish) {
        if (onFinish != null) {
            once(FINISH, onFinish);
        }
        if (ended) {
            return this;
        }
        ended = true;
        io.execute(() -> {
            boolean ok = failure == 0;
            closeFd();
            onLoop(() -> {
                if (ok && !destroyed) {
                    emit(FINISH);
                }
                closed();
            });
        });
        return this;
    }

    /** Stops at once: queued writes still run in order but the file closes after them. */
    public FileWriteStream destroy() {
        ended = true;
        io.execute(() -> {
            closeFd();
            onLoop(this::closed);
        });
        return this;
    }

    private void closeFd() {
        if (fd >= 0) {
            Fds.close(fd);
            fd = -1;
        }
    }

    private void fail(NetException e) {
        if (destroyed) {
            return;
        }
        emitError(ERROR, e);
        ended = true;
        io.execute(() -> {
            closeFd();
            onLoop(this::closed);
        });
    }

    private void closed() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        if (referenced) {
            referenced = false;
            loop().adjustRefs(-1);
        }
        emit(CLOSE);
    }

    @Override
    public <L> FileWriteStream on(Event<L> event, L listener) {
        super.on(event, listener);
        return this;
    }

    @Override
    public <L> FileWriteStream once(Event<L> event, L listener) {
        super.once(event, listener);
        return this;
    }

    @Override
    public <L> FileWriteStream off(Event<L> event, L listener) {
        super.off(event, listener);
        return this;
    }
}
