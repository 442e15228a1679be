package io.ffmnet;

import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;

import java.nio.file.Path;
import java.util.function.Consumer;

import static io.ffmnet.internal.sys.SysConstants.O_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.O_RDONLY;
import static io.ffmnet.internal.sys.SysConstants.SEEK_SET;

/**
 * Node's {@code fs.ReadStream}: a file (or the range {@link ReadStreamOptions} names) read in
 * chunks of the high-water mark (64 KiB by default) on the file thread pool, delivered on the
 * event loop as {@link #DATA}, then {@link #END} and {@link #CLOSE}. Reading starts when a
 * {@code DATA} listener is added or the stream is piped, and a pipe pauses it while the
 * destination is above its high-water mark.
 *
 * <p>Piped to a {@link Socket} (with no {@code DATA} listener), the file goes to the socket with
 * sendfile(2) instead, never through user memory ({@link FileSendfile}); the events are the same.
 */
public final class FileReadStream extends EventEmitter {
    /** Node's default high-water mark for file read streams: 64 KiB per read. */
    public static final int CHUNK_SIZE = 64 * 1024;

    public static final Event<Consumer<Integer>> OPEN = Event.named("open");
    public static final Event<Runnable> READY = Event.named("ready");
    public static final Event<Consumer<Buffer>> DATA = Event.named("data");
    public static final Event<Runnable> END = Event.named("end");
    public static final Event<Consumer<NetException>> ERROR = Event.named("error");
    public static final Event<Runnable> CLOSE = Event.named("close");

    private final Path path;
    private final long start;
    private final int highWaterMark;
    private final FileIo.Serial io = new FileIo.Serial();
    /** Worker-thread state, or the loop's while {@link #sendfile} owns it. */
    private volatile int fd = -1;
    /** Bytes of the range not read or sent yet ({@link Long#MAX_VALUE}: to the end); as {@link #fd}. */
    private volatile long remaining;
    /** The sendfile transfer this stream was piped into, while it runs; loop thread. */
    private FileSendfile sendfile;

    // Loop-thread state.
    private boolean flowing;
    private boolean reading;
    private boolean done;
    private boolean referenced;

    FileReadStream(EventLoop loop, Path path, ReadStreamOptions options) {
        super(loop);
        this.path = path;
        this.start = options.start();
        this.highWaterMark = options.highWaterMark();
        this.remaining = options.length();
    }

    /** Starts or continues reading. */
    public FileReadStream resume() {
        onLoop(() -> {
            if (sendfile != null && listenerCount(DATA) > 0) {
                sendfile.switchToCopy();  // a DATA listener must see the bytes from now on
            }
            flowing = true;
            if (sendfile != null) {
                sendfile.resume();
            }
            readNext();
        });
        return this;
    }

    /** Stops reading after the chunk in flight. */
    public FileReadStream pause() {
        onLoop(() -> {
            flowing = false;
            if (sendfile != null) {
                sendfile.pause();
            }
        });
        return this;
    }

    /**
     * Writes the file to {@code destination} with backpressure; ends it at the end if
     * {@code end}. To a socket on the same loop, with nothing read yet and no {@code DATA}
     * listener, the bytes go with sendfile(2) (unless {@code -Dio.ffmnet.sendfile=false}).
     */
    public <W extends Writable> W pipe(W destination, boolean end) {
        if (FileSendfile.ENABLED && destination instanceof Socket socket && socket.loop() == loop()) {
            onLoop(() -> {
                if (flowing || reading || done || sendfile != null || fd >= 0 || listenerCount(DATA) > 0) {
                    pipeByCopy(destination, end);
                    return;
                }
                FileSendfile transfer = new FileSendfile(this, socket, end);
                sendfile = transfer;
                hold();
                io.execute(() -> {
                    if (openOnWorker()) {
                        onLoop(() -> transfer.opened(fd));
                    }
                });
            });
            return destination;
        }
        pipeByCopy(destination, end);
        return destination;
    }

