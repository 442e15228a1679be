package io.ffmnet;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;

/**
 * Helpers of the server and connect tests (NetServer*Test, NetSocketConnectTest,
 * NetSocketHalfOpenTest, NetSocketDestroyTest): listening and closing with the wait done by
 * {@code Must.awaitCalls()}, running code on the loop, and a per-test list of handles closed
 * after the test even when it failed half-way, so that one failure does not also fail the
 * class's leak check.
 *
 * <p>The waiting helpers call {@code awaitCalls()}, which waits for every {@code mustCall} of the
 * test so far: register the expectations of later steps after calling them.
 */
final class NetServerTestKit {
    private NetServerTestKit() {}

    /** Handles a test opened; {@link #closeAll()} from an {@code @AfterEach}. */
    static final class Handles {
        private final List<Server> servers = new ArrayList<>();
        private final List<Socket> sockets = new ArrayList<>();

        /** Tracks the server and every connection it accepts. */
        synchronized Server add(Server server) {
            servers.add(server);
            server.on(Server.CONNECTION, this::add);
            return server;
        }

        synchronized Socket add(Socket socket) {
            sockets.add(socket);
            return socket;
        }

        /** Closes what is still open; a test that passed has closed everything already. */
        synchronized void closeAll() {
            for (Socket s : sockets) {
                if (!s.destroyed()) {
                    s.destroy();
                }
            }
            for (Server s : servers) {
                if (s.listening()) {
                    s.close();
                }
            }
            sockets.clear();
            servers.clear();
        }
    }

    /** Listens on port 0 of {@code host} (null: all addresses) and returns the port. */
    static int listen(Server server, String host) {
        server.listen(0, host, mustCall(() -> {}));
        awaitCalls();
        return server.address().port();
    }

    /** Listens on a Unix domain socket at {@code path} and waits for LISTENING. */
    static void listenUnix(Server server, Path path) {
        server.listen(path.toString(), mustCall(() -> {}));
        awaitCalls();
    }

    /** Closes the server and waits for its CLOSE (after its last connection ended). */
    static void close(Server server) {
        server.close(mustCall((NetException e) -> {
            if (e != null) {
                throw new AssertionError("close failed", e);
            }
        }));
        awaitCalls();
    }

    /** Runs {@code body} on the default loop and waits for it; what it throws fails the test. */
    static void onLoop(Runnable body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.join();
    }

    /** A port nothing listens on: one the kernel gave a server that is closed again. */
    static int closedPort() {
        Server server = Net.createServer();
        int port = listen(server, "127.0.0.1");
        close(server);
        return port;
    }

    /** The SHA-256 of {@code bytes}, as hex. */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
