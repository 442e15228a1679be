package io.ffmnet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.NetServerTestKit.close;
import static io.ffmnet.NetServerTestKit.listen;
import static io.ffmnet.NetServerTestKit.listenUnix;
import static io.ffmnet.NetServerTestKit.onLoop;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Node's {@code server.listen()} in every shape, its address, and its failures (Node's
 * test-net-listen-*, test-net-server-address, test-net-pipe-*): failures are ERROR events on a
 * later tick, argument errors are thrown at once.
 */
@Timeout(120)
class NetServerListenTest {
    @TempDir
    Path dir;

    private final NetServerTestKit.Handles handles = new NetServerTestKit.Handles();

    @AfterEach
    void closeHandles() {
        handles.closeAll();
    }

    /** Connects to {@code port} on {@code host} and waits until the server saw the connection. */
    private void connectAndExpectConnection(Server server, String host, int port) {
        AtomicReference<Socket> accepted = new AtomicReference<>();
        server.once(Server.CONNECTION, mustCall((Socket s) -> {
            accepted.set(s);
            s.destroy();
        }));
        Socket client = handles.add(new Socket());
        client.on(Socket.ERROR, mustNotCall());
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        client.resume();
        client.connect(port, host);
        awaitCalls();
        assertNotNull(accepted.get());
    }

    // ---- the shapes ------------------------------------------------------------------------

    @Test
    void listenWithOnlyAPortEmitsListeningAndTakesConnections() {
        Server server = handles.add(Net.createServer());
        server.on(Server.LISTENING, mustCall(() -> assertTrue(server.listening())));
        server.listen(0);
        awaitCalls();
        int port = server.address().port();
        assertTrue(port > 0, "port " + port);
        connectAndExpectConnection(server, "127.0.0.1", port);
        close(server);
    }

    @Test
    void listenWithAPortAndACallbackRunsTheCallbackOnListening() {
        Server server = handles.add(Net.createServer());
        server.listen(0, mustCall(() -> assertTrue(server.listening())));
        awaitCalls();
        assertTrue(server.address().port() > 0);
        close(server);
    }

    @Test
    void listenWithAPortAndAHostBindsThatHost() {
        Server server = handles.add(Net.createServer());
        server.listen(0, "127.0.0.1", mustCall(() -> {}));
        awaitCalls();
        AddressInfo a = server.address();
        assertEquals("127.0.0.1", a.address());
        assertEquals("IPv4", a.family());
        assertTrue(a.port() > 0);
        connectAndExpectConnection(server, "127.0.0.1", a.port());
        close(server);
    }

    @Test
    void listenWithAPortAHostAndABacklogBindsThatHost() {
        Server server = handles.add(Net.createServer());
        server.listen(0, "127.0.0.1", 5, mustCall(() -> {}));
        awaitCalls();
        assertEquals("127.0.0.1", server.address().address());
        connectAndExpectConnection(server, "127.0.0.1", server.address().port());
        close(server);
    }

    @Test
    void listenWithAHostNameResolvesItFirst() {
        Server server = handles.add(Net.createServer());
        server.listen(new ListenOptions().port(0).host("localhost"), mustCall(() -> {}));
        awaitCalls();
        // /etc/hosts maps localhost to 127.0.0.1 on Linux; ::1 where it is listed first.
        String address = server.address().address();
        assertTrue(address.equals("127.0.0.1") || address.equals("::1"), address);
        close(server);
    }

    @Test
    void listenOnAPathMakesAUnixServerWhoseAddressIsThePath() {
        String path = dir.resolve("listen.sock").toString();
        Server server = handles.add(Net.createServer());
        server.listen(path, mustCall(() -> {}));
        awaitCalls();
        assertEquals(new AddressInfo(path, "unix", -1), server.address());
        assertTrue(Files.exists(Path.of(path)));

        server.once(Server.CONNECTION, mustCall((Socket s) -> s.destroy()));
        Socket client = handles.add(new Socket());
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        client.resume();
        client.connect(path);
        awaitCalls();
        close(server);
    }

