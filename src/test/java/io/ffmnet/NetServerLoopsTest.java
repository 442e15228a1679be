package io.ffmnet;

import io.ffmnet.testing.Processes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static io.ffmnet.NetServerTestKit.close;
import static io.ffmnet.NetServerTestKit.listen;
import static io.ffmnet.NetServerTestKit.listenUnix;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ServerOptions.loops(n)}: a server whose connections are spread over several event loops
 * (one SO_REUSEPORT listener per loop on TCP, hand-off in turn on a Unix domain socket), with
 * the connection count, {@code maxConnections} and {@code close()} holding across the loops,
 * and every connection kept on one loop thread for its life.
 *
 * <p>On TCP the kernel picks the listener by a hash of the connection's addresses and ports, so
 * which loop a connection lands on is not under the test's control: the tests open 64
 * connections, and the chance that all of them land on one of two loops is 2^-63.
 */
@Timeout(180)
class NetServerLoopsTest {
    private static final int CONNECTIONS = 64;

    @TempDir
    Path dir;

    private final NetServerTestKit.Handles handles = new NetServerTestKit.Handles();

    @AfterEach
    void closeHandles() {
        handles.closeAll();
    }

    /**
     * Records the thread each accepted connection's CONNECTION listener ran on, and fails (through
     * the loop's uncaught-exception handler, which the harness routes to the test) if any later
     * listener of that socket runs on another thread.
     */
    private static final class Pinning {
        final Map<String, Integer> byThread = new ConcurrentHashMap<>();

        void accepted(Socket s) {
            Thread home = Thread.currentThread();
            byThread.merge(home.getName(), 1, Integer::sum);
            Runnable check = () -> {
                if (Thread.currentThread() != home) {
                    throw new AssertionError("a connection accepted on " + home.getName()
                            + " ran a listener on " + Thread.currentThread().getName());
                }
            };
            s.on(Socket.DATA, b -> check.run());
            s.on(Socket.END, check);
            s.on(Socket.CLOSE, hadError -> check.run());
        }
    }

    /** An echo server with {@code loops} loops, not yet listening. */
    private Server echoServer(int loops, Pinning pinning) {
        return handles.add(Net.createServer(new ServerOptions().loops(loops), s -> {
            pinning.accepted(s);
            s.on(Socket.DATA, s::write);
            s.on(Socket.END, s::end);
        }));
    }

    /** A client that sends {@code text}, ends, and checks it read back exactly that. */
    private void echoClient(Consumer<Socket> connect, String text) {
        Socket c = handles.add(new Socket());
        StringBuilder got = new StringBuilder();
        c.on(Socket.DATA, b -> got.append(b.toString()));
        c.on(Socket.END, mustCall(() -> assertEquals(text, got.toString())));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        connect.accept(c);
        c.end(text);
    }

    // ---- spreading -------------------------------------------------------------------------

