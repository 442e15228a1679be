package io.ffmnet.internal.loop;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the JVM alive while some loop has work that Node would keep a process alive for.
 *
 * <p>Loop threads are daemons: a loop with nothing referenced must not hold the JVM open, and a
 * thread cannot change its daemon status while it runs. Instead, while any hold is taken, one
 * non-daemon "keeper" thread waits here; the JVM can exit only once it has gone. Holds are
 * counted in one atomic number, so taking and dropping them costs a lock only when the count
 * moves between zero and one.
 *
 * <p>Who holds: each loop while it has referenced handles or pending work, and each task handed
 * to a loop from another thread until the loop has run it and published its own state. The
 * second kind closes the gap between {@code main} calling {@code server.listen(...)} and the loop
 * thread taking up the listen: without it the JVM could exit in between.
 */
final class KeepAlive {
    private static final AtomicLong HOLDS = new AtomicLong();
    private static final Object LOCK = new Object();
    private static Thread keeper;

    private KeepAlive() {}

    static void acquire() {
        if (HOLDS.getAndIncrement() == 0) {
            synchronized (LOCK) {
                if (keeper == null) {
                    keeper = new Thread(KeepAlive::keep, "ffm-net-keepalive");
                    keeper.setDaemon(false);
                    keeper.start();
                }
            }
        }
    }

    static void release() {
        release(1);
    }

    static void release(long n) {
        long left = HOLDS.addAndGet(-n);
        if (left == 0) {
            synchronized (LOCK) {
                LOCK.notifyAll();
            }
        } else if (left < 0) {
            throw new AssertionError("keep-alive released more often than acquired");
        }
    }

    /** Whether the JVM is being kept alive now; for tests. */
    static boolean held() {
        return HOLDS.get() > 0;
    }

    private static void keep() {
        synchronized (LOCK) {
            while (HOLDS.get() > 0) {
                try {
                    LOCK.wait();
                } catch (InterruptedException e) {
                    // Nobody but the JVM's shutdown interrupts this thread; keep the promise.
                }
            }
            keeper = null;
        }
    }
}
