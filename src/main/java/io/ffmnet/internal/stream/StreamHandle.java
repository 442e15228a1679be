package io.ffmnet.internal.stream;

import io.ffmnet.internal.buffer.BufferPool;
import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.poll.PollHandle;
import io.ffmnet.internal.poll.Poller;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Sockets;


import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.ECANCELED;
import static io.ffmnet.internal.sys.SysConstants.EINPROGRESS;
import static io.ffmnet.internal.sys.SysConstants.SHUT_WR;
import static io.ffmnet.internal.sys.SysConstants.SOL_SOCKET;
import static io.ffmnet.internal.sys.SysConstants.SO_ERROR;

/**
 * A connected (or connecting) stream socket: TCP or Unix domain. The mechanism only: reading
 * into pooled chunks, a write queue flushed with gathering writes, connect, shutdown, close.
 * What the events mean to a user (Node's state machine) is the caller's, told through
 * {@link Callbacks}. Loop thread only.
 *
 * <p>Interest follows state, and the poller sends a change to the kernel only when it differs
 * from what the kernel has: READABLE while reading, WRITABLE while connecting or while bytes
 * wait in the queue.
 */
public final class StreamHandle extends PollHandle implements Loop.BatchedWriter {
    /**
     * Reads per readiness event. Level-triggered epoll reports what is left, so stopping early
     * loses nothing; the cap keeps one fast sender from starving the loop's other sockets.
     */
    static final int MAX_READS_PER_EVENT = 16;
    /**
     * Reads use the size classes of the loop's buffer pool ({@link BufferPool#classSize}), so no
     * chunk is bigger than asked. A socket starts at 4 KiB and moves (see {@link #recordBatch})
     * so that a buffer a listener keeps pins little memory when messages are small, and a bulk
     * transfer still reads 64 KiB at a time.
     */
    static final int INITIAL_READ_SIZE_INDEX = 2;
    /** The largest read: the pool's largest class, 64 KiB as libuv and Node read streams. */
    public static final int READ_SIZE = BufferPool.MAX_POOLED;
    /**
     * Bytes a batch may hold back before it is written at once. Enough to gather the small
     * messages of one read batch into one call; small enough that a fast reader piped to itself
     * (16 reads of 64 KiB per wake-up) does not park a megabyte per socket in the pool.
     */
    static final long MAX_BATCHED_BYTES = 64 * 1024;

    /** What the stream reports; each runs on the loop thread. */
    public interface Callbacks {
        /** The connect finished: 0 or a negative errno. */
        void onConnect(int status);

        /** {@code length} bytes arrived at the start of {@code chunk}; the callee owns its count. */
        void onRead(Chunk chunk, int length);

        /** The peer sent FIN: reading has stopped for good. */
        void onEof();

        /** Reading failed (ECONNRESET ...). */
        void onReadError(int error);

        /** Flushing the queue failed (EPIPE, ECONNRESET); queued requests are still queued. */
        void onWriteError(int error);

        /** The queue emptied after the kernel took the last queued byte. */
        void onDrain();

        /** The FIN asked for by {@link #shutdown} went out after the queued data: 0 or -errno. */
        void onShutdown(int status);
    }

    private final Loop loop;
    private final Callbacks callbacks;
    private final WriteQueue queue = new WriteQueue();
    private boolean connecting;
    private boolean reading;
    private boolean shutdownPending;
    private boolean closed;
    /** Writes wait in the queue for {@link #flushBatch} at the end of the loop's poll phase. */
    private boolean batched;
    /** The pool size class ({@link BufferPool#classSize}) of the next read. */
    private byte readSizeIndex = INITIAL_READ_SIZE_INDEX;
    /** The last read batch was small enough to read with the next smaller size. */
    private boolean shrinkNext;
    /** Zero-copy pipes (splice): runs on READABLE instead of {@link #readSome}; null normally. */
    private Runnable readableHook;
    /** Zero-copy pipes: waits for one WRITABLE report; null normally. */
    private Runnable writableHook;

    public StreamHandle(Loop loop, int fd, Callbacks callbacks) {
        this.loop = loop;
        this.fd = fd;
        this.callbacks = callbacks;
    }