    @Test
    void manyConnectionsFromOurClientsAreEchoedAndServedByMoreThanOneLoop() {
        Pinning pinning = new Pinning();
        int port = listen(echoServer(2, pinning), "127.0.0.1");
        for (int i = 0; i < CONNECTIONS; i++) {
            echoClient(c -> c.connect(port, "127.0.0.1"), "hello from client " + i);
        }
        awaitCalls();
        assertEquals(CONNECTIONS, pinning.byThread.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(Map.of("ffm-net-loop-0", true, "ffm-net-loop-1", true),
                Map.of("ffm-net-loop-0", pinning.byThread.containsKey("ffm-net-loop-0"),
                        "ffm-net-loop-1", pinning.byThread.containsKey("ffm-net-loop-1")),
                "both loops served connections: " + pinning.byThread);
    }

    @Test
    void aNodeClientsConnectionsAreAllEchoedAcrossTwoLoops() throws Exception {
        assumeTrue(Processes.nodeInstalled(), "node is not on the PATH: this test needs it as the client");
        Pinning pinning = new Pinning();
        int port = listen(echoServer(2, pinning), "127.0.0.1");
        String script = """
                const net = require('net');
                const n = +process.argv[2];
                let ok = 0, done = 0;
                for (let i = 0; i < n; i++) {
                  const text = 'node connection ' + i;
                  let got = '';
                  const c = net.connect(+process.argv[1], '127.0.0.1', () => c.end(text));
                  c.setEncoding('utf8');
                  c.on('data', d => { got += d; });
                  c.on('end', () => { if (got === text) ok++; });
                  c.on('close', () => { if (++done === n) console.log('echoed ' + ok); });
                  c.on('error', e => { console.error(e); process.exit(2); });
                }
                """;
        Path stderr = Files.createTempFile(dir, "node", ".err");
        Process node = new ProcessBuilder("node", "-e", script, String.valueOf(port), String.valueOf(CONNECTIONS))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(stderr.toFile())
                .start();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("echoed " + CONNECTIONS, out.readLine(), () -> "node stderr: " + read(stderr));
            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node exited");
            assertEquals(0, node.exitValue());
        } finally {
            node.destroyForcibly();
            node.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(2, pinning.byThread.size(), "both loops served connections: " + pinning.byThread);
    }

    @Test
    void portZeroGivesEveryLoopTheSamePortAndAddressReportsIt() {
        Pinning pinning = new Pinning();
        Server server = echoServer(2, pinning);
        int port = listen(server, "127.0.0.1");
        assertTrue(port > 0);
        AddressInfo address = server.address();
        assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), address);
        for (int i = 0; i < CONNECTIONS; i++) {
            echoClient(c -> c.connect(port, "127.0.0.1"), "x" + i);
        }
        awaitCalls();
        // Connections to the one port reached both loops: both listeners hold that port.
        assertEquals(2, pinning.byThread.size(), "both loops served connections: " + pinning.byThread);
        close(server);
        assertNull(server.address());
    }

    @Test
    void aUnixDomainServerHandsConnectionsToTheLoopsInTurn() {
        Pinning pinning = new Pinning();
        Server server = echoServer(3, pinning);
        Path path = dir.resolve("loops.sock");
        listenUnix(server, path);
        assertEquals(new AddressInfo(path.toString(), "unix", -1), server.address());
        // One connection at a time, so the accept order (and so the turn) is known.
        for (int i = 0; i < 6; i++) {
            echoClient(c -> c.connect(path.toString()), "unix " + i);
            awaitCalls();
        }
        assertEquals(Map.of("ffm-net-loop-0", 2, "ffm-net-loop-1", 2, "ffm-net-loop-2", 2), pinning.byThread);
        close(server);
        assertFalse(Files.exists(path), "the socket file is removed on close");
    }

    @Test
    void blockListAndPauseOnConnectApplyToTheConnectionsOfEveryLoop() {
        BlockList blocked = new BlockList();
        blocked.addAddress("127.0.0.2", "ipv4");
        Pinning pinning = new Pinning();
        Server server = handles.add(Net.createServer(
                new ServerOptions().loops(2).blockList(blocked).pauseOnConnect(true).noDelay(true), null));
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            assertTrue(s.isPaused(), "pauseOnConnect");
            assertEquals("127.0.0.1", s.remoteAddress());
            pinning.accepted(s);
            s.on(Socket.DATA, s::write);
            s.on(Socket.END, s::end);
            s.resume();
        }, CONNECTIONS));
        for (int i = 0; i < CONNECTIONS; i++) {
            echoClient(c -> c.connect(port, "127.0.0.1"), "allowed " + i);
            Socket refused = handles.add(new Socket());
            refused.on(Socket.DATA, mustNotCall());
            refused.on(Socket.ERROR, e -> {});  // closed at accept: an end or a reset
            refused.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
            refused.resume();
            refused.connect(new ConnectOptions().port(port).host("127.0.0.1").localAddress("127.0.0.2"));
        }
        awaitCalls();
        assertEquals(2, pinning.byThread.size(), "both loops served connections: " + pinning.byThread);
        // The server sides close just after the clients; blocked ones must not have stayed counted.
        while (connections(server) > 0) {
            sleep(10);
        }
    }

    // ---- counting and closing across loops -------------------------------------------------

    @Test
    void maxConnectionsCountsTheConnectionsOfEveryLoop() {
        int max = 5;
        Pinning pinning = new Pinning();
        Server server = handles.add(Net.createServer(new ServerOptions().loops(2), null));
        server.maxConnections(max);
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            pinning.accepted(s);
            s.resume();
        }, max));
        server.on(Server.DROP, mustCall((DropInfo d) -> assertEquals("127.0.0.1", d.remoteAddress()),
                CONNECTIONS - max));
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket c = handles.add(new Socket());
            c.on(Socket.ERROR, e -> {});  // a dropped connection may see ECONNRESET
            c.resume();
            c.connect(port, "127.0.0.1");
            clients.add(c);
        }
        awaitCalls();
        server.getConnections(mustCall((NetException e, Integer n) -> assertEquals(max, n)));
        awaitCalls();
        server.on(Server.CLOSE, mustCall(() -> {}));
        server.close();
        for (Socket c : clients) {
            c.destroy();
        }
        awaitCalls();
    }

    @Test
    void closeEmitsCloseOnlyAfterTheConnectionsOfEveryLoopEnded() {
        Pinning pinning = new Pinning();
        List<Socket> accepted = new ArrayList<>();
        Server server = handles.add(Net.createServer(new ServerOptions().loops(2), null));
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            pinning.accepted(s);
            s.resume();
            synchronized (accepted) {
                accepted.add(s);
            }
        }, CONNECTIONS));
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket c = handles.add(new Socket());
            c.resume();
            c.on(Socket.CONNECT, mustCall(() -> {}));
            c.connect(port, "127.0.0.1");
            clients.add(c);
        }
        awaitCalls();
        assertEquals(2, pinning.byThread.size(), "both loops served connections: " + pinning.byThread);

        AtomicBoolean closed = new AtomicBoolean();
        server.on(Server.CLOSE, mustCall(() -> closed.set(true)));
        server.close(mustCall((NetException e) -> assertNull(e)));
        assertEquals(CONNECTIONS, connections(server));
        // End all but one connection: on whichever loops they live, CLOSE must wait for the last.
        Socket last;
        synchronized (accepted) {
            last = accepted.getLast();
        }
        for (Socket c : clients) {
            c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        }
        synchronized (accepted) {
            for (Socket s : accepted) {
                if (s != last) {
                    s.end();  // the client reads the FIN, ends too, and the connection closes
                }
            }
        }
        // Wait until only the last connection counts; CLOSE must not have come meanwhile.
        int open;
        while ((open = connections(server)) > 1) {
            sleep(10);
        }
        assertEquals(1, open);
        assertFalse(closed.get(), "CLOSE waited for the last connection");
        last.end();
        awaitCalls();
        assertTrue(closed.get());
        assertEquals(0, connections(server));
    }

    /** {@code getConnections} waited for on the test thread. */
    private static int connections(Server server) {
        CompletableFuture<Integer> count = new CompletableFuture<>();
        server.getConnections((e, n) -> count.complete(n));
        return count.join();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- errors ----------------------------------------------------------------------------

    @Test
    void aPortHeldWithoutReusePortIsEaddrinuseOnceAndTheServerCanListenAgain() {
        Server holder = handles.add(Net.createServer(mustNotCall()));
        int port = listen(holder, "127.0.0.1");

        Server server = handles.add(Net.createServer(new ServerOptions().loops(2), mustNotCall()));
        server.on(Server.LISTENING, mustNotCall());
        server.once(Server.ERROR, mustCall((NetException e) -> {
            assertEquals("EADDRINUSE", e.code());
            assertEquals("listen", e.syscall());
            assertEquals(port, e.port());
        }));
        server.listen(port, "127.0.0.1");
        awaitCalls();
        assertFalse(server.listening());
        assertNull(server.address());

        server.removeAllListeners(Server.LISTENING);
        server.removeAllListeners(Server.CONNECTION);
        int again = listen(server, "127.0.0.1");
        assertTrue(again > 0 && again != port);
        close(server);
        close(holder);
    }

    @Test
    void whenALaterSocketOfTheGroupCannotBeMadeTheFirstIsClosedAndTheErrorEmittedOnce() throws Exception {
        assertEquals(List.of("error EMFILE listen", "leaked {}", "listening-again after 1 error"),
                Processes.runJavaMain(LoopsBindFailMain.class, 60));
    }

    @Test
    void loopsOutsideOneToTheGroupLimitIsErrOutOfRange() {
        for (int bad : new int[] {0, -1, EventLoop.MAX_GROUP_SIZE + 1}) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> new ServerOptions().loops(bad));
            assertEquals("ERR_OUT_OF_RANGE", e.code());
        }
        assertEquals(EventLoop.MAX_GROUP_SIZE, new ServerOptions().loops(EventLoop.MAX_GROUP_SIZE).loops());
        assertThrows(InvalidArgumentException.class, () -> EventLoop.group(0));
    }

    @Test
    void theGroupStartsWithTheDefaultLoopAndIsSharedByEveryCaller() {
        List<EventLoop> two = EventLoop.group(2);
        assertSame(EventLoop.getDefault(), two.get(0));
        assertEquals(two, EventLoop.group(3).subList(0, 2));
        assertEquals("EventLoop[ffm-net-loop-1]", two.get(1).toString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
