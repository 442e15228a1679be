package io.ffmnet.internal.loop;

import io.ffmnet.internal.buffer.BufferPool;
import io.ffmnet.internal.poll.EpollPoller;
import io.ffmnet.internal.poll.PollHandle;
import io.ffmnet.internal.poll.Poller;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Mem;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One event loop: one thread, one poller, one timer heap, one buffer pool.
 *
 * <p>Each iteration runs Node's phases in Node's order:
 * <ol>
 *   <li><b>timers</b>: every timer due at the loop's current millisecond, in due order;</li>
 *   <li><b>pending</b>: callbacks a handle deferred to the next iteration (libuv's pending
 *       queue: write callbacks and errors that must not run inside the call that caused them);</li>
 *   <li><b>poll</b>: wait for I/O (not at all if anything below is already queued), dispatch each
 *       ready handle, send the writes held back meanwhile ({@link #batchWrite}), then run the
 *       tasks other threads queued with {@link #execute};</li>
 *   <li><b>immediates</b>: the {@code setImmediate} callbacks queued before this phase began;</li>
 *   <li><b>close</b>: callbacks of handles closed during this iteration.</li>
 * </ol>
 * After every callback the next-tick queue is drained, as Node drains {@code process.nextTick}.
 * Each callback that throws goes to the uncaught-exception handler; the loop carries on.
 *
 * <p>Waking: {@link #execute} from another thread queues the task and writes the eventfd only if
 * the loop announced that it is about to sleep ({@link #wakeState}), so a busy loop receiving
 * tasks pays no system call for them.
 */
public final class Loop {
    /**
     * Tasks from other threads run per iteration at most. Without a cap, a producer thread that
     * queues as fast as the loop runs could keep the loop from ever polling its sockets again.
     */
    static final int MAX_TASKS_PER_ROUND = 4096;

    /**
     * Bytes of {@link #scratch()}: room for 1024 iovecs (IOV_MAX on Linux, 16 bytes each) plus
     * socket addresses and small out-parameters.
     */
    public static final int SCRATCH_SIZE = 32 * 1024;

    private static final int AWAKE = 0;
    private static final int SLEEPING = 1;

    private final String name;
    private final LoopThread thread;
    private final Poller poller = new EpollPoller();
    final TimerHeap timers = new TimerHeap();
    private final WakeUp wakeUp;
    private final long origin = System.nanoTime();
    /** See {@link #scratch()}. */
    private final long scratch = Mem.malloc(SCRATCH_SIZE);
    /** {@link #scratch} as a segment, made once: a view per call or per handle costs 40 bytes each. */
    private final MemorySegment scratchSegment = MemorySegment.ofAddress(scratch).reinterpret(SCRATCH_SIZE);
    private long now;

    /** Tasks from other threads; each holds the JVM open until run (see {@link KeepAlive}). */
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Holds taken for {@link #tasks}; set negative at shutdown so no more are taken. */
    private final AtomicInteger foreignTasks = new AtomicInteger();
    /** Tasks the loop queued for itself with {@link #execute}. */
    private final ArrayDeque<Runnable> localTasks = new ArrayDeque<>();
    private final AtomicInteger wakeState = new AtomicInteger(AWAKE);

    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private final ArrayDeque<Immediate> immediates = new ArrayDeque<>();
    private final ArrayDeque<Runnable> ticks = new ArrayDeque<>();
    private final ArrayDeque<Runnable> closing = new ArrayDeque<>();
    /** Handles holding writes made during this poll phase, flushed at its end (see {@link #batchWrite}). */
    private final ArrayDeque<BatchedWriter> batchedWriters = new ArrayDeque<>();
    /** True while the poll phase hands out ready events. */
    private boolean dispatching;

    /** Referenced handles and armed referenced timers: what keeps this loop alive. */
    private int refs;
    private int refImmediates;
    private boolean holdingJvm;
    private volatile boolean stopping;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile Object attachment;
    private volatile Consumer<Throwable> uncaughtHandler = Loop::logUncaught;

    /** Creates and starts a loop on a new daemon thread named {@code name}. */
    public static Loop start(String name) {
        Loop loop = new Loop(name);
        loop.thread.start();
        return loop;
    }

    private Loop(String name) {
        this.name = name;
        this.thread = new LoopThread(this, this::run, name);
        this.wakeUp = new WakeUp();
    }

    /** The loop whose thread is calling, or null on any other thread. */
    public static Loop current() {
        return Thread.currentThread() instanceof LoopThread t ? t.loop : null;
    }

    /** The public object that stands for this loop; set once by its creator. */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    public String name() {
        return name;
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    void assertInLoop() {
        if (Thread.currentThread() != thread) {
            throw new AssertionError("called off the loop thread of " + name);
        }
    }

    /** The loop's clock in milliseconds, read once per phase as libuv caches it. */
    public long now() {
        return now;
    }

    public Poller poller() {
        return poller;
    }

    /**
     * The native address of {@link #SCRATCH_SIZE} bytes that code running on this loop may use
     * for the arguments of one system call (iovec arrays, sockaddrs, socklen_t out-parameters),
     * and must not hold across a callback. One per loop, so hot calls allocate nothing.
     */
    public long scratch() {
        return scratch;
    }

    /** {@link #scratch()} as a segment of {@link #SCRATCH_SIZE} bytes, for reading and writing it. */
    public MemorySegment scratchSegment() {
        return scratchSegment;
    }

    public BufferPool bufferPool() {
        return thread.bufferPool();
    }

    /**
     * Runs {@code task} on the loop thread in the poll phase of this or the next iteration.
     * Safe from any thread; tasks run in the order they were queued.
     */
    public void execute(Runnable task) {
        if (stopping) {
            throw new RejectedExecutionException("event loop " + name + " is shut down");
        }
        if (inLoop()) {
            localTasks.add(task);
            return;
        }
        if (foreignTasks.getAndIncrement() >= 0) {
            KeepAlive.acquire();
        }
        tasks.offer(task);
        if (wakeState.get() == SLEEPING && wakeState.compareAndSet(SLEEPING, AWAKE)) {
            wakeUp.signal();
        }
    }

    /**
     * A handle that can hold back writes made while the loop dispatches I/O events and send them
     * together when the dispatch is over.
     */
    public interface BatchedWriter {
        /** Sends what was held back; called once per {@link #batchWrite} that returned true. */
        void flushBatch();
    }

    /**
     * Asks to send {@code writer}'s writes at the end of the current poll phase instead of now.
     * Writes made while the loop hands out ready events (a socket echoing what it just read, a
     * chat server broadcasting one message to many sockets) then leave in one system call per
     * socket after every ready socket was read, with the shallow stack of the loop rather than
     * the deep one of the listener that wrote.
     *
     * @return true if the writer will be called back; false outside the dispatch, where the
     *         writer should write at once
     */
    public boolean batchWrite(BatchedWriter writer) {
        if (!dispatching) {
            return false;
        }
        batchedWriters.add(writer);
        return true;
    }

    /** Runs {@code task} after the current callback, before any I/O: Node's {@code process.nextTick}. */
    public void nextTick(Runnable task) {
        assertInLoop();
        ticks.add(task);
    }

    /** Runs {@code task} in the next pending phase (libuv's deferred callbacks). */
    public void defer(Runnable task) {
        assertInLoop();
        pending.add(task);
    }

    /** Runs {@code task} in this iteration's close phase (or the next one's, if already past it). */
    public void onClose(Runnable task) {
        assertInLoop();
        closing.add(task);
    }

    /** Queues an immediate: Node's {@code setImmediate}. */
    public Immediate setImmediate(Runnable task) {
        assertInLoop();
        Immediate immediate = new Immediate(this, task);
        immediates.add(immediate);
        refImmediates++;
        return immediate;
    }

    /** A handle became referenced (+1) or stopped being so (-1). */
    public void adjustRefs(int delta) {
        refs += delta;
        assert refs >= 0 : "negative reference count";
    }

    /** The referenced-handle count; for tests of what holds the loop. */
    int refs() {
        return refs;
    }

    void adjustRefImmediates(int delta) {
        refImmediates += delta;
    }

    public void setUncaughtExceptionHandler(Consumer<Throwable> handler) {
        uncaughtHandler = handler == null ? Loop::logUncaught : handler;
    }

    /** Hands {@code t} to the uncaught-exception handler; a throwing handler is logged. */
    public void reportUncaught(Throwable t) {
        try {
            uncaughtHandler.accept(t);
        } catch (Throwable inHandler) {
            inHandler.addSuppressed(t);
            logUncaught(inHandler);
        }
    }

    private static void logUncaught(Throwable t) {
        System.getLogger("io.ffmnet").log(System.Logger.Level.ERROR, "uncaught exception on an event loop", t);
    }

    /** Runs a callback: exceptions go to the handler, then the next-tick queue is drained. */
    public void invoke(Runnable callback) {
        try {
            callback.run();
        } catch (Throwable t) {
            reportUncaught(t);
        }
        runTicks();
    }

    /**
     * Stops the loop after its current iteration and frees its poller, wake-up fd and pool.
     * Only for loops that are not the default one; handles still open on it are abandoned, so
     * close them first. Waits for the thread to finish unless called on it.
     */
    public void shutdown() {
        if (stopping) {
            return;
        }
        execute(() -> stopping = true);
        if (!inLoop()) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        now = elapsedMs();
        try {
            while (!stopping) {
                runOnce();
            }
        } finally {
            wakeUp.close();
            poller.close();
            bufferPool().close();
            Mem.free(scratch);
            if (holdingJvm) {
                holdingJvm = false;
                KeepAlive.release();
            }
            int foreign = foreignTasks.getAndSet(Integer.MIN_VALUE);
            if (foreign > 0) {
                KeepAlive.release(foreign);
            }
            stopped.countDown();
        }
    }

    private void runOnce() {
        now = elapsedMs();
        runTimers();
        runPending();
        publishAlive();  // timers may just have ended the loop's last reason to hold the JVM
        int timeout = pollTimeout();
        if (timeout != 0) {
            wakeState.set(SLEEPING);
            if (!tasks.isEmpty()) {
                timeout = 0;  // queued between pollTimeout() and the announcement
            }
        }
        int ready = poller.poll(timeout);
        wakeState.set(AWAKE);
        now = elapsedMs();
        if (ready < 0) {
            throw new AssertionError("epoll_wait " + Errors.code(ready));
        }
        dispatch(ready);
        int ran = runTasks();
        runImmediates();
        runClosing();
        publishAlive();
        if (ran > 0) {
            releaseForeign(ran);
        }
    }

    private void runTimers() {
        LoopTimer t;
        while ((t = timers.pollDue(now)) != null) {
            t.fire();
        }
    }

    private void runPending() {
        for (int n = pending.size(); n > 0; n--) {
            invoke(pending.poll());
        }
    }

    private int pollTimeout() {
        if (stopping || !pending.isEmpty() || !immediates.isEmpty() || !closing.isEmpty()
                || !localTasks.isEmpty() || !tasks.isEmpty()) {
            return 0;
        }
        long next = timers.nextKey();
        if (next < 0) {
            return -1;
        }
        return (int) Math.max(0, Math.min(next - now, Integer.MAX_VALUE));
    }

    private void dispatch(int ready) {
        dispatching = true;
        for (int i = 0; i < ready; i++) {
            PollHandle handle = poller.readyHandle(i);
            if (handle == null) {
                continue;  // removed by an earlier callback of this round
            }
            try {
                handle.onReady(poller.readyEvents(i));
            } catch (Throwable t) {
                reportUncaught(t);
            }
            runTicks();
        }
        dispatching = false;
        flushBatchedWrites();
    }

    /** Sends the writes held back during the dispatch, each writer once; then their ticks. */
    private void flushBatchedWrites() {
        BatchedWriter writer;
        while ((writer = batchedWriters.poll()) != null) {
            try {
                writer.flushBatch();
            } catch (Throwable t) {
                reportUncaught(t);
            }
            runTicks();
        }
    }

    /**
     * Runs the tasks the loop queued for itself before this phase, then other threads' tasks up
     * to the cap.
     *
     * @return how many of the other threads' tasks ran
     */
    private int runTasks() {
        for (int n = localTasks.size(); n > 0; n--) {
            invoke(localTasks.poll());
        }
        int ran = 0;
        Runnable task;
        while (ran < MAX_TASKS_PER_ROUND && (task = tasks.poll()) != null) {
            ran++;
            invoke(task);
        }
        return ran;
    }

    /**
     * Runs the immediates queued before this phase; ones queued meanwhile wait for the next
     * iteration, as in Node (an immediate that queues an immediate cannot starve I/O).
     */
    private void runImmediates() {
        for (int n = immediates.size(); n > 0; n--) {
            Immediate immediate = immediates.poll();
            if (immediate.take()) {
                invoke(immediate.task);
            }
        }
    }

    private void runClosing() {
        for (int n = closing.size(); n > 0; n--) {
            invoke(closing.poll());
        }
    }

    private void runTicks() {
        Runnable tick;
        while ((tick = ticks.poll()) != null) {
            try {
                tick.run();
            } catch (Throwable t) {
                reportUncaught(t);
            }
        }
    }

    /**
     * Tells {@link KeepAlive} whether this loop has referenced work. Done before the holds of
     * the foreign tasks just run are dropped, so that the JVM never sees a moment with neither.
     */
    private void publishAlive() {
        boolean alive = refs > 0 || refImmediates > 0 || !pending.isEmpty() || !closing.isEmpty()
                || !localTasks.isEmpty();
        if (alive != holdingJvm) {
            holdingJvm = alive;
            if (alive) {
                KeepAlive.acquire();
            } else {
                KeepAlive.release();
            }
        }
    }

    /** Drops the JVM holds of the other threads' tasks that were run. */
    private void releaseForeign(int ran) {
        foreignTasks.addAndGet(-ran);
        KeepAlive.release(ran);
    }

    private long elapsedMs() {
        return (System.nanoTime() - origin) / 1_000_000;
    }

    /** The eventfd that other threads write to wake the loop from {@code epoll_wait}. */
    private final class WakeUp extends PollHandle {
        /** 8 bytes holding 1, written by waking threads; read-only after construction. */
        private final long one = Mem.malloc(8);
        /** 8 bytes the loop reads the counter into. */
        private final long drain = Mem.malloc(8);

        WakeUp() {
            MemorySegment.ofAddress(one).reinterpret(8).set(JAVA_LONG_UNALIGNED, 0, 1L);
            int r = Fds.eventfd(0, Fds.EFD_NONBLOCK | Fds.EFD_CLOEXEC);
            if (r < 0) {
                Mem.free(one);
                Mem.free(drain);
                throw Errors.exception(r, "eventfd");
            }
            fd = r;
            poller.setInterest(this, Poller.READABLE);
        }

        /**
         * Adds one to the counter. EAGAIN (counter at its maximum) cannot happen with one
         * reader resetting it each round, and any value wakes the loop anyway.
         */
        void signal() {
            Fds.write(fd, one, 8);
        }

        @Override
        public void onReady(int events) {
            Fds.read(fd, drain, 8);  // resets the counter; the tasks run after dispatch
        }

        void close() {
            poller.remove(this);
            Fds.close(fd);
            fd = -1;
            Mem.free(one);
            Mem.free(drain);
        }
    }
}