    @Test
    void listenOptionsTakePortHostAndBacklog() {
        Server server = handles.add(Net.createServer());
        server.listen(new ListenOptions().port(0).host("127.0.0.1").backlog(16), mustCall(() -> {}));
        awaitCalls();
        assertEquals("127.0.0.1", server.address().address());
        close(server);
    }

    @Test
    void listenOptionsTakeAPath() {
        String path = dir.resolve("options.sock").toString();
        Server server = handles.add(Net.createServer());
        server.listen(new ListenOptions().path(path), mustCall(() -> {}));
        awaitCalls();
        assertEquals(new AddressInfo(path, "unix", -1), server.address());
        close(server);
    }

    @Test
    void ipv6OnlyLeavesTheIpv4PortFreeForAnotherServer() {
        Server v6 = handles.add(Net.createServer());
        v6.on(Server.ERROR, mustNotCall());
        v6.listen(new ListenOptions().port(0).host("::").ipv6Only(true), mustCall(() -> {}));
        awaitCalls();
        int port = v6.address().port();
        assertEquals(new AddressInfo("::", "IPv6", port), v6.address());

        // Without IPV6_V6ONLY the dual-stack socket owns the IPv4 port too, and this would fail
        // with EADDRINUSE (Node's test-net-listen-ipv6only).
        Server v4 = handles.add(Net.createServer());
        v4.on(Server.ERROR, mustNotCall());
        v4.listen(new ListenOptions().port(port).host("0.0.0.0"), mustCall(() -> {}));
        awaitCalls();

        v4.once(Server.CONNECTION, mustCall((Socket s) -> s.destroy()));
        v6.on(Server.CONNECTION, mustNotCall());
        Socket client = handles.add(new Socket());
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        client.resume();
        client.connect(port, "127.0.0.1");
        awaitCalls();
        close(v4);
        close(v6);
    }

    @Test
    void twoServersWithReusePortBothListenOnTheSamePort() {
        Server first = handles.add(Net.createServer());
        first.on(Server.ERROR, mustNotCall());
        first.listen(new ListenOptions().port(0).host("127.0.0.1").reusePort(true), mustCall(() -> {}));
        awaitCalls();
        int port = first.address().port();

        Server second = handles.add(Net.createServer());
        second.on(Server.ERROR, mustNotCall());
        second.listen(new ListenOptions().port(port).host("127.0.0.1").reusePort(true), mustCall(() -> {}));
        awaitCalls();
        assertEquals(port, second.address().port());
        close(first);
        close(second);
    }

    @Test
    void withoutReusePortASecondServerOnThePortFails() {
        Server first = handles.add(Net.createServer());
        int port = listen(first, "127.0.0.1");
        Server second = handles.add(Net.createServer());
        second.on(Server.ERROR, mustCall((NetException e) -> assertEquals("EADDRINUSE", e.code())));
        second.listen(new ListenOptions().port(port).host("127.0.0.1").reusePort(true), mustNotCall());
        awaitCalls();
        close(first);
    }

    @Test
    void readableAllAndWritableAllGiveEveryoneReadAndWriteOnTheSocketFile() throws IOException {
        Path plainPath = dir.resolve("plain.sock");
        Server plain = handles.add(Net.createServer());
        listenUnix(plain, plainPath);
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(plainPath);

        Path path = dir.resolve("all.sock");
        Server server = handles.add(Net.createServer());
        server.listen(new ListenOptions().path(path.toString()).readableAll(true).writableAll(true),
                mustCall(() -> {}));
        awaitCalls();
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        assertTrue(perms.containsAll(Set.of(
                PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE)),
                perms.toString());
        // libuv's uv_pipe_chmod only adds bits to the mode the file was created with.
        assertTrue(perms.containsAll(before), before + " -> " + perms);
        close(server);
        close(plain);
    }

