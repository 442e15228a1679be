package io.ffmnet;

import io.ffmnet.internal.sys.Fds;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.ffmnet.internal.sys.SysConstants.O_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.O_RDONLY;
import static io.ffmnet.internal.sys.SysConstants.RLIMIT_NOFILE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The child JVM of {@link NetServerLoopsTest}'s test of a group whose later socket cannot be
 * made: it fills its descriptor table up to one free slot, so a two-loop server's first
 * listening socket takes that slot and the second one fails with EMFILE. Prints
 * {@code error <code> <syscall>} for the ERROR event, {@code leaked <descriptors>} (the
 * descriptors open after the error that were not open before the listen, once the filler is
 * closed again: must be none), and {@code listening-again after <n> error} once the same
 * server listened and closed again, with the number of ERROR events seen until then.
 * Exits 0 unless something threw.
 */
public final class LoopsBindFailMain {
    /** Bounds each wait so a broken server fails the child instead of hanging it. */
    private static final long GUARD_SECONDS = 30;

    private LoopsBindFailMain() {}

    public static void main(String[] args) throws Exception {
        Server server = Net.createServer(new ServerOptions().loops(2), socket -> socket.destroy());
        warmUp(server);
        TreeMap<Integer, String> before = descriptors();
        long softLimit = softLimit();
        List<Integer> filler = fillAllButOne();
        CompletableFuture<NetException> error = new CompletableFuture<>();
        AtomicInteger errors = new AtomicInteger();
        server.on(Server.ERROR, e -> {
            errors.incrementAndGet();
            error.complete(e);
        });
        server.once(Server.LISTENING, () -> error.completeExceptionally(new AssertionError("listened")));
        server.listen(0, "127.0.0.1");
        NetException e = error.get(GUARD_SECONDS, TimeUnit.SECONDS);
        for (int fd : filler) {
            Fds.close(fd);
        }
        setSoftLimit(softLimit);
        System.out.println("error " + e.code() + " " + e.syscall());
        TreeMap<Integer, String> after = descriptors();
        after.entrySet().removeIf(d -> d.getValue().equals(before.get(d.getKey())));
        System.out.println("leaked " + after);
        listenAndClose(server);
        System.out.println("listening-again after " + errors.get() + " error");
    }

    /** Loads every class of the listen, accept and error paths while descriptors are plenty. */
    private static void warmUp(Server server) throws Exception {
        int port = listenAndClose(server);
        Server holder = Net.createServer();
        CompletableFuture<Void> held = new CompletableFuture<>();
        holder.listen(port, "127.0.0.1", () -> held.complete(null));
        held.get(GUARD_SECONDS, TimeUnit.SECONDS);
        CompletableFuture<NetException> inUse = new CompletableFuture<>();
        server.once(Server.ERROR, inUse::complete);
        server.listen(port, "127.0.0.1");
        inUse.get(GUARD_SECONDS, TimeUnit.SECONDS);
        CompletableFuture<Void> closed = new CompletableFuture<>();
        holder.close(x -> closed.complete(null));
        closed.get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    private static int listenAndClose(Server server) throws Exception {
        CompletableFuture<Void> listening = new CompletableFuture<>();
        server.listen(0, "127.0.0.1", () -> listening.complete(null));
        listening.get(GUARD_SECONDS, TimeUnit.SECONDS);
        int port = server.address().port();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        server.close(x -> closed.complete(null));
        closed.get(GUARD_SECONDS, TimeUnit.SECONDS);
        return port;
    }

    /**
     * Lowers the soft limit a little above the highest descriptor, opens "/" until the table is
     * full, then closes the last one: exactly one slot is free.
     */
    static List<Integer> fillAllButOne() throws IOException {
        setSoftLimit(descriptors().lastKey() + 16);
        List<Integer> filler = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            long root = arena.allocateFrom("/").address();
            int fd;
            while ((fd = Fds.open(root, O_RDONLY | O_CLOEXEC, 0)) >= 0) {
                filler.add(fd);
            }
        }
        Fds.close(filler.removeLast());
        return filler;
    }

    static TreeMap<Integer, String> descriptors() throws IOException {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            entries.forEach(p -> {
                try {
                    fds.put(Integer.parseInt(p.getFileName().toString()), Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // the directory stream's own descriptor, closed by now
                }
            });
        }
        return fds;
    }

    static long softLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);
            check(Fds.getrlimit(RLIMIT_NOFILE, rlimit.address()), "getrlimit");
            return rlimit.get(JAVA_LONG, 0);
        }
    }

    /** setrlimit(RLIMIT_NOFILE) with a new soft limit; a struct rlimit is {rlim_cur, rlim_max}. */
    static void setSoftLimit(long soft) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);
            check(Fds.getrlimit(RLIMIT_NOFILE, rlimit.address()), "getrlimit");
            rlimit.set(JAVA_LONG, 0, Math.min(soft, rlimit.get(JAVA_LONG, 8)));
            check(Fds.setrlimit(RLIMIT_NOFILE, rlimit.address()), "setrlimit");
        }
    }

    private static void check(int r, String call) {
        if (r < 0) {
            throw new AssertionError(call + " failed: " + r);
        }
    }
}
