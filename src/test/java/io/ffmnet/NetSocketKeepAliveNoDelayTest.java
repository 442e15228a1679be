package io.ffmnet;

import io.ffmnet.SocketTestSupport.TestServer;
import io.ffmnet.internal.stream.Tcp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoopGet;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_TCP;
import static io.ffmnet.internal.sys.SysConstants.SOL_SOCKET;
import static io.ffmnet.internal.sys.SysConstants.SO_KEEPALIVE;
import static io.ffmnet.internal.sys.SysConstants.TCP_KEEPIDLE;
import static io.ffmnet.internal.sys.SysConstants.TCP_NODELAY;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code setNoDelay} and {@code setKeepAlive}, read back from the kernel with getsockopt: set
 * after connecting, set before (applied once connected, as Node does), through
 * {@code ConnectOptions} and {@code ServerOptions}; harmless on Unix sockets and after close.
 */
@Timeout(120)
class NetSocketKeepAliveNoDelayTest {
    @TempDir
    Path dir;

    /** An int socket option of {@code socket}, read on its loop (test only). */
    private static int option(Socket socket, int level, int name) {
        return onLoopGet(() -> Tcp.getIntOption(socket.loop(), socket.handle.fd(), level, name));
    }

    private static int noDelay(Socket s) {
        return option(s, IPPROTO_TCP, TCP_NODELAY) != 0 ? 1 : 0;
    }

    private static int keepAlive(Socket s) {
        return option(s, SOL_SOCKET, SO_KEEPALIVE) != 0 ? 1 : 0;
    }

    @Test
    void setNoDelayTogglesTcpNoDelay() {
        TestServer server = server(s -> {});
        Socket client = connect(server.port);
        assertEquals(0, noDelay(client), "Nagle on by default for net sockets");
        client.setNoDelay(true);
        assertEquals(1, noDelay(client));
        client.setNoDelay(false);
        assertEquals(0, noDelay(client));
        client.setNoDelay();
        assertEquals(1, noDelay(client), "setNoDelay() means true, as in Node");
        destroyAll(client);
        server.close();
    }

    @Test
    void setKeepAliveTogglesSoKeepAliveWithTheInitialDelayInSeconds() {
        TestServer server = server(s -> {});
        Socket client = connect(server.port);
        assertEquals(0, keepAlive(client));
        client.setKeepAlive(true, 5_000);
        assertEquals(1, keepAlive(client));
        assertEquals(5, option(client, IPPROTO_TCP, TCP_KEEPIDLE));
        client.setKeepAlive(false);
        assertEquals(0, keepAlive(client));
        destroyAll(client);
        server.close();
    }

    @Test
    void optionsSetBeforeConnectingApplyOnceConnected() {
        TestServer server = server(s -> {});
        Socket client = new Socket();
        client.setNoDelay(true);
        client.setKeepAlive(true, 7_000);
        CompletableFuture<int[]> atConnect = new CompletableFuture<>();
        client.connect(server.port, "127.0.0.1", () -> atConnect.complete(new int[] {
                Tcp.getIntOption(client.loop(), client.handle.fd(), IPPROTO_TCP, TCP_NODELAY) != 0 ? 1 : 0,
                Tcp.getIntOption(client.loop(), client.handle.fd(), SOL_SOCKET, SO_KEEPALIVE) != 0 ? 1 : 0,
                Tcp.getIntOption(client.loop(), client.handle.fd(), IPPROTO_TCP, TCP_KEEPIDLE)}));
        int[] seen = await(atConnect);
        assertEquals(1, seen[0], "TCP_NODELAY in the connect listener");
        assertEquals(1, seen[1], "SO_KEEPALIVE in the connect listener");
        assertEquals(7, seen[2]);
        destroyAll(client);
        server.close();
    }

    @Test
    void connectOptionsNoDelayAndKeepAliveApply() {
        TestServer server = server(s -> {});
        Socket client = connect(new ConnectOptions().port(server.port).host("127.0.0.1")
                .noDelay(true).keepAlive(true).keepAliveInitialDelay(3_000));
        assertEquals(1, noDelay(client));
        assertEquals(1, keepAlive(client));
        assertEquals(3, option(client, IPPROTO_TCP, TCP_KEEPIDLE));
        destroyAll(client);
        server.close();
    }

    @Test
    void serverOptionsApplyToAcceptedSockets() {
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        TestServer server = server(new ServerOptions().noDelay(true).keepAlive(true).keepAliveInitialDelay(9_000),
                accepted::complete);
        Socket client = connect(server.port);
        Socket peer = await(accepted);
        assertEquals(1, noDelay(peer));
        assertEquals(1, keepAlive(peer));
        assertEquals(9, option(peer, IPPROTO_TCP, TCP_KEEPIDLE));
        assertEquals(0, noDelay(client), "the client is untouched");
        destroyAll(client, peer);
        server.close();
    }

    @Test
    void onAUnixSocketAndAfterCloseTheSettersAreHarmless() {
        String path = dir.resolve("ka.sock").toString();
        Server server = Net.createServer(s -> s.destroy());
        CompletableFuture<Void> listening = new CompletableFuture<>();
        server.listen(path, () -> listening.complete(null));
        await(listening);
        Socket client = new Socket();
        client.on(Socket.ERROR, mustNotCall());
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> {
            client.setNoDelay(true);  // after close: no throw, nothing to set
            client.setKeepAlive(true, 1);
            client.setTimeout(10);
        }));
        client.setNoDelay(true).setKeepAlive(true, 1_000);
        client.connect(path, mustCall(() -> {
            client.setNoDelay(false);
            client.setKeepAlive(false);
        }));
        awaitCalls();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        server.close(e -> closed.complete(null));
        await(closed);
    }
}