    /**
     * Starts a non-blocking connect to the sockaddr at {@code addr}.
     *
     * @return 0 if it completed or is in progress ({@link Callbacks#onConnect} follows either
     *         way), or a negative errno if it failed at once
     */
    public int connect(long addr, int length) {
        int r = Sockets.connect(fd, addr, length);
        if (r < 0 && r != -EINPROGRESS) {
            return r;
        }
        connecting = true;
        updateInterest();
        return 0;
    }

    public boolean isReading() {
        return reading;
    }

    public void readStart() {
        if (!reading && !closed) {
            reading = true;
            updateInterest();
        }
    }

    /** Stops reading: the kernel's buffer fills and the peer's sends block, as TCP intends. */
    public void readStop() {
        if (reading) {
            reading = false;
            updateInterest();
        }
    }

    /** Bytes queued and not yet taken by the kernel. */
    public long queuedBytes() {
        return queue.bytes();
    }

    /**
     * Writes {@code request}, trying the kernel at once when nothing is queued.
     *
     * @return 1 if the kernel took all of it now (the caller completes the request), 0 if (the
     *         rest of) it is queued and will be completed later, or a negative errno (nothing
     *         queued; the caller completes the request with it)
     */
    public int write(WriteRequest request) {
        if (batched) {
            queue.add(request);
            if (queue.bytes() >= MAX_BATCHED_BYTES) {
                flushBatch();
            }
            return 0;
        }
        if (!connecting && queue.isEmpty()) {
            if (loop.batchWrite(this)) {
                batched = true;
                queue.add(request);
                return 0;
            }
            while (request.remaining > 0) {
                long n = Fds.write(fd, request.address, request.remaining);
                if (n < 0) {
                    if (n != -EAGAIN) {
                        return (int) n;
                    }
                    break;
                }
                request.address += n;
                request.remaining -= (int) n;
            }
            if (request.remaining == 0) {
                return 1;
            }
        }
        queue.add(request);
        updateInterest();
        return 0;
    }

    /**
     * Writes what was held back during the poll phase: as much as the kernel takes now, the rest
     * when the socket turns writable. Also called early by {@link #write} once the batch is big.
     */
    @Override
    public void flushBatch() {
        if (!batched) {
            return;  // flushed early, or closed
        }
        batched = false;
        if (!closed) {
            flush();
        }
    }

    /**
     * Sends FIN once the queued bytes are out. If nothing is queued it goes now, and
     * {@link Callbacks#onShutdown} runs in the loop's next pending phase, never inside this call.
     */
    public void shutdown() {
        shutdownPending = true;
        if (!connecting && queue.isEmpty()) {
            reportShutdown(finishShutdown());
        }
    }

