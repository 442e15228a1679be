package io.ffmnet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.NetServerTestKit.close;
import static io.ffmnet.NetServerTestKit.listen;
import static io.ffmnet.NetServerTestKit.listenUnix;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code server.close()}, {@code getConnections}, {@code maxConnections} with
 * {@code 'drop'}, {@code ref}/{@code unref} and the {@code blockList} option
 * (test-net-server-close, test-net-server-max-connections, test-net-server-unref,
 * test-net-server-blocklist).
 */
@Timeout(180)
class NetServerCloseTest {
    /** A hang guard for the child JVMs of the lifetime tests, not a measurement. */
    private static final long CHILD_GUARD_SECONDS = 60;

    @TempDir
    Path dir;

    private final NetServerTestKit.Handles handles = new NetServerTestKit.Handles();

    @AfterEach
    void closeHandles() {
        handles.closeAll();
    }

    /**
     * A client of 127.0.0.1:{@code port} that reads (so it sees the server's FIN), with the
     * listeners {@code setup} adds in place before it starts connecting.
     */
    private Socket client(int port, java.util.function.Consumer<Socket> setup) {
        Socket c = handles.add(new Socket());
        setup.accept(c);
        c.resume();
        c.connect(port, "127.0.0.1");
        return c;
    }

    private Socket client(int port) {
        return client(port, c -> {});
    }

    // ---- close -----------------------------------------------------------------------------

