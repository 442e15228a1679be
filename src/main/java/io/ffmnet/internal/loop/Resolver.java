package io.ffmnet.internal.loop;

import io.ffmnet.internal.sys.Dns;
import io.ffmnet.internal.sys.Ip;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@link Dns#lookup} off the loops, on a small pool shared by all of them, and hands each
 * answer back to the loop that asked: libuv runs {@code getaddrinfo} on its threadpool the same
 * way. A lookup keeps its loop referenced while it is in flight, so a {@code main} that only
 * sends to a host name does not let the JVM exit before the name is resolved.
 */
public final class Resolver {
    /** libuv's default threadpool size ({@code UV_THREADPOOL_SIZE}): 4 lookups at once. */
    static final int THREADS = 4;
    /** Idle pool threads end after this long; the next lookup starts them again. */
    private static final long IDLE_SECONDS = 30;

    private static final ThreadPoolExecutor POOL = newPool();

    private Resolver() {}

    /** What a lookup reports, on the loop thread. */
    @FunctionalInterface
    public interface Callback {
        void done(Dns.Answer answer);
    }

    /**
     * Resolves {@code host} and calls {@code callback} on {@code loop} with the answer. Call on the
     * loop thread. An IP literal needs no lookup: its answer comes on the next tick, as
     * {@code dns.lookup} answers one, still after the caller returns.
     *
     * @param family 0, {@code AF_INET} or {@code AF_INET6}
     */
    public static void lookup(Loop loop, String host, int family, Callback callback) {
        lookup(loop, host, family, 0, callback);
    }

    /** {@link #lookup(Loop, String, int, Callback)} with getaddrinfo {@code flags} ({@link Dns#AI_ADDRCONFIG}). */
    public static void lookup(Loop loop, String host, int family, int flags, Callback callback) {
        loop.assertInLoop();
        if (host != null && Ip.version(host) != 0) {
            Dns.Answer answer = Dns.lookup(host, family, flags);
            loop.nextTick(() -> callback.done(answer));
            return;
        }
        loop.adjustRefs(+1);
        POOL.execute(() -> deliver(loop, Dns.lookup(host, family, flags), callback));
    }

    private static void deliver(Loop loop, Dns.Answer answer, Callback callback) {
        try {
            loop.execute(() -> {
                loop.adjustRefs(-1);
                callback.done(answer);
            });
        } catch (RejectedExecutionException shutDown) {
            // The loop was shut down during the lookup; its handles, and this answer, are moot.
        }
    }

    private static ThreadPoolExecutor newPool() {
        AtomicInteger ids = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread t = new Thread(task, "ffm-net-dns-" + ids.getAndIncrement());
            t.setDaemon(true);   // the asking loop's reference holds the JVM, not this thread
            return t;
        };
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
