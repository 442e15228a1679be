package io.ffmnet;

import io.ffmnet.SocketTestSupport.Collector;
import io.ffmnet.testing.Processes;
import io.ffmnet.SocketTestSupport.TestServer;

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
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.onLoopGet;
import static io.ffmnet.SocketTestSupport.randomBytes;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.SocketTestSupport.sha256;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code socket.pipe(otherSocket)} with splice(2): the bytes, their order and the counters are
 * those of the ordinary pipe, every way out of the mode (a write to the destination, a data
 * listener, unpipe, the end or failure of either side) keeps what the kernel pipe held, and the
 * mode really was used ({@link SocketSplice}'s counters).
 */
@Timeout(180)
class NetPipeSpliceTest {
    @TempDir
    Path dir;

    /** What a sink server received, and its sockets. */
    private record Sink(TestServer server, Collector received, CompletableFuture<Void> ended,
                        AtomicReference<Socket> socket) {
        /** A sink that reads nothing until {@link #resume()} when {@code paused}. */
        static Sink start(boolean paused) {
            Collector received = new Collector(true);
            CompletableFuture<Void> ended = new CompletableFuture<>();
            AtomicReference<Socket> socket = new AtomicReference<>();
            TestServer server = SocketTestSupport.server(new ServerOptions().pauseOnConnect(paused), s -> {
                socket.set(s);
                s.on(Socket.DATA, received);
                s.on(Socket.END, () -> ended.complete(null));
            });
            return new Sink(server, received, ended, socket);
        }

        void resume() {
            onLoop(() -> socket.get().resume());
        }
    }

    /** Writes {@code data} in 64 KiB pieces, following DRAIN, then ends if {@code end}. */
    private static void send(Socket s, byte[] data, boolean end) {
        onLoop(() -> {
            int[] at = {0};
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (at[0] < data.length) {
                    int n = Math.min(64 * 1024, data.length - at[0]);
                    boolean more = s.write(Arrays.copyOfRange(data, at[0], at[0] + n));
                    at[0] += n;
                    if (!more) {
                        s.once(Socket.DRAIN, pump[0]);
                        return;
                    }
                }
                if (end) {
                    s.end();
                }
            };
            pump[0].run();
        });
    }

    /** Polls on the loop until {@code condition} holds (bounded by the hang guard, not a measure). */
    private static void waitOnLoop(BooleanSupplier condition) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            Timer[] t = new Timer[1];
            t[0] = Timers.setInterval(() -> {
                if (condition.getAsBoolean()) {
                    t[0].clear();
                    done.complete(null);
                }
            }, 1);
        });
        await(done);
    }

    /**
     * A proxy that pipes each connection to {@code target} and back, as a user would write it:
     * half-open, so the client's FIN does not end the way back before the echo is through.
     */
    private static TestServer proxy(int target, AtomicReference<Socket> in, AtomicReference<Socket> out) {
        return server(new ServerOptions().allowHalfOpen(true), s -> {
            Socket up = Net.connect(target, "127.0.0.1");
            in.set(s);
            out.set(up);
            s.pipe(up);
            up.pipe(s);
        });
    }

    private static boolean waitingForDestination(Socket destination) {
        return destination.zeroCopy instanceof SocketSplice s && s.waitingForDestination();
    }

    // ---- through a proxy ---------------------------------------------------------------------

    @Test
    void aNodeClientThroughASplicingProxyToASplicingEchoGetsEveryByteBack() throws Exception {
        assumeTrue(Processes.nodeInstalled(), "node is not on the PATH: this test needs it as the client");
        int total = (6 << 20) + 12345;
        TestServer echo = server(s -> s.pipe(s));
        AtomicReference<Socket> in = new AtomicReference<>();
        AtomicReference<Socket> out = new AtomicReference<>();
        TestServer proxy = proxy(echo.port, in, out);
        long splicedBefore = SocketSplice.SPLICED_BYTES.sum();
        long startsBefore = SocketSplice.STARTS.sum();
        Path stderr = Files.createTempFile(dir, "node", ".err");
        Process node = new ProcessBuilder("node", "-e", Processes.NODE_BULK_CLIENT,
                String.valueOf(proxy.port), String.valueOf(total))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(stderr.toFile())
                .start();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String line = lines.readLine();
            assertNotNull(line, () -> "node printed nothing; stderr: " + readQuietly(stderr));
            String[] result = line.split(" ");
            assertEquals(result[0], result[1], "what came back is what Node sent");
            assertEquals(String.valueOf(total), result[2]);
            assertTrue(node.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, node.exitValue());
        } finally {
            node.destroyForcibly();
            node.waitFor(30, TimeUnit.SECONDS);
        }
        // Each of the three pipes (proxy up, proxy down, echo) spliced; at most the bytes read
        // before the proxy's upstream connection was up went the ordinary way.
        assertTrue(SocketSplice.STARTS.sum() - startsBefore >= 3, "three pipes spliced");
        long spliced = SocketSplice.SPLICED_BYTES.sum() - splicedBefore;
        assertTrue(spliced >= 2L * total, "spliced " + spliced + " of " + 3L * total);
        assertEquals(total, in.get().bytesRead());
        assertEquals(total, out.get().bytesWritten());
        assertEquals(total, out.get().bytesRead());
        assertEquals(total, in.get().bytesWritten());
        destroyAll(in.get(), out.get());
        proxy.close();
        echo.close();
    }

    @Test
    void aProxyFromTcpToAUnixDomainEchoSplicesBothWays() {
        String path = dir.resolve("echo.sock").toString();
        Server echo = Net.createServer(s -> s.pipe(s));
        CompletableFuture<Void> listening = new CompletableFuture<>();
        echo.listen(path, () -> listening.complete(null));
        await(listening);
        AtomicReference<Socket> in = new AtomicReference<>();
        TestServer proxy = server(new ServerOptions().allowHalfOpen(true), s -> {
            Socket up = Net.connect(path);
            in.set(s);
            s.pipe(up);
            up.pipe(s);
        });
        long splicedBefore = SocketSplice.SPLICED_BYTES.sum();
        byte[] data = randomBytes((4 << 20) + 3, 22);
        Socket client = connect(proxy.port);
        Collector echoed = new Collector(true);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        client.on(Socket.END, () -> ended.complete(null));
        client.on(Socket.DATA, echoed);
        send(client, data, true);
        await(ended);
        assertArrayEquals(data, echoed.bytes());
        long spliced = SocketSplice.SPLICED_BYTES.sum() - splicedBefore;
        assertTrue(spliced >= 2L * data.length, "spliced " + spliced + " of " + 3L * data.length);
        destroyAll(client, in.get());
        proxy.close();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        echo.close(e -> closed.complete(null));
        await(closed);
    }

    @Test
    void aSlowDestinationStopsTheSourceReadingThenEverythingArrives() {
        int total = 32 << 20;
        byte[] data = randomBytes(total, 11);
        Sink sink = Sink.start(true);
        AtomicReference<Socket> in = new AtomicReference<>();
        Socket up = connect(sink.server.port);
        TestServer proxy = server(s -> {
            in.set(s);
            s.pipe(up);
        });
        Socket client = connect(proxy.port);
        send(client, data, true);
        // The sink reads nothing: the destination fills, and the proxy stops reading its source.
        waitOnLoop(() -> waitingForDestination(up));
        long[] state = onLoopGet(() -> new long[] {
                in.get().bytesRead(), in.get().handle.isReading() ? 1 : 0, up.bufferSize()});
        assertTrue(state[0] < total, "the proxy read " + state[0] + " of " + total);
        assertEquals(0, state[1], "the source is not being read while the destination is full");
        assertEquals(0, state[2], "nothing is queued in user memory");
        assertFalse(in.get().isPaused(), "backpressure is the kernel's: the stream still flows");
        sink.resume();
        await(sink.ended);
        assertEquals(sha256(data), sha256(sink.received.bytes()));
        assertEquals(total, in.get().bytesRead());
        assertEquals(total, up.bytesWritten());
        destroyAll(client, up);
        proxy.close();
        sink.server.close();
    }

    // ---- end --------------------------------------------------------------------------------

    @Test
    void endTrueEndsTheDestinationAfterTheLastSplicedByte() {
        byte[] data = randomBytes(3 << 20, 12);
        Sink sink = Sink.start(false);
        Socket up = connect(sink.server.port);
        long startsBefore = SocketSplice.STARTS.sum();
        TestServer proxy = server(s -> s.pipe(up));
        Socket client = connect(proxy.port);
        up.on(Socket.FINISH, mustCall(() -> {}));
        send(client, data, true);
        await(sink.ended);
        assertArrayEquals(data, sink.received.bytes());
        assertTrue(SocketSplice.STARTS.sum() > startsBefore, "the pipe spliced");
        awaitCalls();
        destroyAll(client, up);
        proxy.close();
        sink.server.close();
    }

    @Test
    void endFalseLeavesTheDestinationOpenAfterTheSourceEnds() {
        byte[] data = randomBytes(1 << 20, 13);
        Sink sink = Sink.start(false);
        Socket up = connect(sink.server.port);
        long splicedBefore = SocketSplice.SPLICED_BYTES.sum();
        TestServer proxy = server(s -> {
            s.pipe(up, false);
            s.on(Socket.END, mustCall(() -> {
                assertFalse(up.writableEnded, "end: false leaves the destination writable");
                assertNull(up.zeroCopy, "the source's end left splice mode");
                up.end("tail");
            }));
        });
        Socket client = connect(proxy.port);
        send(client, data, true);
        await(sink.ended);
        byte[] got = sink.received.bytes();
        assertArrayEquals(data, Arrays.copyOf(got, data.length));
        assertEquals("tail", new String(got, data.length, got.length - data.length, StandardCharsets.UTF_8));
        assertTrue(SocketSplice.SPLICED_BYTES.sum() > splicedBefore, "the pipe spliced");
        awaitCalls();
        destroyAll(client, up);
        proxy.close();
        sink.server.close();
    }

    // ---- leaving the mode mid-stream --------------------------------------------------------

    /** A client sending {@code total} bytes through a proxy into a paused sink, stalled. */
    private record Stalled(byte[] data, Sink sink, Socket up, Socket client, TestServer proxy,
                           AtomicReference<Socket> in) {
        static Stalled start(int total, long seed) {
            return start(total, seed, true);
        }

        /** As {@link #start(int, long)}; {@code end} false: the client never sends FIN. */
        static Stalled start(int total, long seed, boolean end) {
            byte[] data = randomBytes(total, seed);
            Sink sink = Sink.start(true);
            Socket up = connect(sink.server.port);
            AtomicReference<Socket> in = new AtomicReference<>();
            TestServer proxy = SocketTestSupport.server(s -> {
                in.set(s);
                s.pipe(up);
            });
            Socket client = connect(proxy.port);
            send(client, data, end);
            waitOnLoop(() -> waitingForDestination(up));
            return new Stalled(data, sink, up, client, proxy, in);
        }

        void close() {
            destroyAll(client, up);
            proxy.close();
            sink.server.close();
        }
    }

    @Test
    void unpipeMidStreamDeliversWhatTheKernelPipeHeldThenPauses() {
        Stalled st = Stalled.start(16 << 20, 14);
        Socket in = st.in.get();
        long[] atUnpipe = onLoopGet(() -> {
            long held = ((SocketSplice) st.up.zeroCopy).bytesInPipe();
            long read = in.bytesRead();
            in.unpipe(st.up);
            assertNull(st.up.zeroCopy);
            assertTrue(in.isPaused(), "unpipe pauses a source left with no destination");
            return new long[] {held, read};
        });
        assertTrue(atUnpipe[0] > 0, "the kernel pipe held bytes when unpiped");
        // Everything read before unpipe reaches the destination; the rest is the proxy's to read.
        Collector rest = new Collector(true);
        CompletableFuture<Void> sourceEnded = new CompletableFuture<>();
        onLoop(() -> {
            in.on(Socket.END, () -> sourceEnded.complete(null));
            in.on(Socket.DATA, rest);
            in.resume();
        });
        await(sourceEnded);
        st.sink.resume();
        waitOnLoop(() -> st.sink.received.count() == atUnpipe[1]);
        onLoop(st.up::end);
        await(st.sink.ended);
        byte[] head = st.sink.received.bytes();
        assertEquals(atUnpipe[1], head.length, "the destination got exactly what was read before unpipe");
        assertArrayEquals(st.data, concat(head, rest.bytes()));
        assertEquals(atUnpipe[1], st.up.bytesWritten());
        st.close();
    }

    @Test
    void aDataListenerAddedMidStreamSeesTheRestWhileTheDestinationGetsEverything() {
        Stalled st = Stalled.start(16 << 20, 15);
        Socket in = st.in.get();
        Collector seen = new Collector(true);
        long readBefore = onLoopGet(() -> {
            assertTrue(((SocketSplice) st.up.zeroCopy).bytesInPipe() > 0, "the kernel pipe holds bytes");
            long read = in.bytesRead();
            in.on(Socket.DATA, seen);
            assertNull(st.up.zeroCopy, "a data listener ends splice mode at once");
            return read;
        });
        st.sink.resume();
        await(st.sink.ended);
        assertArrayEquals(st.data, st.sink.received.bytes());
        byte[] tail = seen.bytes();
        assertEquals(st.data.length - readBefore, tail.length, "the listener saw every byte read after it");
        assertArrayEquals(Arrays.copyOfRange(st.data, (int) readBefore, st.data.length), tail);
        st.close();
    }

    @Test
    void aWriteToTheDestinationMidStreamKeepsItsPlaceAmongThePipedBytes() {
        Stalled st = Stalled.start(16 << 20, 16);
        Socket in = st.in.get();
        byte[] marker = "<a write of our own>".getBytes(StandardCharsets.UTF_8);
        long readBefore = onLoopGet(() -> {
            long read = in.bytesRead();
            st.up.write(marker, mustCall((NetException e) -> assertNull(e)));
            return read;
        });
        st.sink.resume();
        await(st.sink.ended);
        byte[] expected = concat(Arrays.copyOf(st.data, (int) readBefore), marker,
                Arrays.copyOfRange(st.data, (int) readBefore, st.data.length));
        assertArrayEquals(expected, st.sink.received.bytes());
        assertEquals(expected.length, st.up.bytesWritten());
        awaitCalls();
        st.close();
    }

    @Test
    void aSecondPipeAddedMidStreamEndsSpliceModeAndGetsTheRest() {
        Stalled st = Stalled.start(8 << 20, 23);
        Socket in = st.in.get();
        Sink second = Sink.start(false);
        Socket up2 = connect(second.server.port);
        long readBefore = onLoopGet(() -> {
            long read = in.bytesRead();
            in.pipe(up2);
            assertNull(st.up.zeroCopy, "two destinations: no splice");
            return read;
        });
        st.sink.resume();
        await(st.sink.ended);
        await(second.ended);
        assertArrayEquals(st.data, st.sink.received.bytes());
        assertArrayEquals(Arrays.copyOfRange(st.data, (int) readBefore, st.data.length), second.received.bytes());
        destroyAll(up2);
        second.server.close();
        st.close();
    }

    @Test
    void setEncodingOnTheSourceEndsSpliceMode() {
        Stalled st = Stalled.start(16 << 20, 24);
        Socket in = st.in.get();
        StringBuilder text = new StringBuilder();
        long readBefore = onLoopGet(() -> {
            in.setEncoding(StandardCharsets.ISO_8859_1);
            assertNull(st.up.zeroCopy);
            in.on(Socket.TEXT, text::append);
            return in.bytesRead();
        });
        st.sink.resume();
        await(st.sink.ended);
        assertArrayEquals(st.data, st.sink.received.bytes());
        assertTrue(readBefore < st.data.length, "the proxy had not read everything yet");
        assertEquals(new String(st.data, (int) readBefore, st.data.length - (int) readBefore,
                StandardCharsets.ISO_8859_1), onLoopGet(text::toString), "TEXT saw every byte read after setEncoding");
        st.close();
    }

    @Test
    void pauseAndResumeOfTheSourceLeaveAndReenterSpliceMode() {
        Stalled st = Stalled.start(8 << 20, 17);
        Socket in = st.in.get();
        long startsBefore = SocketSplice.STARTS.sum();
        onLoop(() -> {
            in.pause();
            assertNull(st.up.zeroCopy);
            in.resume();
        });
        st.sink.resume();
        await(st.sink.ended);
        assertArrayEquals(st.data, st.sink.received.bytes());
        assertTrue(SocketSplice.STARTS.sum() > startsBefore, "resume went back to splicing");
        st.close();
    }

    // ---- failures ---------------------------------------------------------------------------

    @Test
    void aSourceResetIsAReadErrorAndTheDestinationStaysOpen() {
        Stalled st = Stalled.start(8 << 20, 18, false);  // no FIN before the reset
        Socket in = st.in.get();
        CompletableFuture<NetException> error = new CompletableFuture<>();
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        onLoop(() -> {
            in.on(Socket.ERROR, error::complete);
            in.on(Socket.CLOSE, closed::complete);
            in.on(Socket.END, mustNotCall());
            st.client.resetAndDestroy();
        });
        st.sink.resume();  // the source is read again only once the destination drains
        NetException e = await(error);
        assertEquals("ECONNRESET", e.code());
        assertEquals("read", e.syscall());
        assertTrue(await(closed));
        onLoop(() -> {
            assertNull(st.up.zeroCopy);
            assertFalse(st.up.destroyed(), "the destination is not ended by a failed source");
            assertFalse(st.up.writableEnded);
        });
        st.close();
    }

    @Test
    void aDestinationDestroyedMidStreamClosesTheKernelPipeAndPausesTheSource() {
        Stalled st = Stalled.start(8 << 20, 19);
        Socket in = st.in.get();
        CompletableFuture<Boolean> upClosed = new CompletableFuture<>();
        int[] pipes = onLoopGet(() -> {
            int before = openPipes();
            st.up.on(Socket.CLOSE, upClosed::complete);
            st.up.destroy();
            return new int[] {before, openPipes()};
        });
        assertEquals(pipes[0] - 2, pipes[1], "both ends of the kernel pipe closed with the destination");
        assertFalse(await(upClosed));
        st.sink.resume();
        // The source goes on in the ordinary path: its next write meets the destroyed socket.
        waitOnLoop(in::isPaused);
        onLoop(() -> assertFalse(in.destroyed()));
        st.close();
    }

    @Test
    void aDestinationResetByItsPeerIsAWriteErrorOnTheDestination() {
        Stalled st = Stalled.start(8 << 20, 20);
        CompletableFuture<NetException> error = new CompletableFuture<>();
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        onLoop(() -> {
            st.up.on(Socket.ERROR, error::complete);
            st.up.on(Socket.CLOSE, closed::complete);
            st.sink.socket.get().resetAndDestroy();
        });
        NetException e = await(error);
        assertTrue(e.code().equals("ECONNRESET") || e.code().equals("EPIPE"), e.code());
        assertTrue(await(closed));
        st.close();
    }

    @Test
    void theSourceDestroyedMidStreamClosesTheKernelPipe() {
        Stalled st = Stalled.start(8 << 20, 21);
        Socket in = st.in.get();
        st.client.on(Socket.ERROR, e -> {});  // the proxy closes with unread data: a reset
        int[] pipes = onLoopGet(() -> {
            int before = openPipes();
            in.destroy();
            return new int[] {before, openPipes()};
        });
        assertEquals(pipes[0] - 2, pipes[1]);
        onLoop(() -> assertNull(st.up.zeroCopy));
        st.close();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static int openPipes() {
        int n = 0;
        File[] fds = new File("/proc/self/fd").listFiles();
        for (File f : fds == null ? new File[0] : fds) {
            try {
                if (Files.readSymbolicLink(f.toPath()).toString().startsWith("pipe:")) {
                    n++;
                }
            } catch (IOException e) {
                // closed meanwhile (the listing's own descriptor)
            }
        }
        return n;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