    /**
     * Closes the descriptor now: forgotten by the poller first, then closed once; queued writes
     * complete with {@code -ECANCELED}.
     */
    public void close() {
        if (closed) {
            return;
        }
        if (batched) {
            // Node would have written these already (libuv tries a write at once): they go out
            // before the close as they would have there, and only what the kernel refuses now
            // is cancelled.
            batched = false;
            queue.flush(fd, loop.scratch(), loop.scratchSegment());
        }
        closed = true;
        reading = false;
        loop.poller().remove(this);
        Fds.close(fd);
        fd = -1;
        queue.failAll(-ECANCELED);
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void onReady(int events) {
        if (connecting) {
            if ((events & (Poller.WRITABLE | Poller.ERROR | Poller.HANGUP)) != 0) {
                finishConnect();
            }
            return;
        }
        if (reading && (events & (Poller.READABLE | Poller.HANGUP | Poller.ERROR)) != 0) {
            if (readableHook != null) {
                readableHook.run();
            } else {
                readSome();
            }
        }
        if (!closed && !queue.isEmpty() && (events & (Poller.WRITABLE | Poller.HANGUP | Poller.ERROR)) != 0) {
            flush();
        }
        if (!closed && writableHook != null && (events & (Poller.WRITABLE | Poller.HANGUP | Poller.ERROR)) != 0) {
            Runnable hook = writableHook;
            writableHook = null;
            updateInterest();
            hook.run();
        }
    }

    /**
     * For a zero-copy pipe: while set, readiness to read (while reading) runs {@code hook}, which
     * moves the bytes itself, instead of reading them into chunks. Null restores normal reading.
     */
    public void setReadableHook(Runnable hook) {
        readableHook = hook;
    }

    /**
     * For a zero-copy pipe: runs {@code hook} once on the next WRITABLE (or HANGUP/ERROR) report;
     * null cancels. WRITABLE interest is held only while a hook waits (epoll is level-triggered).
     */
    public void setWritableHook(Runnable hook) {
        writableHook = hook;
        updateInterest();
    }

    private void finishConnect() {
        int error = Tcp.getIntOption(loop, fd, SOL_SOCKET, SO_ERROR);
        connecting = false;
        updateInterest();
        int status = error < 0 ? error : -error;
        callbacks.onConnect(status);
        if (status == 0 && !closed) {
            if (!queue.isEmpty()) {
                flush();
            } else if (shutdownPending) {
                reportShutdown(finishShutdown());
            }
        }
    }

    /**
     * Reads until the kernel has no more, a read comes back short (the socket is drained, so
     * another read would only return EAGAIN), or the cap is reached. The callee may stop reading
     * or close the stream inside any callback; each iteration re-checks.
     */
    private void readSome() {
        long total = 0;
        for (int i = 0; i < MAX_READS_PER_EVENT && reading; i++) {
            Chunk chunk = loop.bufferPool().take(BufferPool.classSize(readSizeIndex));
            long n = Fds.read(fd, chunk.address, chunk.capacity);
            if (n > 0) {
                total += n;
                boolean filled = n == chunk.capacity;
                if (filled) {
                    grow();
                }
                callbacks.onRead(chunk, (int) n);
                if (!filled) {
                    recordBatch(total);
                    return;
                }
                continue;
            }
            chunk.release(chunk.generation());
            if (n == -EAGAIN) {
                recordBatch(total);
                return;
            }
            reading = false;
            updateInterest();
            if (n == 0) {
                callbacks.onEof();
            } else {
                callbacks.onReadError((int) n);
            }
            return;
        }
    }

    /** A read filled its chunk: the next one is a size bigger, at once (bulk data ramps fast). */
    private void grow() {
        if (readSizeIndex < BufferPool.CLASS_COUNT - 1) {
            readSizeIndex++;
        }
        shrinkNext = false;
    }

    /**
     * Shrinks the read size after two read batches in a row that would have filled at most half
     * of the next smaller size: one small message does not undo a bulk transfer's ramp (as in
     * Netty's adaptive receive allocator), and a batch that exactly fills a size does not make
     * it shrink, fill the next read, grow and pay an extra read each time.
     */
    private void recordBatch(long total) {
        if (readSizeIndex > 0 && total <= BufferPool.classSize(readSizeIndex - 1) / 2) {
            if (shrinkNext) {
                readSizeIndex--;
            }
            shrinkNext = !shrinkNext;
        } else {
            shrinkNext = false;
        }
    }

    /** Writes the queue: WRITABLE interest stays while bytes are left, and only then. */
    private void flush() {
        int r = queue.flush(fd, loop.scratch(), loop.scratchSegment());
        updateInterest();
        if (r == WriteQueue.PARTIAL) {
            return;
        }
        if (r < 0) {
            callbacks.onWriteError(r);
            return;
        }
        callbacks.onDrain();
        if (shutdownPending && !closed) {
            reportShutdown(finishShutdown());
        }
    }

    /**
     * Reports the FIN in the next pending phase, never inside the flush that sent it: the
     * writes this flush completed queue their callbacks as next-ticks, and Node emits
     * 'finish' only after every write callback has run.
     */
    private void reportShutdown(int status) {
        loop.defer(() -> callbacks.onShutdown(status));
    }

    private int finishShutdown() {
        shutdownPending = false;
        return Sockets.shutdown(fd, SHUT_WR);
    }

    private void updateInterest() {
        if (closed) {
            return;
        }
        int interest = (reading ? Poller.READABLE : 0)
                | (connecting || !queue.isEmpty() || writableHook != null ? Poller.WRITABLE : 0);
        loop.poller().setInterest(this, interest);
    }
}
