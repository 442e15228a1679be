package io.ffmnet;

import io.ffmnet.SocketTestSupport.Collector;
import io.ffmnet.SocketTestSupport.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.SocketTestSupport.sha256;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code readable.pipe()} and {@code unpipe()} from a socket: to itself (an echo server),
 * to another socket with and without ending it, and to a file, as the seeds do.
 */
@Timeout(120)
class NetPipeTest {
    @TempDir
    Path dir;

    @Test
    void aSocketPipedToItselfEchoesEverythingWithBackpressure() {
        int total = 32 << 20;
        int chunk = 64 * 1024;
        AtomicLong maxQueued = new AtomicLong();
        AtomicReference<Socket> peer = new AtomicReference<>();
        TestServer server = server(s -> {
            peer.set(s);
            // Sampled before the pipe writes each chunk: what the echo has queued.
            s.on(Socket.DATA, b -> maxQueued.accumulateAndGet(s.bufferSize(), Math::max));
            s.pipe(s);
        });
        Socket client = connect(server.port);
        client.pause();  // read nothing at first: the echo backs up into the server
        Collector echoed = new Collector(false);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        client.on(Socket.DATA, echoed);
        client.on(Socket.END, () -> ended.complete(null));
        java.security.MessageDigest sent = SocketTestSupport.sha256();
        Random random = new Random(3);
        AtomicBoolean serverPaused = new AtomicBoolean();
        onLoop(() -> {
            Runnable[] pump = new Runnable[1];
            long[] written = {0};
            pump[0] = () -> {
                byte[] b = new byte[chunk];
                while (written[0] < total) {
                    random.nextBytes(b);
                    sent.update(b);
                    written[0] += chunk;
                    if (!client.write(b)) {
                        client.once(Socket.DRAIN, pump[0]);
                        return;
                    }
                }
                client.end();
            };
            pump[0].run();
            // Resume the client once the server's pipe has paused its source for backpressure.
            Timer[] poll = new Timer[1];
            poll[0] = Timers.setInterval(() -> {
                Socket s = peer.get();
                if (s != null && s.isPaused()) {
                    serverPaused.set(true);
                    poll[0].clear();
                    client.resume();
                }
            }, 5);
        });
        await(ended);
        assertTrue(serverPaused.get(), "the pipe paused its source when the destination was full");
        assertEquals(total, echoed.count());
        assertEquals(java.util.HexFormat.of().formatHex(sent.digest()), echoed.hash());
        long bound = SocketOptions.DEFAULT_HIGH_WATER_MARK + 64 * 1024;
        assertTrue(maxQueued.get() <= bound, "the echo queued " + maxQueued.get() + " bytes");
        destroyAll(client);
        server.close();
    }

    @Test
    void unpipeStopsTheFlowAndPausesTheSource() {
        AtomicReference<Socket> peer = new AtomicReference<>();
        StringBuilder afterUnpipe = new StringBuilder();
        CompletableFuture<String> serverEnded = new CompletableFuture<>();
        TestServer server = server(s -> {
            peer.set(s);
            s.pipe(s);
            s.once(Socket.DATA, b -> Timers.setImmediate(() -> {
                // After "one" went through the pipe: unpipe, then say so.
                s.unpipe(s);
                assertTrue(s.isPaused(), "Node's unpipe pauses a source left with no destination");
                s.write("unpiped\n");
                s.on(Socket.DATA, d -> afterUnpipe.append(d));
                s.on(Socket.END, () -> serverEnded.complete(afterUnpipe.toString()));
            }));
        });
        Socket client = connect(server.port);
        StringBuilder got = new StringBuilder();
        CompletableFuture<Void> clientClosed = new CompletableFuture<>();
        CompletableFuture<Void> twoSent = new CompletableFuture<>();
        client.on(Socket.DATA, b -> {
            got.append(b);
            if (got.toString().equals("one\nunpiped\n")) {
                client.write("two\n", e -> twoSent.complete(null));
                client.end();
            }
        });
        client.on(Socket.CLOSE, h -> clientClosed.complete(null));
        client.write("one\n");
        await(twoSent);
        assertEquals(0, afterUnpipe.length(), "nothing read while paused");
        peer.get().resume();
        assertEquals("two\n", await(serverEnded));
        await(clientClosed);
        assertEquals("one\nunpiped\n", got.toString(), "nothing echoed after unpipe");
        server.close();
    }

    /** A second server that records what arrives and whether the sender ended. */
    private record Sink(TestServer server, CompletableFuture<String> ended, StringBuffer text) {
        static Sink start() {
            CompletableFuture<String> ended = new CompletableFuture<>();
            StringBuffer text = new StringBuffer();
            TestServer server = SocketTestSupport.server(s -> {
                s.on(Socket.DATA, b -> text.append(b));
                s.on(Socket.END, () -> ended.complete(text.toString()));
            });
            return new Sink(server, ended, text);
        }
    }