    @Test
    void readableAllAloneAddsNoWritePermissionForOthers() throws IOException {
        Path path = dir.resolve("readable.sock");
        Server server = handles.add(Net.createServer());
        server.listen(new ListenOptions().path(path.toString()).readableAll(true), mustCall(() -> {}));
        awaitCalls();
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        assertTrue(perms.containsAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OTHERS_READ)), perms.toString());
        close(server);
    }

    // ---- the port and the address ----------------------------------------------------------

    @Test
    void portZeroPicksAFreePortAndTwoServersGetDifferentOnes() {
        Server a = handles.add(Net.createServer());
        Server b = handles.add(Net.createServer());
        int portA = listen(a, "127.0.0.1");
        int portB = listen(b, "127.0.0.1");
        assertTrue(portA > 0 && portB > 0);
        assertNotEquals(portA, portB);
        close(a);
        close(b);
    }

    @Test
    void withoutAHostTheServerListensOnTheDualStackAnyAddressAndTakesIpv4Clients() {
        Server server = handles.add(Net.createServer());
        int port = listen(server, (String) null);
        assertEquals(new AddressInfo("::", "IPv6", port), server.address());

        AtomicReference<String> remote = new AtomicReference<>();
        server.once(Server.CONNECTION, mustCall((Socket s) -> {
            remote.set(s.remoteFamily() + " " + s.remoteAddress());
            s.destroy();
        }));
        Socket client = handles.add(new Socket());
        client.on(Socket.CONNECT, mustCall(() -> assertEquals("IPv4", client.remoteFamily())));
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        client.resume();
        client.connect(port, "127.0.0.1");
        awaitCalls();
        // An IPv4 peer of a dual-stack socket is an IPv4-mapped IPv6 address, as in Node.
        assertEquals("IPv6 ::ffff:127.0.0.1", remote.get());
        close(server);
    }

    @Test
    void listeningIsEmittedOnALaterTickEvenWhenListenIsCalledOnTheLoopThread() {
        Server server = handles.add(Net.createServer());
        AtomicBoolean returned = new AtomicBoolean();
        onLoop(() -> {
            server.on(Server.LISTENING, mustCall(() -> assertTrue(returned.get(), "LISTENING inside listen()")));
            server.listen(0, "127.0.0.1", mustCall(() -> assertTrue(returned.get())));
            returned.set(true);
        });
        awaitCalls();
        close(server);
    }

    @Test
    void addressIsNullBeforeListenAndAfterClose() {
        Server server = handles.add(Net.createServer());
        assertNull(server.address());
        assertFalse(server.listening());
        listen(server, "127.0.0.1");
        assertNotNull(server.address());
        close(server);
        assertNull(server.address());
        assertFalse(server.listening());
    }

    @Test
    void theSocketFileIsRemovedOnClose() {
        Path path = dir.resolve("removed.sock");
        Server server = handles.add(Net.createServer());
        listenUnix(server, path);
        assertTrue(Files.exists(path));
        close(server);
        assertFalse(Files.exists(path));
    }

    // ---- failures --------------------------------------------------------------------------

    @Test
    void aPortInUseIsAnErrorEventWithNodesFieldsAndTheServerCanListenAgain() {
        Server first = handles.add(Net.createServer());
        int port = listen(first, "127.0.0.1");

        Server second = handles.add(Net.createServer());
        AtomicReference<NetException> error = new AtomicReference<>();
        second.on(Server.ERROR, mustCall((NetException e) -> {
            error.set(e);
            assertFalse(second.listening());
            assertNull(second.address());
        }));
        Runnable notListening = mustNotCall();
        second.listen(port, "127.0.0.1", notListening);
        awaitCalls();
        NetException e = error.get();
        assertEquals("EADDRINUSE", e.code());
        assertEquals(-98, e.errno());
        assertEquals("listen", e.syscall());
        assertEquals("127.0.0.1", e.address());
        assertEquals(port, e.port());
        assertEquals("listen EADDRINUSE: address already in use 127.0.0.1:" + port, e.getMessage());

        second.off(Server.LISTENING, notListening);
        int again = listen(second, "127.0.0.1");
        assertNotEquals(port, again);
        close(second);
        close(first);
    }

    @Test
    void anAddressThisHostDoesNotHaveIsEaddrnotavail() {
        Server server = handles.add(Net.createServer());
        server.on(Server.ERROR, mustCall((NetException e) -> {
            assertEquals("EADDRNOTAVAIL", e.code());
            assertEquals(-99, e.errno());
            assertEquals("listen", e.syscall());
            assertEquals("192.0.2.1", e.address());
            assertEquals(-1, e.port(), "port 0 is left out, as Node leaves it out");
            assertEquals("listen EADDRNOTAVAIL: address not available 192.0.2.1", e.getMessage());
        }));
        server.listen(0, "192.0.2.1", mustNotCall());
        awaitCalls();
        assertFalse(server.listening());
    }

    @Test
    void aPrivilegedPortIsEaccesForAnUnprivilegedUser() throws IOException {
        // /proc/self belongs to the process's user: uid 0 may bind any port.
        assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") != 0,
                "runs as root, who may bind port 80: EACCES cannot happen here");
        Path start = Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start");
        assumeTrue(!Files.exists(start) || Integer.parseInt(Files.readString(start).trim()) > 80,
                "net.ipv4.ip_unprivileged_port_start lets every user bind port 80");
        Server server = handles.add(Net.createServer());
        server.on(Server.ERROR, mustCall((NetException e) -> {
            assertEquals("EACCES", e.code());
            assertEquals("listen", e.syscall());
            assertEquals("listen EACCES: permission denied 127.0.0.1:80", e.getMessage());
        }));
        server.listen(80, "127.0.0.1", mustNotCall());
        awaitCalls();
    }

    @Test
    void aBadPortThrowsErrSocketBadPortWithNodesMessage() {
        Server server = Net.createServer();
        InvalidArgumentException high = assertThrows(InvalidArgumentException.class, () -> server.listen(70000));
        assertEquals("ERR_SOCKET_BAD_PORT", high.code());
        assertEquals("options.port should be >= 0 and < 65536. Received type number (70000).", high.getMessage());
        InvalidArgumentException negative = assertThrows(InvalidArgumentException.class,
                () -> server.listen(new ListenOptions().port(-1), null));
        assertEquals("ERR_SOCKET_BAD_PORT", negative.code());
        assertEquals("options.port should be >= 0 and < 65536. Received type number (-1).", negative.getMessage());
        assertThrows(InvalidArgumentException.class, () -> server.listen(65536, "127.0.0.1", null));
        assertFalse(server.listening());
    }

    @Test
    void listeningTwiceThrowsErrServerAlreadyListen() {
        Server server = handles.add(Net.createServer());
        listen(server, "127.0.0.1");
        InvalidStateException e = assertThrows(InvalidStateException.class, () -> server.listen(0));
        assertEquals("ERR_SERVER_ALREADY_LISTEN", e.code());
        assertEquals("Listen method has been called more than once without closing.", e.getMessage());
        close(server);
    }

    @Test
    void aServerCanListenAgainAfterItClosed() {
        Server server = handles.add(Net.createServer());
        listen(server, "127.0.0.1");
        close(server);
        assertTrue(listen(server, "127.0.0.1") > 0);
        close(server);
    }

    @Test
    void listeningOnAPathThatExistsIsEaddrinuse() throws IOException {
        Path path = dir.resolve("taken.sock");
        Files.writeString(path, "not a socket");
        Server server = handles.add(Net.createServer());
        server.on(Server.ERROR, mustCall((NetException e) -> {
            assertEquals("EADDRINUSE", e.code());
            assertEquals("listen", e.syscall());
            assertEquals(path.toString(), e.address());
            assertEquals(-1, e.port());
            assertEquals("listen EADDRINUSE: address already in use " + path, e.getMessage());
        }));
        server.listen(path.toString(), mustNotCall());
        awaitCalls();
        assertTrue(Files.exists(path), "a failed listen leaves someone else's file alone");
    }

    @Test
    void listeningOnThePathOfALiveUnixServerIsEaddrinuse() {
        Path path = dir.resolve("live.sock");
        Server first = handles.add(Net.createServer());
        listenUnix(first, path);
        Server second = handles.add(Net.createServer());
        second.on(Server.ERROR, mustCall((NetException e) -> assertEquals("EADDRINUSE", e.code())));
        second.listen(path.toString(), mustNotCall());
        awaitCalls();
        assertTrue(Files.exists(path));
        close(first);
    }
}
