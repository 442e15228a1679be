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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.connectPaused;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.onLoopGet;
import static io.ffmnet.SocketTestSupport.randomBytes;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.SocketTestSupport.sha256;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code Fs.createReadStream(path).pipe(socket)} with sendfile(2): the bytes, the stream's events
 * in Node's order (open, ready, end, close), the socket's end and counters, and what happens when
 * the file or the socket goes away; and the copying path where something else must see the bytes.
 */
@Timeout(120)
class FsSendfileTest {
    /** A few MiB, not a multiple of the sendfile chunk. */
    private static final int SIZE = (5 << 20) + 777;

    @TempDir
    Path dir;

    /** Writes {@code data} to a new file {@code name} in the test's folder. */
    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    /** The file stream's events, by name, in order. */
    private static List<String> record(FileReadStream rs) {
        List<String> events = new CopyOnWriteArrayList<>();
        rs.on(FileReadStream.OPEN, fd -> events.add("open"));
        rs.on(FileReadStream.READY, () -> events.add("ready"));
        rs.on(FileReadStream.END, () -> events.add("end"));
        rs.on(FileReadStream.ERROR, e -> events.add("error " + e.code()));
        rs.on(FileReadStream.CLOSE, () -> events.add("close"));
        return events;
    }

    /** A server that sends {@code file} to each connection; the stream and its events land in the refs. */
    private static TestServer fileServer(Path file, AtomicReference<FileReadStream> stream,
                                         AtomicReference<List<String>> events, AtomicReference<Socket> socket) {
        return server(s -> {
            socket.set(s);
            FileReadStream rs = Fs.createReadStream(file);
            stream.set(rs);
            events.set(record(rs));
            rs.pipe(s);
        });
    }

    /** Receives everything from {@code port} until END (listening before connecting: an empty file's FIN may come at once). */
    private static Collector receive(int port) {
        Socket client = new Socket();
        Collector got = new Collector(true);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        client.on(Socket.END, () -> ended.complete(null));
        client.on(Socket.DATA, got);
        client.connect(port, "127.0.0.1");
        await(ended);
        destroyAll(client);
        return got;
    }

    @Test
    void aFileOfSomeMebibytesArrivesWholeAndTheSocketEnds() throws IOException {
        byte[] data = randomBytes(SIZE, 31);
        Path file = write("big.bin", data);
        AtomicReference<FileReadStream> stream = new AtomicReference<>();
        AtomicReference<List<String>> events = new AtomicReference<>();
        AtomicReference<Socket> socket = new AtomicReference<>();
        long sentBefore = FileSendfile.SENT_BYTES.sum();
        TestServer server = fileServer(file, stream, events, socket);
        Collector got = receive(server.port);
        assertEquals(sha256(data), got.hash());
        assertEquals(SIZE, got.count());
        waitForClose(stream, events);
        assertEquals(List.of("open", "ready", "end", "close"), events.get());
        assertEquals(SIZE, FileSendfile.SENT_BYTES.sum() - sentBefore, "every byte went by sendfile");
        assertEquals(SIZE, socket.get().bytesWritten());
        server.close();
    }

    private static final String NODE_CLIENT = """
            const net = require('net'), crypto = require('crypto');
            const h = crypto.createHash('sha256');
            let n = 0;
            const c = net.connect(+process.argv[1], '127.0.0.1');
            c.on('data', d => { h.update(d); n += d.length; });
            c.on('end', () => console.log(h.digest('hex') + ' ' + n));
            c.on('error', e => { console.error(e); process.exit(2); });
            """;

