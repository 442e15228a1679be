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
 *
 * <p>For several cores, {@link #group(int)} gives the default loop plus further loops, started
 * once and shared by every caller; a server spreads its connections over them with
 * {@link ServerOptions#loops(int)}. The further loops behave as the default one: they live as
 * long as the JVM and keep it alive only while they hold referenced handles or timers.
 */
public final class EventLoop {
    private static final class DefaultHolder {
        static final EventLoop DEFAULT = new EventLoop(Loop.start("ffm-net-loop-0"));
    }

    /** The largest group {@link #group(int)} makes: far more loops than cores helps nothing. */
    public static final int MAX_GROUP_SIZE = 256;

    /** The loops after the default one, started by {@link #group(int)}; guarded by the class. */
    private static final List<EventLoop> EXTRA = new ArrayList<>();

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
     * The first {@code n} loops of the process-wide group: the default loop, then loops named
     * {@code ffm-net-loop-1} to {@code ffm-net-loop-<n-1>}, each started the first time any
     * caller asks for it and shared by every later caller. Like the default loop they are never
     * shut down, and they keep the JVM alive only while they hold referenced handles or timers.
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} unless
     *                                  {@code 1 <= n <= MAX_GROUP_SIZE}
     */
    public static List<EventLoop> group(int n) {
        checkGroupSize("n", n);
        List<EventLoop> loops = new ArrayList<>(n);
        loops.add(getDefault());
        synchronized (EventLoop.class) {
            while (EXTRA.size() < n - 1) {
                EXTRA.add(new EventLoop(Loop.start("ffm-net-loop-" + (EXTRA.size() + 1))));
            }
            loops.addAll(EXTRA.subList(0, n - 1));
        }
        return List.copyOf(loops);
    }

    /**
     * The {@code n} loops a handle on {@code own} spreads over ({@link ServerOptions#loops},
     * {@link DatagramOptions#loops}): {@code own} first, then the others of {@link #group(int)}
     * in order (a handle made on a group loop other than the default one starts from there; one
     * made on a private loop adds group loops to it).
     */
    static List<EventLoop> spread(EventLoop own, int n) {
        if (n == 1) {
            return List.of(own);
        }
        List<EventLoop> loops = new ArrayList<>(n);
        loops.add(own);
        for (EventLoop l : group(n)) {
            if (l != own && loops.size() < n) {
                loops.add(l);
            }
        }
        return loops;
    }

    /** Throws Node's {@code ERR_OUT_OF_RANGE} for a group size outside 1..{@link #MAX_GROUP_SIZE}. */
    static void checkGroupSize(String name, int n) {
        if (n < 1 || n > MAX_GROUP_SIZE) {
            throw InvalidArgumentException.outOfRange(name, ">= 1 && <= " + MAX_GROUP_SIZE, n);
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
