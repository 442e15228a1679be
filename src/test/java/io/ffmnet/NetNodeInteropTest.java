package io.ffmnet;

import io.ffmnet.SocketTestSupport.Collector;
import io.ffmnet.SocketTestSupport.TestServer;
import io.ffmnet.testing.Processes;

import org.junit.jupiter.api.BeforeAll;
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
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Node as the peer, both ways: bulk data compared by SHA-256 on both sides, and half-close
 * ({@code allowHalfOpen}) across the two. Each Node runs as a child process whose stdout is the
 * only pipe; it is destroyed and its stream closed in {@code finally}, so the class leaks no
 * descriptor even when a test fails.
 */
@Timeout(180)
class NetNodeInteropTest {
    private static final int BULK = 8 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void nodeIsInstalled() {
        assumeTrue(Processes.nodeInstalled(), "node is not on the PATH: the Node interop tests need it as the peer");
    }

    /** A running {@code node -e script args...}; stdout is read line by line, stderr goes to a file. */
    private final class NodePeer implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final Path stderr;

        NodePeer(String script, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of("node", "-e", script));
            command.addAll(List.of(args));
            stderr = Files.createTempFile(dir, "node", ".err");
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(stderr.toFile())
                    .start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** The next line Node printed; fails with Node's stderr if it exited instead. */
        String line() throws IOException {
            String line = out.readLine();
            if (line == null) {
                throw new AssertionError("node printed nothing more; stderr: " + Files.readString(stderr));
            }
            return line;
        }