    @Test
    void closeStopsAcceptingSoANewConnectionIsRefused() {
        Server server = handles.add(Net.createServer(mustNotCall()));
        int port = listen(server, "127.0.0.1");
        close(server);
        assertFalse(server.listening());

        client(port, late -> {
            late.on(Socket.CONNECT, mustNotCall());
            late.on(Socket.ERROR, mustCall((NetException e) -> assertEquals("ECONNREFUSED", e.code())));
            late.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertTrue(hadError)));
        });
        awaitCalls();
    }

    @Test
    void closeEmitsCloseOnlyAfterTheLastConnectionClosed() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Socket> accepted = new AtomicReference<>();
        Server server = handles.add(Net.createServer());
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            accepted.set(s);
            s.resume();
            s.on(Socket.CLOSE, hadError -> order.add("connection closed"));
        }));
        Socket c = client(port, s -> s.on(Socket.CONNECT, mustCall(() -> {})));
        awaitCalls();

        server.close(mustCall((NetException e) -> {
            assertNull(e);
            order.add("server closed");
        }));
        server.getConnections(mustCall((NetException e, Integer n) -> {
            assertNull(e);
            assertEquals(1, n, "the open connection still counts after close()");
            order.add("counted");
        }));
        server.on(Server.CLOSE, mustCall(() -> assertFalse(server.listening())));
        // CLOSE needs the connection gone: end the client only after the count came back.
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        client(port, refused -> refused.on(Socket.ERROR, mustCall((NetException e) -> {
            assertEquals("ECONNREFUSED", e.code());
            c.end();
        })));
        awaitCalls();
        assertEquals(List.of("counted", "connection closed", "server closed"), order);
        assertNotNull(accepted.get());
    }

    @Test
    void closeOnAServerThatIsNotListeningPassesErrServerNotRunningToTheCallback() {
        Server server = handles.add(Net.createServer());
        server.on(Server.CLOSE, mustCall(() -> {}));
        server.close(mustCall((NetException e) -> {
            assertNotNull(e);
            assertEquals("ERR_SERVER_NOT_RUNNING", e.code());
            assertEquals("Server is not running.", e.getMessage());
        }));
        awaitCalls();
    }

    @Test
    void closingTwiceGivesTheSecondCallbackErrServerNotRunning() {
        Server server = handles.add(Net.createServer());
        listen(server, "127.0.0.1");
        server.close(mustCall((NetException e) -> assertNull(e)));
        server.close(mustCall((NetException e) -> assertEquals("ERR_SERVER_NOT_RUNNING", e.code())));
        awaitCalls();
    }

    // ---- getConnections --------------------------------------------------------------------

    @Test
    void getConnectionsCountsTheOpenConnections() {
        List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
        Server server = handles.add(Net.createServer());
        int port = listen(server, "127.0.0.1");
        server.getConnections(mustCall((NetException e, Integer n) -> assertEquals(0, n)));
        awaitCalls();
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            accepted.add(s);
            s.resume();
        }, 3));

        Socket first = client(port);
        client(port);
        client(port);
        awaitCalls();
        AtomicInteger count = new AtomicInteger(-1);
        server.getConnections(mustCall((NetException e, Integer n) -> {
            assertNull(e);
            count.set(n);
        }));
        awaitCalls();
        assertEquals(3, count.get());

        Socket firstAccepted = accepted.stream()
                .filter(s -> s.remotePort() == first.localPort()).findFirst().orElseThrow();
        firstAccepted.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        first.end();
        awaitCalls();
        server.getConnections(mustCall((NetException e, Integer n) -> count.set(n)));
        awaitCalls();
        assertEquals(2, count.get());
        server.on(Server.CLOSE, mustCall(() -> {}));
        handles.closeAll();
        awaitCalls();
    }

    // ---- maxConnections --------------------------------------------------------------------

    @Test
    void connectionsBeyondMaxConnectionsAreDroppedWithADropEventAndTheClientSeesTheClose() {
        Server server = handles.add(Net.createServer());
        assertEquals(-1, server.maxConnections(), "no limit by default");
        server.maxConnections(1);
        assertEquals(1, server.maxConnections());
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, mustCall((Socket s) -> s.resume()));

        Socket kept = client(port, k -> k.on(Socket.CONNECT, mustCall(() -> {})));
        awaitCalls();
        server.getConnections(mustCall((NetException e, Integer n) -> assertEquals(1, n)));
        awaitCalls();

        AtomicReference<DropInfo> drop = new AtomicReference<>();
        AtomicInteger droppedLocalPort = new AtomicInteger();
        server.on(Server.DROP, mustCall(drop::set));
        client(port, extra -> {
            extra.on(Socket.CONNECT, mustCall(() -> droppedLocalPort.set(extra.localPort())));
            extra.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        });
        awaitCalls();
        assertEquals(new DropInfo("127.0.0.1", port, "IPv4", "127.0.0.1", droppedLocalPort.get(), "IPv4"),
                drop.get());
        assertFalse(kept.destroyed(), "the connection under the limit stays");

        kept.destroy();
        close(server);
    }

    @Test
    void aUnixServerDropsWithoutAddresses() {
        Path path = dir.resolve("drop.sock");
        Server server = handles.add(Net.createServer());
        server.maxConnections(1);
        listenUnix(server, path);
        server.on(Server.CONNECTION, mustCall((Socket s) -> s.resume()));
        Socket kept = handles.add(new Socket());
        kept.resume();
        kept.connect(path.toString(), mustCall(() -> {}));
        awaitCalls();
        server.getConnections(mustCall((NetException e, Integer n) -> assertEquals(1, n)));
        awaitCalls();

        server.on(Server.DROP, mustCall((DropInfo d) ->
                assertEquals(new DropInfo(null, -1, null, null, -1, null), d)));
        Socket extra = handles.add(new Socket());
        extra.resume();
        extra.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        extra.connect(path.toString());
        awaitCalls();
        kept.destroy();
        close(server);
    }

    @Test
    void maxConnectionsZeroDropsEveryConnection() {
        Server server = handles.add(Net.createServer(mustNotCall()));
        server.maxConnections(0);
        int port = listen(server, "127.0.0.1");
        server.on(Server.DROP, mustCall((DropInfo d) -> assertEquals(port, d.localPort()), 2));
        client(port, c -> c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {})));
        client(port, c -> c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {})));
        awaitCalls();
        close(server);
    }

    // ---- blockList -------------------------------------------------------------------------

    @Test
    void aBlockedAddressIsClosedAtOnceAndNeverReachesTheConnectionListener() {
        BlockList blocked = new BlockList();
        blocked.addAddress("127.0.0.1", "ipv4");
        Server server = handles.add(Net.createServer(new ServerOptions().blockList(blocked), mustNotCall()));
        int port = listen(server, "127.0.0.1");

        client(port, c -> {
            c.on(Socket.DATA, mustNotCall());
            c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        });
        awaitCalls();
        server.getConnections(mustCall((NetException e, Integer n) -> assertEquals(0, n)));
        awaitCalls();
        close(server);
    }

    @Test
    void anAddressTheBlockListDoesNotNameIsAccepted() {
        BlockList blocked = new BlockList();
        blocked.addAddress("127.0.0.1", "ipv4");
        AtomicReference<String> remote = new AtomicReference<>();
        Server server = handles.add(Net.createServer(new ServerOptions().blockList(blocked), null));
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            remote.set(s.remoteAddress());
            s.destroy();
        }));
        // All of 127.0.0.0/8 is loopback on Linux; 127.0.0.2 is not on the list.
        Socket c = handles.add(new Socket());
        c.resume();
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        c.connect(new ConnectOptions().port(port).host("127.0.0.1").localAddress("127.0.0.2"));
        awaitCalls();
        assertEquals("127.0.0.2", remote.get());
        close(server);
    }

    // ---- ref and unref (child JVMs running NetLifetimeMain) ---------------------------------

    @Test
    void aListeningServerKeepsMainAliveUntilItCloses() throws Exception {
        List<String> lines = runUntilConnectionServed("listen");
        assertTrue(lines.contains("main returned"), lines.toString());
        assertTrue(lines.contains("connection"), lines.toString());
    }

    @Test
    void anUnreferencedServerDoesNotKeepTheJvmAlive() throws Exception {
        List<String> lines = runToExit("unref");
        assertEquals("main returned", lines.getFirst(), lines.toString());
    }

    @Test
    void refAfterUnrefKeepsTheJvmAliveAgain() throws Exception {
        List<String> lines = runUntilConnectionServed("unref-then-ref");
        assertTrue(lines.contains("connection"), lines.toString());
    }

    @Test
    void aServerOnTwoLoopsKeepsTheJvmAliveUntilClosedAndTheExtraLoopDoesNotHoldIt() throws Exception {
        List<String> lines = runUntilConnectionServed("two-loops");
        assertTrue(lines.contains("connection"), lines.toString());
    }

    @Test
    void aServerClosedRightAfterListenLetsTheJvmExit() throws Exception {
        List<String> lines = runToExit("listen-then-close");
        assertTrue(lines.contains("closed"), lines.toString());
    }

    private static Process startChild(String scenario) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                NetLifetimeMain.class.getName(), scenario)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    /** Runs a scenario that must exit by itself; returns its output lines. */
    private static List<String> runToExit(String scenario) throws Exception {
        Process child = startChild(scenario);
        try {
            child.getOutputStream().close();
            if (!child.waitFor(CHILD_GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the child JVM for '" + scenario + "' did not exit: something keeps it alive");
            }
            assertEquals(0, child.exitValue(), "exit status of the child JVM");
            return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } finally {
            child.destroyForcibly();
            child.getInputStream().close();
        }
    }

    /**
     * Runs a scenario whose server must still be there when we connect: the child prints
     * {@code listening <port>}, we connect (a JVM that exited refuses it and fails the test), the
     * child's server closes on that connection and the JVM must then exit by itself.
     */
    private static List<String> runUntilConnectionServed(String scenario) throws Exception {
        Process child = startChild(scenario);
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             OutputStream in = child.getOutputStream()) {
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("listening ")) {
                    port = Integer.parseInt(line.substring("listening ".length()));
                }
            }
            assertTrue(port > 0, "the child printed no port: " + lines);
            // An ffm-net client: java.net.Socket would leave the JDK's pre-close socket open,
            // which the leak check would count against this class.
            Socket peer = new Socket();
            peer.on(Socket.CONNECT, mustCall(() -> {}));
            peer.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));  // the child's server closed it
            peer.resume();
            peer.connect(port, "127.0.0.1");
            awaitCalls();
            if (!child.waitFor(CHILD_GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the child JVM for '" + scenario + "' did not exit after its server closed");
            }
            assertEquals(0, child.exitValue(), "exit status of the child JVM");
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
            }
            return lines;
        } finally {
            child.destroyForcibly();
        }
    }
}
