package io.ffmnet;

import io.ffmnet.internal.sys.Fds;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blocking file calls for the file streams, run off the event loop. Regular files are always
 * "ready" to epoll, so libuv (and Node) run file I/O on a thread pool; so does this class: a
 * small shared pool, and one {@link Serial} queue per stream so each stream's operations run one
 * at a time, in order.
 */
final class FileIo {
    /** libuv's default threadpool size. */
    private static final int THREADS = 4;

    private static final ThreadPoolExecutor POOL = newPool();

    private FileIo() {}

    private static ThreadPoolExecutor newPool() {
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ffm-net-fs-" + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Opens {@code path}: the descriptor or a negative errno. */
    static int open(Path path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            return Fds.open(arena.allocateFrom(path.toString()).address(), flags, mode);
        }
    }

    /** Writes all {@code length} bytes at {@code address}: 0 or a negative errno. */
    static int writeAll(int fd, long address, int length) {
        long done = 0;
        while (done < length) {
            long n = Fds.writeBlocking(fd, address + done, length - done);
            if (n < 0) {
                return (int) n;
            }
            done += n;
        }
        return 0;
    }

    /** Tasks of one stream, run one after another on the shared pool. */
    static final class Serial implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean running;

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                tasks.add(task);
                if (running) {
                    return;
                }
                running = true;
            }
            POOL.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable task;
                synchronized (this) {
                    task = tasks.poll();
                    if (task == null) {
                        running = false;
                        return;
                    }
                }
                task.run();
            }
        }
    }
}
