package io.ffmnet;

import io.ffmnet.internal.loop.Loop;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A thread running Node's event loop: every handle (server, socket, datagram socket, timer)
 * belongs to one loop, and all its listeners run on that loop's thread, one at a time.
 *
 * <p>The default loop starts on first use. Like Node's process it keeps the JVM alive while it
 * has a referenced handle or a pending timer, and lets the JVM exit once none remain: a
 * {@code main} that only calls {@code server.listen(...)} and returns keeps serving.
 */
public final class EventLoop {
    private static final class DefaultHolder {
        static final EventLoop DEFAULT = new EventLoop(Loop.start("ffm-net-loop-0"));
    }

    final Loop loop;

    private EventLoop(Loop loop) {
        this.loop = loop;
        loop.attach(this);
    }

    /** The default loop, started on first use. */
    public static EventLoop getDefault() {
        return DefaultHolder.DEFAULT;
    }

    /**
     * Loops started for {@link #group}: element 0 is the default loop. Guarded by its own lock;
     * the list only grows, so every caller sees the same loops under the same indices.
     */
    private static final List<EventLoop> GROUP = new ArrayList<>();

    /**
     * {@code n} loops for spreading handles over several threads: element 0 is
     * {@link #getDefault()}, the others are extra loops named {@code ffm-net-loop-1} to
     * {@code ffm-net-loop-(n-1)}, each started on first need and then shared by every caller for
     * the JVM's life. Like the default loop they keep the JVM alive only while they have
     * referenced handles or pending work.
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} for {@code n} outside 1..256
     */
    public static List<EventLoop> group(int n) {
        if (n < 1 || n > 256) {
            throw InvalidArgumentException.intOutOfRange("n", 1, 256, n);
        }
        synchronized (GROUP) {
            if (GROUP.isEmpty()) {
                GROUP.add(getDefault());
            }
            while (GROUP.size() < n) {
                GROUP.add(new EventLoop(Loop.start("ffm-net-loop-" + GROUP.size())));
            }
            return List.copyOf(GROUP.subList(0, n));
        }
    }

    /** The loop the calling thread runs, or the default loop when called from any other thread. */
    static EventLoop current() {
        Loop loop = Loop.current();
        return loop != null ? (EventLoop) loop.attachment() : getDefault();
    }

    /**
     * Runs {@code task} on this loop's thread, after the I/O of the current iteration. Safe from
     * any thread; tasks run in the order they were given. A pending task keeps the JVM alive
     * until it has run.
     */
    public void execute(Runnable task) {
        loop.execute(Objects.requireNonNull(task, "task"));
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inEventLoop() {
        return loop.inLoop();
    }

    /**
     * Where throwables from listeners, callbacks and tasks go (and {@code ERROR} events nobody
     * listens to). The default logs them through {@code System.getLogger("io.ffmnet")}; the loop
     * carries on either way. {@code null} restores the default.
     */
    public EventLoop setUncaughtExceptionHandler(Consumer<Throwable> handler) {
        loop.setUncaughtExceptionHandler(handler);
        return this;
    }

    /** The loop's thread name. */
    @Override
    public String toString() {
        return "EventLoop[" + loop.name() + "]";
    }
}
