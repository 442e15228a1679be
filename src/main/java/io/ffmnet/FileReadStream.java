package io.ffmnet;

import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;

import java.nio.file.Path;
import java.util.function.Consumer;

import static io.ffmnet.internal.sys.SysConstants.O_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.O_RDONLY;

/**
 * Node's {@code fs.ReadStream}: a file read in 64 KiB chunks on the file thread pool, delivered
 * on the event loop as {@link #DATA}, then {@link #END} and {@link #CLOSE}. Reading starts when
 * a {@code DATA} listener is added or the stream is piped, and a pipe pauses it while the
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
    private final FileIo.Serial io = new FileIo.Serial();
    /** Worker-thread state, or the loop's while {@link #sendfile} owns it. */
    private volatile int fd = -1;
    /** The sendfile transfer this stream was piped into, while it runs; loop thread. */
    private FileSendfile sendfile;

    // Loop-thread state.
    private boolean flowing;
    private boolean reading;
    private boolean done;
    private boolean referenced;

    FileReadStream(EventLoop loop, Path path) {
        super(loop);
        this.path = path;
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
            Buffer chunk = Buffer.alloc(CHUNK_SIZE);
            long n = Fds.readBlocking(fd, chunk.address(), CHUNK_SIZE);
            if (n <= 0) {
                chunk.release();
                Fds.close(fd);
                fd = -1;
                NetException e = n < 0 ? Errors.exception((int) n, "read") : null;
                onLoop(() -> finish(e));
                return;
            }
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
        fd = r;
        onLoop(() -> {
            emit(OPEN, r);
            emit(READY);
        });
        return true;
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