    @Test
    void pipeWithEndFalseLeavesTheDestinationOpen() {
        Sink sink = Sink.start();
        Socket out = connect(sink.server.port);
        out.on(Socket.FINISH, mustCall(() -> {}));
        TestServer proxy = server(s -> {
            s.pipe(out, false);
            s.on(Socket.END, mustCall(() -> {
                // The source ended; the destination did not: it still takes writes.
                assertFalse(out.destroyed());
                out.end("tail");
            }));
        });
        Socket client = connect(proxy.port);
        client.end("body;");
        assertEquals("body;tail", await(sink.ended));
        awaitCalls();
        destroyAll(client, out);
        proxy.close();
        sink.server.close();
    }

    @Test
    void pipeEndsTheDestinationWhenTheSourceEnds() {
        Sink sink = Sink.start();
        Socket out = connect(sink.server.port);
        TestServer proxy = server(s -> s.pipe(out));
        Socket client = connect(proxy.port);
        client.end("all of it");
        assertEquals("all of it", await(sink.ended));
        destroyAll(client, out);
        proxy.close();
        sink.server.close();
    }

    /**
     * The seeds' program: {@code socket.pipe(ws, { end: false })}, and on {@code 'end'} a final
     * line written to the file before ending it.
     */
    @Test
    void pipeToAFileWithEndFalseThenAFinalLine() throws IOException {
        Path file = dir.resolve("msg.txt");
        CompletableFuture<Void> fileClosed = new CompletableFuture<>();
        TestServer server = server(s -> {
            FileWriteStream ws = Fs.createWriteStream(file);
            ws.on(FileWriteStream.CLOSE, () -> fileClosed.complete(null));
            ws.on(Writable.ERROR, mustNotCall());
            s.pipe(ws, false);
            s.on(Socket.END, () -> {
                ws.write("over\n");
                ws.end(mustCall(() -> s.unpipe(ws)));
            });
        });
        Socket client = connect(server.port);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            String line = "line " + i + "\n";
            expected.append(line);
            client.write(line);
        }
        client.end();
        await(fileClosed);
        awaitCalls();
        assertEquals(expected + "over\n", Files.readString(file, StandardCharsets.UTF_8));
        destroyAll(client);
        server.close();
    }

    /** The seeds' pause and resume: paused on connection, resumed and piped to a file later. */
    @Test
    void aPausedSocketResumedAndPipedToAFileLaterLosesNothing() throws IOException {
        Path file = dir.resolve("paused.txt");
        byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        CompletableFuture<Void> fileClosed = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.pause();
            Timers.setTimeout(() -> {
                FileWriteStream ws = Fs.createWriteStream(file);
                ws.on(FileWriteStream.CLOSE, () -> fileClosed.complete(null));
                s.resume();
                s.pipe(ws);
            }, 50);
        });
        Socket client = connect(server.port);
        client.end(data);
        await(fileClosed);
        assertEquals(sha256(data), sha256(Files.readAllBytes(file)));
        destroyAll(client);
        server.close();
    }

    /**
     * The seeds' setTimeout program: the socket is paused, and piped to a file when it times
     * out; pipe() resumes a paused source, as Node's does, so the data then flows.
     */
    @Test
    void pipingAPausedSocketOnTimeoutResumesIt() throws IOException {
        Path file = dir.resolve("timeout.txt");
        CompletableFuture<Void> fileClosed = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.setTimeout(30);
            s.pause();
            s.on(Socket.TIMEOUT, () -> {
                s.setTimeout(0);
                FileWriteStream ws = Fs.createWriteStream(file);
                ws.on(FileWriteStream.CLOSE, () -> fileClosed.complete(null));
                s.pipe(ws);
            });
        });
        Socket client = connect(server.port);
        client.end("written before the timeout\n");
        await(fileClosed);
        assertEquals("written before the timeout\n", Files.readString(file));
        destroyAll(client);
        server.close();
    }

    @Test
    void appendingToAFileWithFlagsA() throws IOException {
        Path file = dir.resolve("append.txt");
        Files.writeString(file, "first\n");
        CompletableFuture<Void> fileClosed = new CompletableFuture<>();
        TestServer server = server(s -> {
            FileWriteStream ws = Fs.createWriteStream(file, new WriteStreamOptions().flags("a"));
            ws.on(FileWriteStream.CLOSE, () -> fileClosed.complete(null));
            s.pipe(ws);
        });
        Socket client = connect(server.port);
        client.end("second\n");
        await(fileClosed);
        assertEquals("first\nsecond\n", Files.readString(file));
        destroyAll(client);
        server.close();
    }
}