        int exitCode() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("node did not exit");
            }
            return process.exitValue();
        }

        @Override
        public void close() throws IOException, InterruptedException {
            try {
                out.close();
            } finally {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aNodeClientSendsEightMebibytesThroughOurEchoServer() throws Exception {
        Collector received = new Collector(false);
        CompletableFuture<Void> serverEnded = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.on(Socket.DATA, b -> {
                received.accept(b);
                s.write(b);  // zero-copy echo
            });
            s.on(Socket.END, () -> serverEnded.complete(null));
        });
        try (NodePeer node = new NodePeer(Processes.NODE_BULK_CLIENT, String.valueOf(server.port), String.valueOf(BULK))) {
            String[] result = node.line().split(" ");
            assertEquals(0, node.exitCode());
            await(serverEnded);
            assertEquals(String.valueOf(BULK), result[2], "bytes echoed back to Node");
            assertEquals(result[0], received.hash(), "what we received is what Node sent");
            assertEquals(result[0], result[1], "what Node got back is what it sent");
            assertEquals(BULK, received.count());
        } finally {
            server.close();
        }
    }

    private static final String NODE_ECHO_SERVER = """
            const net = require('net'), crypto = require('crypto');
            const srv = net.createServer(s => {
              const h = crypto.createHash('sha256');
              let n = 0;
              s.on('data', d => { h.update(d); n += d.length; });
              s.pipe(s);
              s.on('close', () => { console.log('received ' + n + ' ' + h.digest('hex')); srv.close(); });
            });
            srv.listen(0, '127.0.0.1', () => console.log('port ' + srv.address().port));
            """;

    @Test
    void ourClientSendsEightMebibytesThroughANodeEchoServer() throws Exception {
        try (NodePeer node = new NodePeer(NODE_ECHO_SERVER)) {
            int port = Integer.parseInt(node.line().substring("port ".length()));
            Socket client = connect(port);
            Collector echoed = new Collector(false);
            CompletableFuture<Void> ended = new CompletableFuture<>();
            CompletableFuture<Boolean> closed = new CompletableFuture<>();
            client.on(Socket.END, () -> ended.complete(null));
            client.on(Socket.CLOSE, closed::complete);
            client.on(Socket.DATA, echoed);  // last: it starts the flow
            MessageDigest sent = SocketTestSupport.sha256();
            Random random = new Random(8);
            onLoop(() -> {
                Runnable[] pump = new Runnable[1];
                long[] written = {0};
                pump[0] = () -> {
                    while (written[0] < BULK) {
                        byte[] chunk = new byte[32 * 1024];
                        random.nextBytes(chunk);
                        sent.update(chunk);
                        written[0] += chunk.length;
                        if (!client.write(chunk)) {
                            client.once(Socket.DRAIN, pump[0]);
                            return;
                        }
                    }
                    client.end();
                };
                pump[0].run();
            });
            await(ended);
            assertEquals(false, await(closed));
            String hash = HexFormat.of().formatHex(sent.digest());
            assertEquals(BULK, echoed.count());
            assertEquals(hash, echoed.hash(), "the echo is what we sent");
            assertEquals("received " + BULK + " " + hash, node.line(), "Node received what we sent");
            assertEquals(0, node.exitCode());
        }
    }

    private static final String NODE_HALF_OPEN_CLIENT = """
            const net = require('net');
            const c = net.connect({ port: +process.argv[1], host: '127.0.0.1', allowHalfOpen: true }, () => c.end('hello'));
            let got = '';
            c.setEncoding('utf8');
            c.on('data', d => got += d);
            c.on('end', () => console.log('end ' + got));
            c.on('close', hadError => console.log('close ' + hadError));
            c.on('error', e => { console.error(e); process.exit(2); });
            """;

    @Test
    void aHalfOpenNodeClientEndsFirstAndStillReceivesOurReply() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> closed = new CompletableFuture<>();
        TestServer server = server(new ServerOptions().allowHalfOpen(true), s -> {
            StringBuilder got = new StringBuilder();
            s.on(Socket.DATA, b -> got.append(b));
            s.on(Socket.END, () -> {
                events.add("end");
                // Node ended its side; ours is still writable.
                s.write("reply after end: " + got);
                s.end();
            });
            s.on(Socket.FINISH, () -> events.add("finish"));
            s.on(Socket.CLOSE, hadError -> {
                events.add("close " + hadError);
                closed.complete(null);
            });
        });
        try (NodePeer node = new NodePeer(NODE_HALF_OPEN_CLIENT, String.valueOf(server.port))) {
            assertEquals("end reply after end: hello", node.line());
            assertEquals("close false", node.line());
            assertEquals(0, node.exitCode());
            await(closed);
            assertEquals(List.of("end", "finish", "close false"), events);
        } finally {
            server.close();
        }
    }

    private static final String NODE_HALF_OPEN_SERVER = """
            const net = require('net');
            const srv = net.createServer({ allowHalfOpen: true }, s => {
              let got = '';
              s.setEncoding('utf8');
              s.on('data', d => got += d);
              s.on('end', () => { console.log('end ' + got); s.end('got: ' + got); });
              s.on('close', hadError => { console.log('close ' + hadError); srv.close(); });
            });
            srv.listen(0, '127.0.0.1', () => console.log('port ' + srv.address().port));
            """;

    @Test
    void ourHalfOpenClientEndsFirstAndANodeServerRepliesAfterEnd() throws Exception {
        try (NodePeer node = new NodePeer(NODE_HALF_OPEN_SERVER)) {
            int port = Integer.parseInt(node.line().substring("port ".length()));
            List<String> events = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> closed = new CompletableFuture<>();
            Socket client = new Socket(new SocketOptions().allowHalfOpen(true));
            StringBuilder got = new StringBuilder();
            client.on(Socket.DATA, b -> {
                got.append(b);
                events.add("data");
            });
            client.on(Socket.FINISH, () -> events.add("finish"));
            client.on(Socket.END, () -> events.add("end"));
            client.on(Socket.CLOSE, hadError -> {
                events.add("close " + hadError);
                closed.complete(null);
            });
            client.connect(port, "127.0.0.1", () -> client.end("ping"));
            await(closed);
            assertEquals("got: ping", got.toString());
            assertEquals(List.of("finish", "data", "end", "close false"), events);
            assertEquals("end ping", node.line());
            assertEquals("close false", node.line());
            assertEquals(0, node.exitCode());
            assertNotNull(client.remoteAddress(), "remote* keep their values after close");
            destroyAll(client);
        }
    }
}
