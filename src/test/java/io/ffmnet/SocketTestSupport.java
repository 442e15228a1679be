package io.ffmnet;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Small helpers shared by the socket behaviour tests: running code on the default loop, a
 * listening server on 127.0.0.1 port 0 that remembers its accepted sockets (so a test can close
 * everything it opened), byte collectors and digests. Waits here only bound a broken test.
 */
final class SocketTestSupport {
    /** How long a helper waits for the loop before failing the test (a hang guard, not a measure). */
    static final long HANG_GUARD_SECONDS = 60;

    private SocketTestSupport() {}

    /** Runs {@code body} on the default loop and waits for it; what it throws fails the test. */
    static void onLoop(Runnable body) {
        onLoopGet(() -> {
            body.run();
            return null;
        });
    }

    /** Runs {@code body} on the default loop and returns its result. */
    static <T> T onLoopGet(Supplier<T> body) {
        CompletableFuture<T> done = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> {
            try {
                done.complete(body.get());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return await(done);
    }

    /** Waits for {@code future}, unwrapping its failure. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new AssertionError(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("still waiting after " + HANG_GUARD_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A server on 127.0.0.1 that keeps its accepted sockets, so {@link #close} can end them all. */
    static final class TestServer {
        final Server server;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final int port;

        TestServer(ServerOptions options, Consumer<Socket> onConnection) {
            server = Net.createServer(options, socket -> {
                accepted.add(socket);
                onConnection.accept(socket);
            });
            CompletableFuture<Integer> listening = new CompletableFuture<>();
            server.on(Server.ERROR, listening::completeExceptionally);
            server.listen(0, "127.0.0.1", () -> listening.complete(server.address().port()));
            port = await(listening);
        }

        /** Destroys every accepted socket still open, closes the server and waits for its CLOSE. */
        void close() {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            onLoop(() -> {
                for (Socket s : accepted) {
                    s.destroy();
                }
                server.close(e -> closed.complete(null));
            });
            await(closed);
        }
    }

    static TestServer server(Consumer<Socket> onConnection) {
        return new TestServer(new ServerOptions(), onConnection);
    }

    static TestServer server(ServerOptions options, Consumer<Socket> onConnection) {
        return new TestServer(options, onConnection);
    }

    /** Connects to {@code port} on 127.0.0.1 and waits until connected. */
    static Socket connect(int port) {
        return connect(new ConnectOptions().port(port).host("127.0.0.1"));
    }

    static Socket connect(ConnectOptions options) {
        return connect(options, false);
    }

    /**
     * Connects a socket paused before it connected: as in Node (no {@code read(0)} after
     * connecting), it then reads nothing at all until resumed, so it learns of the peer only
     * through its writes.
     */
    static Socket connectPaused(int port) {
        return connect(new ConnectOptions().port(port).host("127.0.0.1"), true);
    }

    private static Socket connect(ConnectOptions options, boolean paused) {
        CompletableFuture<Socket> connected = new CompletableFuture<>();
        Socket s = new Socket(new SocketOptions().allowHalfOpen(options.allowHalfOpen())
                .highWaterMark(options.highWaterMark()));
        if (paused) {
            s.pause();
        }
        Consumer<NetException> failed = connected::completeExceptionally;
        s.once(Socket.ERROR, failed);  // before connecting, so a fast failure is not missed
        s.connect(options, () -> {
            s.off(Socket.ERROR, failed);
            connected.complete(s);
        });
        return await(connected);
    }

    /** Destroys {@code sockets} and waits for each one's CLOSE. */
    static void destroyAll(Socket... sockets) {
        List<CompletableFuture<Boolean>> closes = new ArrayList<>();
        onLoop(() -> {
            for (Socket s : sockets) {
                CompletableFuture<Boolean> closed = new CompletableFuture<>();
                closes.add(closed);
                if (s.destroyed()) {
                    closed.complete(true);  // CLOSE already emitted or pending in this iteration
                } else {
                    s.once(Socket.CLOSE, closed::complete);
                    s.destroy();
                }
            }
        });
        for (CompletableFuture<Boolean> c : closes) {
            await(c);
        }
    }

    /** Collects the bytes of DATA events (on the loop thread), for reading once the socket ended. */
    static final class Collector implements Consumer<Buffer> {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final MessageDigest digest = sha256();
        private long count;
        private final boolean keep;

        Collector(boolean keep) {
            this.keep = keep;
        }

        @Override
        public synchronized void accept(Buffer b) {
            byte[] a = b.toByteArray();
            if (keep) {
                bytes.writeBytes(a);
            }
            digest.update(a);
            count += a.length;
        }

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }

        synchronized String text() {
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        synchronized long count() {
            return count;
        }

        synchronized String hash() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    /** {@code n} reproducible pseudo-random bytes. */
    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