    /** The ordinary pipe: DATA events written to {@code destination}, pausing while it is full. */
    void pipeByCopy(Writable destination, boolean end) {
        on(DATA, chunk -> {
            if (!destination.write(chunk, null)) {
                pause();
                destination.once(Writable.DRAIN, this::resume);
            }
        });
        if (end) {
            once(END, destination::end);
        }
    }

    public <W extends Writable> W pipe(W destination) {
        return pipe(destination, true);
    }

    private void readNext() {
        if (!flowing || reading || done || sendfile != null) {
            return;
        }
        reading = true;
        hold();
        io.execute(() -> {
            if (fd < 0 && !openOnWorker()) {
                return;
            }
            int want = (int) Math.min(highWaterMark, remaining);
            Buffer chunk = want > 0 ? Buffer.alloc(want) : null;
            long n = want > 0 ? Fds.readBlocking(fd, chunk.address(), want) : 0;
            if (n <= 0) {
                if (chunk != null) {
                    chunk.release();
                }
                Fds.close(fd);
                fd = -1;
                NetException e = n < 0 ? Errors.exception((int) n, "read") : null;
                onLoop(() -> finish(e));
                return;
            }
            consumed(n);
            onLoop(() -> deliver(chunk, (int) n));
        });
    }

    /** While reading or sending, the stream keeps the loop alive, as Node's pending fs requests. */
    private void hold() {
        if (!referenced) {
            referenced = true;
            loop().adjustRefs(1);
        }
    }

    /**
     * Worker thread: opens the file and reports OPEN and READY on the loop; or reports the
     * failure (ERROR, CLOSE) and returns false.
     */
    private boolean openOnWorker() {
        int r = FileIo.open(path, O_RDONLY | O_CLOEXEC, 0);
        if (r < 0) {
            NetException e = Errors.exception(r, "open", path.toString(), -1);
            onLoop(() -> finish(e));
            return false;
        }
        if (start > 0) {
            long at = Fds.lseek(r, start, SEEK_SET);   // past the end is allowed: reads then find nothing
            if (at < 0) {
                Fds.close(r);
                NetException e = Errors.exception((int) at, "read");
                onLoop(() -> finish(e));
                return false;
            }
        }
        fd = r;
        onLoop(() -> {
            emit(OPEN, r);
            emit(READY);
        });
        return true;
    }

    /** How many bytes of the range are left to read or send; {@link Long#MAX_VALUE}: to the end. */
    long remaining() {
        return remaining;
    }

    /** {@code n} bytes of the range were read or sent. */
    void consumed(long n) {
        if (remaining != Long.MAX_VALUE) {
            remaining -= n;
        }
    }

    /** The sendfile transfer ended: the copy path goes on from the file's position, if asked. */
    void sendfileEnded() {
        sendfile = null;
        readNext();
    }

    /**
     * Loop thread, from the sendfile transfer: closes the file and ends the stream, with END
     * (the file was sent) or ERROR, or with neither (the destination went away: Node's
     * {@code destroy()}). CLOSE follows in every case.
     */
    void finishSendfile(boolean ended, NetException error) {
        sendfile = null;
        Fds.close(fd);
        fd = -1;
        if (ended || error != null) {
            finish(error);
            return;
        }
        done = true;
        release();
        emit(CLOSE);
    }

    private void release() {
        if (referenced) {
            referenced = false;
            loop().adjustRefs(-1);
        }
    }

    private void deliver(Buffer chunk, int length) {
        reading = false;
        Buffer view = chunk.slice(0, length);
        try {
            emit(DATA, view);
        } finally {
            chunk.release();
        }
        readNext();
    }

    private void finish(NetException error) {
        reading = false;
        sendfile = null;
        done = true;
        if (error != null) {
            emitError(ERROR, error);
        } else {
            emit(END);
        }
        release();
        emit(CLOSE);
    }

    @Override
    public <L> FileReadStream on(Event<L> event, L listener) {
        super.on(event, listener);
        if (event == DATA) {
            resume();
        }
        return this;
    }

    @Override
    public <L> FileReadStream once(Event<L> event, L listener) {
        super.once(event, listener);
        if (event == DATA) {
            resume();
        }
        return this;
    }
}
