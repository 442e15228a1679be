package io.ffmnet.testing;

import io.ffmnet.EventLoop;
import io.ffmnet.internal.buffer.BufferPool;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Registered for every test class (through {@code META-INF/services}, with JUnit's extension
 * autodetection switched on in the pom):
 * <ul>
 *   <li>before each test, loop failures go to {@link Must}; after it, every {@code mustCall} must
 *       have run exactly as often as expected;</li>
 *   <li>after the class, the process must hold no more sockets, pipes, eventfds or epoll
 *       descriptors than before it (read from {@code /proc/self/fd}), and no pooled or
 *       malloc'd buffer may still be out.</li>
 * </ul>
 * The first {@link #GROUP_LOOPS} loops of {@link EventLoop#group(int)} are started before the
 * baseline is taken and report their failures to {@link Must} too, so tests of servers with
 * several loops may use that many: the loops live as long as the JVM, and their descriptors
 * (epoll, eventfd) are part of the baseline rather than a leak; their buffer pools are counted
 * with every other pool.
 *
 * <p>Handles close on their loop a moment after the test's last callback, so the check waits for
 * the counts to come back before failing; that wait only bounds a hang and measures nothing.
 */
public final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback {
    private static final long SETTLE_MILLIS = 10_000;
    /** Loops of the shared group that tests may use (ServerOptions.loops up to this). */
    public static final int GROUP_LOOPS = 3;
    private static final ExtensionContext.Namespace NS =
            ExtensionContext.Namespace.create(LeakCheckExtension.class);

    private record Snapshot(Map<Integer, String> fds, long buffers) {}

    @Override
    public void beforeAll(ExtensionContext context) {
        // Start the loops first, so their own descriptors are part of the baseline.
        reportFailuresToMust();
        context.getStore(NS).put("before", snapshot());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reportFailuresToMust();
    }

    private static void reportFailuresToMust() {
        for (EventLoop loop : EventLoop.group(GROUP_LOOPS)) {
            loop.setUncaughtExceptionHandler(Must::fail);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Must.verifyAndReset();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        Snapshot before = context.getStore(NS).get("before", Snapshot.class);
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        Snapshot after;
        while (true) {
            after = snapshot();
            boolean clean = leaked(before, after).isEmpty() && after.buffers <= before.buffers;
            if (clean || System.currentTimeMillis() > deadline) {
                break;
            }
            Thread.sleep(20);
        }
        Map<Integer, String> leaked = leaked(before, after);
        if (!leaked.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " leaked file descriptors: " + leaked);
        }
        if (after.buffers > before.buffers) {
            throw new AssertionError(context.getDisplayName() + " leaked "
                    + (after.buffers - before.buffers) + " buffer(s) (outstanding before "
                    + before.buffers + ", after " + after.buffers + ")");
        }
    }

    private static Map<Integer, String> leaked(Snapshot before, Snapshot after) {
        Map<Integer, String> leaked = new TreeMap<>(after.fds);
        leaked.entrySet().removeIf(e -> e.getValue().equals(before.fds.get(e.getKey())));
        return leaked;
    }

    private static Snapshot snapshot() {
        return new Snapshot(watchedFds(), BufferPool.outstandingEverywhere());
    }

    /** Descriptors of the kinds the library makes: sockets, pipes, eventfds, epoll instances. */
    static Map<Integer, String> watchedFds() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            entries.forEach(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    if (target.startsWith("socket:") || target.startsWith("pipe:")
                            || target.startsWith("anon_inode:")) {
                        fds.put(Integer.parseInt(p.getFileName().toString()), target);
                    }
                } catch (IOException e) {
                    // Closed while listing (including the directory stream's own descriptor).
                }
            });
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
        return fds;
    }
}
