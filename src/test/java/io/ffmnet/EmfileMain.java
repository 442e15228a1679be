package io.ffmnet;

import io.ffmnet.internal.sys.Fds;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.ffmnet.internal.sys.SysConstants.RLIMIT_NOFILE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The child JVM of {@link NetServerEmfileTest}: runs an echo server, lowers its own descriptor
 * limit to a little above what it has open, and lets a {@code node} child open far more
 * connections than the limit allows, so that {@code accept4} fails with EMFILE. It prints what
 * it measured, one {@code key value} per line, and {@code served-after-emfile} once a new client
 * got its echo after the crowd left. Exits 0 unless something threw.
 */
public final class EmfileMain {
    /** Descriptors left free above those open when the limit is lowered. */
    static final int HEADROOM = 20;
    /** Connections the node child opens: many more than {@link #HEADROOM}, well under the backlog. */
    static final int CLIENTS = 100;
    /**
     * How long the crowd stays connected while the descriptor table is full. A server that left
     * the extra connections in the kernel's queue would be woken by epoll again and again for
     * all of this time.
     */
    static final long HOLD_MS = 1000;
    /** Bounds each wait so a broken server fails the child instead of hanging it. */
    static final long GUARD_SECONDS = 30;

    /** The node side: connect CLIENTS sockets on "go", report on "report", close all on "close". */
    private static final String NODE_CLIENTS = """
            const net = require('net');
            const port = +process.argv[1], n = +process.argv[2];
            const sockets = [];
            let connected = 0, closedEarly = 0, asked = false;
            const rl = require('readline').createInterface({ input: process.stdin });
            rl.on('line', (line) => {
              if (line === 'go') {
                for (let i = 0; i < n; i++) {
                  const s = net.connect(port, '127.0.0.1');
                  sockets.push(s);
                  s.on('error', () => {});
                  s.resume();
                  s.on('connect', () => { if (++connected === n) console.log('connected ' + n); });
                  s.on('close', () => { if (!asked) closedEarly++; });
                }
              } else if (line === 'report') {
                asked = true;
                console.log('closed-by-server ' + closedEarly);
              } else if (line === 'close') {
                for (const s of sockets) s.destroy();
                process.exit(0);
              }
            });
            """;

    private EmfileMain() {}

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable t) {
            // The server would keep the JVM alive: fail fast with the reason instead.
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static void run() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger open = new AtomicInteger();
        Server server = Net.createServer(s -> {
            accepted.incrementAndGet();
            open.incrementAndGet();
            s.on(Socket.CLOSE, hadError -> open.decrementAndGet());
            s.on(Socket.DATA, b -> s.write(b));
        });
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        server.on(Server.ERROR, e -> {
            System.out.println("server-error " + e.getMessage());
            listening.completeExceptionally(e);
        });
        server.listen(0, "127.0.0.1", () -> listening.complete(server.address().port()));
        int port = listening.get(GUARD_SECONDS, TimeUnit.SECONDS);

        // Warm up every path used later, so no class has to be loaded (which opens its file)
        // while the descriptor table is full.
        echo(port);
        waitUntil(() -> open.get() == 0);
        accepted.set(0);
        long loopId = loopThreadId();
        boolean cpuMeasurable = loopCpuNanos(loopId) >= 0;

        Process node = new ProcessBuilder("node", "-e", NODE_CLIENTS, String.valueOf(port), String.valueOf(CLIENTS))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader nodeOut = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
             Writer nodeIn = node.outputWriter(StandardCharsets.UTF_8)) {
            long limit = openDescriptors() + HEADROOM;
            setSoftLimit(limit);
            System.out.println("fd-limit " + limit);

            long cpu0 = cpuMeasurable ? loopCpuNanos(loopId) : -1;
            long wall0 = System.nanoTime();
            send(nodeIn, "go");
            expect(nodeOut, "connected " + CLIENTS);
            Thread.sleep(HOLD_MS);
            long cpu1 = cpuMeasurable ? loopCpuNanos(loopId) : -1;
            long wall1 = System.nanoTime();
            System.out.println("loop-cpu-ns " + (cpu0 >= 0 ? cpu1 - cpu0 : -1));
            System.out.println("wall-ns " + (wall1 - wall0));
            System.out.println("accepted " + accepted.get());

            send(nodeIn, "report");
            System.out.println(nodeOut.readLine());  // closed-by-server M
            send(nodeIn, "close");
            if (!node.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("node did not exit");
            }
        } finally {
            node.destroyForcibly();
        }
        waitUntil(() -> open.get() == 0);

        echo(port);
        System.out.println("served-after-emfile");
        CompletableFuture<Void> closed = new CompletableFuture<>();
        server.close(e -> closed.complete(null));
        closed.get(GUARD_SECONDS, TimeUnit.SECONDS);
        System.out.flush();
        System.exit(0);
    }

    /** One client: sends "ping", waits for the echo, ends; fails unless the echo came back. */
    private static void echo(int port) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        StringBuilder got = new StringBuilder();
        Socket c = new Socket();
        c.on(Socket.DATA, b -> {
            got.append(b);
            if (got.length() >= 4) {
                c.end();
            }
        });
        c.on(Socket.ERROR, reply::completeExceptionally);
        c.on(Socket.CLOSE, hadError -> reply.complete(got.toString()));
        c.connect(port, "127.0.0.1", () -> c.write("ping"));
        String answer = reply.get(GUARD_SECONDS, TimeUnit.SECONDS);
        if (!answer.equals("ping")) {
            throw new AssertionError("echo answered '" + answer + "'");
        }
    }

    /**
     * {@code ThreadMXBean.getThreadCpuTime} of the thread, or -1 where the JVM cannot measure it.
     * Called reflectively: the tests compile inside module io.ffmnet, which does not read
     * java.management, while this main runs on the class path, where every module is readable.
     */
    private static long loopCpuNanos(long threadId) {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("java.lang.management.ThreadMXBean");
            if (!(boolean) type.getMethod("isThreadCpuTimeSupported").invoke(threads)) {
                return -1;
            }
            Method cpu = type.getMethod("getThreadCpuTime", long.class);
            return (long) cpu.invoke(threads, threadId);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static long loopThreadId() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("ffm-net-loop-0"))
                .findFirst().orElseThrow().threadId();
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1;  // less the directory stream's own
        }
    }

    /** setrlimit(RLIMIT_NOFILE) with a new soft limit; a struct rlimit is {rlim_cur, rlim_max}. */
    private static void setSoftLimit(long soft) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(16, 8);
            check(Fds.getrlimit(RLIMIT_NOFILE, rlimit.address()), "getrlimit");
            rlimit.set(JAVA_LONG, 0, soft);
            check(Fds.setrlimit(RLIMIT_NOFILE, rlimit.address()), "setrlimit");
        }
    }

    private static void check(int r, String call) {
        if (r < 0) {
            throw new AssertionError(call + " failed: " + r);
        }
    }

    private static void send(Writer to, String line) throws IOException {
        to.write(line + "\n");
        to.flush();
    }

    private static void expect(BufferedReader from, String line) throws IOException {
        String got = from.readLine();
        if (!line.equals(got)) {
            throw new AssertionError("node said '" + got + "', expected '" + line + "'");
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in " + GUARD_SECONDS + " s");
            }
            Thread.sleep(10);
        }
    }
}
