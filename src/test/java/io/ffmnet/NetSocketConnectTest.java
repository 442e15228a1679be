package io.ffmnet;

import io.ffmnet.internal.stream.Tcp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.NetServerTestKit.close;
import static io.ffmnet.NetServerTestKit.closedPort;
import static io.ffmnet.NetServerTestKit.listen;
import static io.ffmnet.NetServerTestKit.listenUnix;
import static io.ffmnet.NetServerTestKit.onLoop;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_TCP;
import static io.ffmnet.internal.sys.SysConstants.SOL_SOCKET;
import static io.ffmnet.internal.sys.SysConstants.SO_KEEPALIVE;
import static io.ffmnet.internal.sys.SysConstants.TCP_KEEPIDLE;
import static io.ffmnet.internal.sys.SysConstants.TCP_NODELAY;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code net.createConnection()} / {@code socket.connect()} in every shape, the events of
 * connecting in order, the state getters along the way, and connect failures with Node's error
 * fields (test-net-connect-*, test-net-socket-ready-without-cb, test-net-dns-lookup,
 * test-net-better-error-messages-*).
 *
 * <p>Sockets whose listeners must be in place before anything can happen are made on the loop
 * thread ({@code onLoop}) or with {@code new Socket()} and listeners added before
 * {@code connect}: the loop cannot run their events before the test registered them.
 */
@Timeout(120)
class NetSocketConnectTest {
    @TempDir
    Path dir;

    private final NetServerTestKit.Handles handles = new NetServerTestKit.Handles();

    @AfterEach
    void closeHandles() {
        handles.closeAll();
    }

    /** A server whose connections read and end when the client ends (Node's default). */
    private Server server() {
        return handles.add(Net.createServer());
    }

    /** After listening: every accepted socket reads, so it sees the client's FIN and closes. */
    private static void acceptAndRead(Server server, int connections) {
        server.on(Server.CONNECTION, mustCall((Socket s) -> s.resume(), connections));
    }

    /** Ends {@code client} once connected and waits for its CLOSE and the server's connection. */
    private void expectConnectedThenClosed(Socket client) {
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        client.resume();
    }

    // ---- the shapes ------------------------------------------------------------------------

    @Test
    void createConnectionWithOnlyAPortConnectsToLocalhost() {
        Server server = server();
        int port = listen(server, (String) null);
        acceptAndRead(server, 1);
        onLoop(() -> {
            Socket c = handles.add(Net.createConnection(port));
            c.on(Socket.CONNECT, mustCall(() -> {
                assertEquals(port, c.remotePort());
                c.end();
            }));
            expectConnectedThenClosed(c);
        });
        awaitCalls();
        close(server);
    }

