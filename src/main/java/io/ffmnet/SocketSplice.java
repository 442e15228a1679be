package io.ffmnet;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.stream.StreamHandle;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.F_GETPIPE_SZ;
import static io.ffmnet.internal.sys.SysConstants.F_SETPIPE_SZ;
import static io.ffmnet.internal.sys.SysConstants.O_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.O_NONBLOCK;
import static io.ffmnet.internal.sys.SysConstants.SPLICE_F_MOVE;
import static io.ffmnet.internal.sys.SysConstants.SPLICE_F_NONBLOCK;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A zero-copy {@code socket.pipe(otherSocket)}: the bytes go from the source socket into a
 * kernel pipe and from there into the destination socket with splice(2), never through user
 * memory. Loop thread only.
 *
 * <p>It is a mode of one pipe, entered only while it moves exactly what the ordinary pipe would
 * ({@link #start}): the source flows into this one pipe and nothing else reads it (no
 * {@code DATA}/{@code TEXT} listener, no encoding, nothing buffered), and the destination is a
 * connected socket on the same loop with nothing queued and no other splice into it. Anything
 * that would make the ordinary path behave differently ends the mode ({@link #stop}): a write
 * or {@code end()} on the destination, a data listener, {@code setEncoding}, {@code pause()},
 * {@code unpipe()}, and the end or failure of either side. The bytes then sitting in the kernel
 * pipe were already read from the source, so, as in Node where data piped to a destination
 * stays written, they are handed to the destination's ordinary write queue first (a copy of at
 * most one pipe's worth, only on this rare transition) and everything after them keeps its
 * order. The ordinary path tries the mode again after each read it pipes, and on each resume.
 *
 * <p>The source is read only while the kernel pipe is empty; when the destination's buffer is
 * full (EAGAIN) the source stops reading, so TCP's backpressure reaches its sender, until the
 * destination is writable and the pipe is drained. The end of input and read errors are left
 * to (or reported exactly as by) the ordinary read path, so the events and codes are the same.
 * The kernel pipe's two descriptors live exactly as long as the mode.
 */
final class SocketSplice implements ZeroCopyWriter {
    /** {@code -Dio.ffmnet.splice=false} turns the mode off: every pipe copies through user memory. */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("io.ffmnet.splice"));
    /**
     * {@code -Dio.ffmnet.splice.pipeSize=N} asks F_SETPIPE_SZ for a larger kernel pipe. Not by
     * default: the kernel's 64 KiB equals the ordinary path's read size, and bigger pipes of
     * one user count against {@code /proc/sys/fs/pipe-user-pages-soft} (past it the kernel
     * makes new pipes of two pages), which a proxy with thousands of connections would reach.
     */
    static final int PIPE_SIZE = Integer.getInteger("io.ffmnet.splice.pipeSize", 0);
    /**
     * Splices from the source per readiness event: as the ordinary read loop's cap, so one fast
     * sender cannot starve the loop's other sockets (epoll is level-triggered, nothing is lost).
     */
    static final int MAX_SPLICES_PER_EVENT = 16;
    private static final int FLAGS = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;

    /** Bytes moved into destinations by splice, all sessions (for tests and benchmarks). */
    static final LongAdder SPLICED_BYTES = new LongAdder();
    /** Times the mode was entered, all sessions. */
    static final LongAdder STARTS = new LongAdder();

    private final Socket source;
    private final Socket destination;
    private final SocketReader reader;
    private final Runnable onReadable = this::onReadable;
    private final Runnable onWritable = this::onWritable;
    private int pipeRead;
    private int pipeWrite;
    private final int capacity;
    /** Bytes in the kernel pipe, read from the source and not yet in the destination. */
    private long inPipe;
    private boolean active = true;

    private SocketSplice(Socket source, Socket destination, int pipeRead, int pipeWrite, int capacity) {
        this.source = source;
        this.destination = destination;
        this.reader = source.reader();
        this.pipeRead = pipeRead;
        this.pipeWrite = pipeWrite;
        this.capacity = capacity;
    }

    /**
     * Enters the mode for {@code source.pipe(destination)} if it moves exactly what the ordinary
     * pipe would from now on (the reader has checked its own side: one pipe, flowing, nothing
     * buffered, no decoder); null otherwise, or if the kernel pipe cannot be made.
     */
    static SocketSplice start(Socket source, Socket destination) {
        if (!ENABLED || source.loop() != destination.loop()
                || !open(source) || !open(destination)
                || source.readableEnded || destination.ending || destination.writableEnded
                || destination.zeroCopy != null
                || destination.bufferSize() != 0 || destination.handle.queuedBytes() != 0
                || source.listenerCount(Socket.DATA) != 0 || source.listenerCount(Socket.TEXT) != 0) {
            return null;
        }
        int read;
        int write;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if (Fds.pipe2(fds.address(), O_NONBLOCK | O_CLOEXEC) < 0) {
                return null;  // EMFILE and the like: the ordinary path needs no descriptor
            }
            read = fds.getAtIndex(JAVA_INT, 0);
            write = fds.getAtIndex(JAVA_INT, 1);
        }
        if (PIPE_SIZE > 0) {
            Fds.fcntl(write, F_SETPIPE_SZ, PIPE_SIZE);  // EPERM past the user's limit: keep the default
        }
        int capacity = Fds.fcntl(write, F_GETPIPE_SZ, 0);
        SocketSplice s = new SocketSplice(source, destination, read, write,
                capacity > 0 ? capacity : StreamHandle.READ_SIZE);
        destination.zeroCopy = s;
        source.handle.setReadableHook(s.onReadable);
        STARTS.increment();
        return s;
    }

    private static boolean open(Socket s) {
        return s.handle != null && !s.handle.isClosed() && s.connected && !s.connecting && !s.destroyed;
    }

    /** A write or {@code end()} is about to reach the destination: the splice into it ends first. */
    @Override
    public void beforeWrite() {
        stop();
    }

    /** The destination is being destroyed: what the kernel pipe holds is lost with it. */
    @Override
    public void destinationClosing() {
        end(false);
    }

    /** Leaves the mode: bytes in the kernel pipe go to the destination's write queue first. */
    void stop() {
        end(true);
    }

    private void end(boolean keepPipedBytes) {
        if (!active) {
            return;
        }
        active = false;
        if (destination.zeroCopy == this) {
            destination.zeroCopy = null;
        }
        source.handle.setReadableHook(null);
        destination.handle.setWritableHook(null);
        if (keepPipedBytes && inPipe > 0 && !destination.destroyed) {
            copyOut();
        }
        inPipe = 0;
        Fds.close(pipeRead);
        Fds.close(pipeWrite);
        pipeRead = pipeWrite = -1;
        reader.spliceEnded(this);
    }

    /** Reads the kernel pipe into pooled chunks and writes them as the ordinary pipe would. */
    private void copyOut() {
        while (inPipe > 0) {
            Chunk chunk = source.loop().bufferPool().take(StreamHandle.READ_SIZE);
            long n = Fds.read(pipeRead, chunk.address, Math.min(chunk.capacity, inPipe));
            if (n <= 0) {
                chunk.release(chunk.generation());
                throw new AssertionError("kernel pipe holds " + inPipe + " bytes but read returned " + n);
            }
            inPipe -= n;
            Buffer data = Buffer.view(chunk, 0, (int) n);
            try {
                destination.write(data, null);  // keeps its own reference until written
            } finally {
                chunk.release(data.generation());
            }
        }
    }

    /** The source is readable (or hung up): splice into the empty kernel pipe, then onwards. */
    private void onReadable() {
        if (inPipe > 0) {
            source.handle.readStop();  // resumed by someone else while waiting for the destination
            return;
        }
        for (int i = 0; i < MAX_SPLICES_PER_EVENT && active; i++) {
            long n = Fds.splice(source.handle.fd(), 0, pipeWrite, 0, capacity, FLAGS);
            if (n > 0) {
                inPipe = n;
                source.bytesRead += n;
                source.refreshIdle();
                if (!pump()) {
                    return;
                }
                continue;
            }
            if (n == -EAGAIN) {
                return;
            }
            if (n == 0) {
                // The end of input (or urgent data that splice skips): leave it to the ordinary
                // read path, which sees the same readiness next and reports END as always.
                stop();
                return;
            }
            source.handle.readStop();
            stop();
            reader.onReadError((int) n);
            return;
        }
    }

    /**
     * Moves the kernel pipe's bytes into the destination.
     *
     * @return true when the pipe is empty; false when the destination is full (the source stops
     *         reading until it is writable) or failed (the mode has ended)
     */
    private boolean pump() {
        while (inPipe > 0) {
            long n = Fds.splice(pipeRead, 0, destination.handle.fd(), 0, inPipe, FLAGS);
            if (n > 0) {
                inPipe -= n;
                destination.writer().countDirect(n);
                destination.refreshIdle();
                SPLICED_BYTES.add(n);
                continue;
            }
            if (n == -EAGAIN || n == 0) {
                source.handle.readStop();
                destination.handle.setWritableHook(onWritable);
                return false;
            }
            writeFailed((int) n);
            return false;
        }
        return true;
    }

    /**
     * The destination could not take the bytes (EPIPE, ECONNRESET): as when an ordinary write
     * fails at once, the destination is destroyed with the error on the next tick, and the
     * source goes on in the ordinary path, whose next write to the destroyed socket pauses it.
     */
    private void writeFailed(int error) {
        NetException e = Errors.exception(error, "write");
        Socket d = destination;
        end(false);
        d.loop().nextTick(() -> d.destroyNow(e, false));
    }

    private void onWritable() {
        if (active && pump()) {
            source.handle.readStart();
        }
    }

    /** Whether the destination was full and this waits for it to be writable (tests). */
    boolean waitingForDestination() {
        return active && inPipe > 0;
    }

    /** Bytes in the kernel pipe (tests). */
    long bytesInPipe() {
        return inPipe;
    }
}