    @Test
    void aNodeClientReceivesTheFile() throws Exception {
        assumeTrue(Processes.nodeInstalled(), "node is not on the PATH: this test needs it as the client");
        byte[] data = randomBytes(SIZE, 32);
        Path file = write("node.bin", data);
        AtomicReference<FileReadStream> stream = new AtomicReference<>();
        AtomicReference<List<String>> events = new AtomicReference<>();
        AtomicReference<Socket> socket = new AtomicReference<>();
        TestServer server = fileServer(file, stream, events, socket);
        Process node = new ProcessBuilder("node", "-e", NODE_CLIENT, String.valueOf(server.port))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertNotNull(line, "node printed nothing");
            assertEquals(sha256(data) + " " + SIZE, line);
            assertTrue(node.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, node.exitValue());
        } finally {
            node.destroyForcibly();
            node.waitFor(30, TimeUnit.SECONDS);
        }
        waitForClose(stream, events);
        server.close();
    }

    @Test
    void anEmptyFileEndsTheSocketAtOnce() throws IOException {
        Path file = write("empty", new byte[0]);
        AtomicReference<FileReadStream> stream = new AtomicReference<>();
        AtomicReference<List<String>> events = new AtomicReference<>();
        TestServer server = fileServer(file, stream, events, new AtomicReference<>());
        assertEquals(0, receive(server.port).count());
        waitForClose(stream, events);
        assertEquals(List.of("open", "ready", "end", "close"), events.get());
        server.close();
    }

    @Test
    void aFileDeletedOnceOpenIsStillSentWhole() throws IOException {
        byte[] data = randomBytes(SIZE, 33);
        Path file = write("deleted.bin", data);
        AtomicReference<FileReadStream> stream = new AtomicReference<>();
        TestServer server = server(s -> {
            FileReadStream rs = Fs.createReadStream(file);
            stream.set(rs);
            rs.on(FileReadStream.OPEN, fd -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            rs.pipe(s);
        });
        Collector got = receive(server.port);
        assertEquals(sha256(data), got.hash());
        assertFalse(Files.exists(file));
        server.close();
    }

    @Test
    void aMissingFileIsAnOpenErrorAndTheSocketStaysOpen() {
        Path file = dir.resolve("missing");
        AtomicReference<FileReadStream> stream = new AtomicReference<>();
        AtomicReference<List<String>> events = new AtomicReference<>();
        AtomicReference<Socket> socket = new AtomicReference<>();
        TestServer server = fileServer(file, stream, events, socket);
        Socket client = connect(server.port);
        waitForClose(stream, events);
        assertEquals(List.of("error ENOENT", "close"), events.get());
        assertFalse(onLoopGet(() -> socket.get().writableEnded), "a failed source does not end the pipe");
        destroyAll(client);
        server.close();
    }

    @Test
    void aHeaderWrittenBeforeThePipeGoesFirst() throws IOException {
        byte[] data = randomBytes(SIZE, 34);
        Path file = write("after-header.bin", data);
        byte[] header = "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        TestServer server = server(s -> {
            s.write(header);
            Fs.createReadStream(file).pipe(s);
        });
        byte[] got = receive(server.port).bytes();
        byte[] expected = new byte[header.length + data.length];
        System.arraycopy(header, 0, expected, 0, header.length);
        System.arraycopy(data, 0, expected, header.length, data.length);
        assertArrayEquals(expected, got);
        server.close();
    }

    @Test
    void aDataListenerOnTheFileStreamGetsTheCopyingPathAndSeesEveryByte() throws IOException {
        byte[] data = randomBytes(SIZE, 35);
        Path file = write("watched.bin", data);
        Collector seen = new Collector(false);
        long sentBefore = FileSendfile.SENT_BYTES.sum();
        TestServer server = server(s -> {
            FileReadStream rs = Fs.createReadStream(file);
            rs.pipe(s);
            rs.on(FileReadStream.OPEN, fd -> rs.on(FileReadStream.DATA, seen));  // before sendfile starts
        });
        Collector got = receive(server.port);
        assertEquals(sha256(data), got.hash());
        assertEquals(sha256(data), seen.hash());
        assertEquals(sentBefore, FileSendfile.SENT_BYTES.sum(), "nothing went by sendfile");
        server.close();
    }

    @Test
    void aPausedFileStreamSendsNothingUntilResumed() throws IOException {
        byte[] data = randomBytes(SIZE, 37);
        Path file = write("paused.bin", data);
        AtomicReference<FileReadStream> stream = new AtomicReference<>();
        AtomicReference<Socket> socket = new AtomicReference<>();
        TestServer server = server(s -> {
            FileReadStream rs = Fs.createReadStream(file);
            stream.set(rs);
            socket.set(s);
            rs.on(FileReadStream.OPEN, fd -> rs.pause());
            rs.pipe(s);
        });
        Socket client = new Socket();
        Collector got = new Collector(false);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        client.on(Socket.END, () -> ended.complete(null));
        client.on(Socket.DATA, got);
        client.connect(server.port, "127.0.0.1");
        CompletableFuture<Long> sentWhilePaused = new CompletableFuture<>();
        onLoop(() -> {
            Timer[] t = new Timer[1];
            t[0] = Timers.setInterval(() -> {
                Socket s = socket.get();
                if (s != null && s.zeroCopy instanceof FileSendfile) {  // open, and sendfile set up
                    t[0].clear();
                    sentWhilePaused.complete(s.bytesWritten());
                    stream.get().resume();
                }
            }, 1);
        });
        assertEquals(0L, await(sentWhilePaused));
        await(ended);
        assertEquals(sha256(data), got.hash());
        destroyAll(client);
        server.close();
    }

    /** A large file to a client that reads nothing: the sendfile waits for the full socket. */
    private record Stalled(Socket client, TestServer server, AtomicReference<Socket> socket,
                           AtomicReference<FileReadStream> stream, AtomicReference<List<String>> events) {
        static Stalled start(Path file) throws IOException {
            Files.write(file, randomBytes(48 << 20, 36));
            AtomicReference<FileReadStream> stream = new AtomicReference<>();
            AtomicReference<List<String>> events = new AtomicReference<>();
            AtomicReference<Socket> socket = new AtomicReference<>();
            TestServer server = fileServer(file, stream, events, socket);
            Socket client = connectPaused(server.port);
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            onLoop(() -> {
                Timer[] t = new Timer[1];
                t[0] = Timers.setInterval(() -> {
                    Socket s = socket.get();
                    if (s != null && s.zeroCopy instanceof FileSendfile f && f.waitingForSocket()) {
                        t[0].clear();
                        waiting.complete(null);
                    }
                }, 1);
            });
            await(waiting);
            return new Stalled(client, server, socket, stream, events);
        }
    }

    @Test
    void theSocketDestroyedMidTransferClosesTheFile() throws IOException {
        Path file = dir.resolve("destroyed.bin");
        Stalled st = Stalled.start(file);
        st.client.on(Socket.ERROR, e -> {});  // unread data: the client may see a reset
        onLoop(() -> st.socket.get().destroy());
        waitForClose(st.stream, st.events);
        assertEquals(List.of("open", "ready", "close"), st.events.get(), "Node's destroy: no end, no error");
        assertFalse(fileIsOpen(file), "the file descriptor is closed");
        destroyAll(st.client);
        st.server.close();
    }

    @Test
    void aClientResetMidTransferIsTheSocketsErrorAndClosesTheFile() throws IOException {
        Path file = dir.resolve("reset.bin");
        Stalled st = Stalled.start(file);
        CompletableFuture<NetException> error = new CompletableFuture<>();
        onLoop(() -> {
            st.socket.get().on(Socket.ERROR, error::complete);
            st.stream.get().on(FileReadStream.ERROR, mustNotCall());
            st.client.resetAndDestroy();
        });
        NetException e = await(error);
        assertTrue(e.code().equals("ECONNRESET") || e.code().equals("EPIPE"), e.code());
        waitForClose(st.stream, st.events);
        assertEquals(List.of("open", "ready", "close"), st.events.get());
        assertFalse(fileIsOpen(file));
        st.server.close();
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Polls on the loop until the stream's CLOSE was recorded (the hang guard bounds it). */
    private static void waitForClose(AtomicReference<FileReadStream> stream, AtomicReference<List<String>> events) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        onLoop(() -> {
            Timer[] t = new Timer[1];
            t[0] = Timers.setInterval(() -> {
                if (events.get() != null && events.get().contains("close")) {
                    t[0].clear();
                    closed.complete(null);
                }
            }, 1);
        });
        await(closed);
    }

    private static boolean fileIsOpen(Path file) {
        File[] fds = new File("/proc/self/fd").listFiles();
        for (File f : fds == null ? new File[0] : fds) {
            try {
                String target = Files.readSymbolicLink(f.toPath()).toString();
                if (target.startsWith(file.toString())) {
                    return true;
                }
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return false;
    }
}