    @Test
    void createConnectionWithAPortAndAHostConnectsThere() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        acceptAndRead(server, 2);
        onLoop(() -> {
            Socket c = handles.add(Net.createConnection(port, "127.0.0.1"));
            c.on(Socket.CONNECT, mustCall(() -> {
                assertEquals("127.0.0.1", c.remoteAddress());
                c.end();
            }));
            expectConnectedThenClosed(c);
            Socket viaConnect = handles.add(Net.connect(port, "127.0.0.1"));
            viaConnect.on(Socket.CONNECT, mustCall(() -> viaConnect.end()));
            expectConnectedThenClosed(viaConnect);
        });
        awaitCalls();
        close(server);
    }

    @Test
    void theConnectListenerReceivesTheSocketAndRunsOnce() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        acceptAndRead(server, 3);
        AtomicReference<Socket> made = new AtomicReference<>();
        AtomicReference<Socket> madeByConnect = new AtomicReference<>();
        AtomicReference<Socket> byPort = new AtomicReference<>();
        onLoop(() -> {
            made.set(handles.add(Net.createConnection(port, "127.0.0.1", mustCall((Socket s) -> {
                assertSame(made.get(), s);
                assertEquals(0, s.listenerCount(Socket.CONNECT), "the listener was a once-listener");
                s.end();
            }))));
            expectConnectedThenClosed(made.get());
            madeByConnect.set(handles.add(Net.connect(new ConnectOptions().port(port).host("127.0.0.1"),
                    mustCall((Socket s) -> {
                        assertSame(madeByConnect.get(), s);
                        s.end();
                    }))));
            expectConnectedThenClosed(madeByConnect.get());
            // Port only: localhost, which is 127.0.0.1 here and where the server listens.
            byPort.set(handles.add(Net.createConnection(new ConnectOptions().port(port).family(4),
                    mustCall((Socket s) -> {
                        assertSame(byPort.get(), s);
                        s.end();
                    }))));
            expectConnectedThenClosed(byPort.get());
        });
        awaitCalls();
        close(server);
    }

    @Test
    void socketConnectWithACallbackRunsItOnConnect() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        acceptAndRead(server, 1);
        Socket c = handles.add(new Socket());
        expectConnectedThenClosed(c);
        assertSame(c, c.connect(port, "127.0.0.1", mustCall(() -> c.end())));
        awaitCalls();
        close(server);
    }

    @Test
    void createConnectionWithAPathConnectsToAUnixServer() {
        Path path = dir.resolve("connect.sock");
        Server server = server();
        listenUnix(server, path);
        acceptAndRead(server, 2);
        AtomicReference<Socket> made = new AtomicReference<>();
        onLoop(() -> {
            made.set(handles.add(Net.createConnection(path.toString(), mustCall((Socket s) -> {
                assertSame(made.get(), s);
                assertEquals(path.toString(), s.remoteAddress());
                assertEquals("unix", s.remoteFamily());
                s.end();
            }))));
            expectConnectedThenClosed(made.get());
            Socket byOptions = handles.add(Net.createConnection(new ConnectOptions().path(path.toString())));
            byOptions.on(Socket.CONNECT, mustCall(() -> byOptions.end()));
            expectConnectedThenClosed(byOptions);
        });
        awaitCalls();
        close(server);
    }

    @Test
    void localAddressAndLocalPortBindTheClientEnd() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        int localPort = closedPort();
        AtomicReference<String> seenByServer = new AtomicReference<>();
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            seenByServer.set(s.remoteAddress() + ":" + s.remotePort());
            s.resume();
        }));
        Socket c = handles.add(new Socket());
        c.on(Socket.CONNECT, mustCall(() -> {
            assertEquals("127.0.0.1", c.localAddress());
            assertEquals(localPort, c.localPort());
            c.end();
        }));
        expectConnectedThenClosed(c);
        c.connect(new ConnectOptions().port(port).host("127.0.0.1").localAddress("127.0.0.1").localPort(localPort));
        awaitCalls();
        assertEquals("127.0.0.1:" + localPort, seenByServer.get());
        close(server);
    }

    @Test
    void aLocalPortInUseIsABindErrorNamingTheLocalEnd() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        Server holder = server();
        int taken = listen(holder, "127.0.0.1");
        AtomicReference<NetException> error = new AtomicReference<>();
        Socket c = handles.add(new Socket());
        c.on(Socket.CONNECT, mustNotCall());
        c.on(Socket.ERROR, mustCall(error::set));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertTrue(hadError)));
        c.connect(new ConnectOptions().port(port).host("127.0.0.1").localAddress("127.0.0.1").localPort(taken));
        awaitCalls();
        NetException e = error.get();
        assertEquals("EADDRINUSE", e.code());
        assertEquals("bind", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(taken, e.port());
        assertEquals("bind EADDRINUSE 127.0.0.1:" + taken, e.getMessage());
        close(holder);
        close(server);
    }

    @Test
    void familyFourLooksUpOnlyIpv4Addresses() {
        Server server = server();
        int port = listen(server, (String) null);
        acceptAndRead(server, 1);
        Socket c = handles.add(new Socket());
        c.on(Socket.LOOKUP, mustCall((LookupResult r) -> {
            assertNull(r.error());
            assertEquals("IPv4", r.family());
            assertEquals("localhost", r.host());
        }));
        c.on(Socket.CONNECT, mustCall(() -> {
            assertEquals("IPv4", c.remoteFamily());
            c.end();
        }));
        expectConnectedThenClosed(c);
        c.connect(new ConnectOptions().port(port).host("localhost").family(4));
        awaitCalls();
        close(server);
    }

    @Test
    void familySixLooksUpOnlyIpv6Addresses() {
        Server server = server();
        int port = listen(server, (String) null);
        // Where /etc/hosts has no IPv6 localhost (as here) the lookup fails with ENOTFOUND;
        // where it has ::1 the socket connects over IPv6. Never to an IPv4 address.
        server.on(Server.CONNECTION, s -> s.resume());
        Socket c = handles.add(new Socket());
        c.on(Socket.LOOKUP, mustCall((LookupResult r) -> {
            if (r.error() == null) {
                assertEquals("IPv6", r.family());
            } else {
                assertEquals("ENOTFOUND", r.error().code());
            }
        }));
        c.on(Socket.CONNECT, () -> {
            assertEquals("IPv6", c.remoteFamily());
            c.end();
        });
        c.on(Socket.ERROR, e -> assertEquals("ENOTFOUND", e.code()));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        c.resume();
        c.connect(new ConnectOptions().port(port).host("localhost").family(6));
        awaitCalls();
        close(server);
    }

    @Test
    void timeoutOptionEmitsTimeoutWhenTheConnectionIsIdle() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        acceptAndRead(server, 1);
        Socket c = handles.add(new Socket());
        c.on(Socket.TIMEOUT, mustCall(() -> {
            assertFalse(c.destroyed(), "a timeout does not close the socket");
            c.end();
        }));
        expectConnectedThenClosed(c);
        c.connect(new ConnectOptions().port(port).host("127.0.0.1").timeout(50));
        awaitCalls();
        close(server);
    }

    @Test
    void noDelayAndKeepAliveOptionsAreSetOnTheConnectedSocket() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        acceptAndRead(server, 1);
        Socket c = handles.add(new Socket());
        c.on(Socket.CONNECT, mustCall(() -> {
            var loop = EventLoop.getDefault().loop;
            int fd = c.handle.fd();
            assertEquals(1, Tcp.getIntOption(loop, fd, IPPROTO_TCP, TCP_NODELAY), "TCP_NODELAY");
            assertEquals(1, Tcp.getIntOption(loop, fd, SOL_SOCKET, SO_KEEPALIVE), "SO_KEEPALIVE");
            assertEquals(7, Tcp.getIntOption(loop, fd, IPPROTO_TCP, TCP_KEEPIDLE), "TCP_KEEPIDLE in seconds");
            c.end();
        }));
        expectConnectedThenClosed(c);
        c.connect(new ConnectOptions().port(port).host("127.0.0.1")
                .noDelay(true).keepAlive(true).keepAliveInitialDelay(7000));
        awaitCalls();
        close(server);
    }

    @Test
    void aBadPortThrowsErrSocketBadPortAtOnce() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Net.createConnection(70000, "127.0.0.1"));
        assertEquals("ERR_SOCKET_BAD_PORT", e.code());
        assertEquals("Port should be >= 0 and < 65536. Received type number (70000).", e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> new Socket().connect(-1));
    }

    // ---- events in order -------------------------------------------------------------------

    @Test
    void aHostNameEmitsLookupThenConnectThenReady() {
        Server server = server();
        int port = listen(server, (String) null);
        acceptAndRead(server, 1);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Socket c = handles.add(new Socket());
        c.on(Socket.LOOKUP, mustCall((LookupResult r) -> {
            events.add("lookup");
            assertEquals(new LookupResult(null, "127.0.0.1", "IPv4", "localhost"), r);
            assertTrue(c.connecting());
        }));
        c.on(Socket.CONNECT, mustCall(() -> events.add("connect")));
        c.on(Socket.READY, mustCall(() -> {
            events.add("ready");
            c.end();
        }));
        expectConnectedThenClosed(c);
        c.connect(port, "localhost");
        awaitCalls();
        assertEquals(List.of("lookup", "connect", "ready"), events);
        close(server);
    }

    @Test
    void anIpLiteralIsNotLookedUp() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        acceptAndRead(server, 1);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Socket c = handles.add(new Socket());
        c.on(Socket.LOOKUP, mustNotCall());
        c.on(Socket.CONNECT, mustCall(() -> events.add("connect")));
        c.on(Socket.READY, mustCall(() -> {
            events.add("ready");
            c.end();
        }));
        expectConnectedThenClosed(c);
        c.connect(port, "127.0.0.1");
        awaitCalls();
        assertEquals(List.of("connect", "ready"), events);
        close(server);
    }

    // ---- failures --------------------------------------------------------------------------

    @Test
    void aRefusedConnectionIsOneErrorWithNodesFieldsThenCloseTrue() {
        int port = closedPort();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<NetException> error = new AtomicReference<>();
        Socket c = handles.add(new Socket());
        c.on(Socket.CONNECT, mustNotCall());
        c.on(Socket.ERROR, mustCall((NetException e) -> {
            events.add("error");
            error.set(e);
        }));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> events.add("close " + hadError)));
        c.connect(port, "127.0.0.1");
        awaitCalls();
        assertEquals(List.of("error", "close true"), events);
        NetException e = error.get();
        assertEquals("ECONNREFUSED", e.code());
        assertEquals(-111, e.errno());
        assertEquals("connect", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(port, e.port());
        assertEquals("connect ECONNREFUSED 127.0.0.1:" + port, e.getMessage());
        assertTrue(c.destroyed());
        assertFalse(c.connecting());
        assertEquals("closed", c.readyState());
    }

    @Test
    void anUnknownHostIsEnotfoundFromGetaddrinfo() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<NetException> error = new AtomicReference<>();
        Socket c = handles.add(new Socket());
        c.on(Socket.LOOKUP, mustCall((LookupResult r) -> {
            events.add("lookup");
            assertNotNull(r.error());
            assertNull(r.address());
            assertNull(r.family());
            assertEquals("nonexistent.invalid", r.host());
        }));
        c.on(Socket.CONNECT, mustNotCall());
        c.on(Socket.ERROR, mustCall((NetException e) -> {
            events.add("error");
            error.set(e);
        }));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> events.add("close " + hadError)));
        c.connect(80, "nonexistent.invalid");
        awaitCalls();
        assertEquals(List.of("lookup", "error", "close true"), events);
        NetException e = error.get();
        assertEquals("ENOTFOUND", e.code());
        assertEquals(-3008, e.errno());
        assertEquals("getaddrinfo", e.syscall());
        assertEquals("nonexistent.invalid", e.hostname());
        assertEquals("getaddrinfo ENOTFOUND nonexistent.invalid", e.getMessage());
    }

    @Test
    void aUnixPathThatDoesNotExistIsEnoent() {
        String path = dir.resolve("missing.sock").toString();
        AtomicReference<NetException> error = new AtomicReference<>();
        Socket c = handles.add(new Socket());
        c.on(Socket.ERROR, mustCall(error::set));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertTrue(hadError)));
        c.connect(path);
        awaitCalls();
        NetException e = error.get();
        assertEquals("ENOENT", e.code());
        assertEquals(-2, e.errno());
        assertEquals("connect", e.syscall());
        assertEquals(path, e.address());
        assertEquals(-1, e.port());
        assertEquals("connect ENOENT " + path, e.getMessage());
    }

    // ---- writes and end before the connection is up ----------------------------------------

    @Test
    void writesMadeBeforeConnectAreSentAfterConnectingInOrder() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            s.on(Socket.DATA, b -> received.writeBytes(b.toByteArray()));
            s.on(Socket.END, mustCall(() -> {}));
        }));
        List<String> callbacks = Collections.synchronizedList(new ArrayList<>());
        Socket c = handles.add(new Socket());
        expectConnectedThenClosed(c);
        c.connect(port, "127.0.0.1");
        c.write("one ", mustCall((NetException e) -> callbacks.add("one " + e)));
        c.write("two ".getBytes(StandardCharsets.UTF_8), mustCall((NetException e) -> callbacks.add("two " + e)));
        Buffer three = Buffer.from("three");
        c.write(three, mustCall((NetException e) -> callbacks.add("three " + e)));
        three.release();  // write() took its own reference until the bytes are written
        c.end();
        awaitCalls();
        assertEquals("one two three", received.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("one null", "two null", "three null"), callbacks);
        assertEquals(13, c.bytesWritten());
        close(server);
    }

    @Test
    void endWithDataBeforeConnectSendsTheDataThenFin() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            s.on(Socket.DATA, b -> seen.add("data " + b));
            s.on(Socket.END, mustCall(() -> seen.add("end")));
        }));
        Socket c = handles.add(new Socket());
        c.on(Socket.FINISH, mustCall(() -> {}));
        expectConnectedThenClosed(c);
        c.connect(port, "127.0.0.1");
        c.end("bye");
        awaitCalls();
        assertEquals(List.of("data bye", "end"), seen);
        close(server);
    }

    // ---- state and addresses ---------------------------------------------------------------

    @Test
    void pendingConnectingAndReadyStateFollowTheConnection() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        acceptAndRead(server, 1);
        List<String> states = Collections.synchronizedList(new ArrayList<>());
        onLoop(() -> {
            Socket c = handles.add(new Socket());
            states.add("new " + c.pending() + " " + c.connecting() + " " + c.readyState());
            c.connect(port, "127.0.0.1");
            states.add("connect() " + c.pending() + " " + c.connecting() + " " + c.readyState());
            c.on(Socket.CONNECT, mustCall(() -> {
                states.add("connected " + c.pending() + " " + c.connecting() + " " + c.readyState());
                c.end();
                states.add("end() " + c.readyState());
            }));
            c.on(Socket.END, mustCall(() -> states.add("peer ended")));
            c.on(Socket.CLOSE, mustCall((Boolean hadError) ->
                    states.add("closed " + c.readyState() + " " + c.destroyed())));
            c.resume();
        });
        awaitCalls();
        assertEquals(List.of(
                "new true false closed",
                "connect() true true opening",
                "connected false false open",
                "end() readOnly",
                "peer ended",
                "closed closed true"), states);
        close(server);
    }

    @Test
    void addressesAreReportedAndOnlyAddressIsGoneAfterClose() {
        Server server = server();
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            s.resume();
            s.end("hello");
        }));
        AtomicInteger localPort = new AtomicInteger();
        Socket c = handles.add(new Socket());
        c.on(Socket.CONNECT, mustCall(() -> {
            assertEquals("127.0.0.1", c.remoteAddress());
            assertEquals(port, c.remotePort());
            assertEquals("IPv4", c.remoteFamily());
            assertEquals("127.0.0.1", c.localAddress());
            localPort.set(c.localPort());
            assertTrue(localPort.get() > 0);
            assertNotEquals(port, localPort.get());
            assertEquals(new AddressInfo("127.0.0.1", "IPv4", localPort.get()), c.address());
            c.write("ping");
        }));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        c.resume();
        c.connect(port, "127.0.0.1");
        awaitCalls();
        assertNull(c.address(), "address() after close");
        assertEquals("127.0.0.1", c.remoteAddress());
        assertEquals(port, c.remotePort());
        assertEquals("IPv4", c.remoteFamily());
        assertEquals(5, c.bytesRead());
        assertEquals(4, c.bytesWritten());
        close(server);
    }

    @Test
    void ipv6LoopbackConnects() {
        Server server = server();
        int port = listen(server, "::1");
        assertEquals(new AddressInfo("::1", "IPv6", port), server.address());
        AtomicReference<String> seenByServer = new AtomicReference<>();
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            seenByServer.set(s.remoteFamily() + " " + s.remoteAddress());
            s.resume();
        }));
        Socket c = handles.add(new Socket());
        c.on(Socket.LOOKUP, mustNotCall());
        c.on(Socket.CONNECT, mustCall(() -> {
            assertEquals("::1", c.remoteAddress());
            assertEquals("IPv6", c.remoteFamily());
            assertEquals(new AddressInfo("::1", "IPv6", c.localPort()), c.address());
            c.end();
        }));
        expectConnectedThenClosed(c);
        c.connect(port, "::1");
        awaitCalls();
        assertEquals("IPv6 ::1", seenByServer.get());
        close(server);
    }
}
