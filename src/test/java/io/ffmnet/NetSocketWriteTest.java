package io.ffmnet;

import io.ffmnet.SocketTestSupport.Collector;
import io.ffmnet.SocketTestSupport.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.connectPaused;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code socket.write()}: every form of data, callbacks exactly once and in order, the
 * high-water mark and {@code 'drain'}, writes after end or destroy, writes from other threads,
 * and the errors of writing to a peer that reset the connection.
 */
@Timeout(120)
class NetSocketWriteTest {

    /** A server whose connections collect everything until END. */
    private static TestServer collectingServer(CompletableFuture<Collector> done) {
        return server(s -> {
            Collector c = new Collector(true);
            s.on(Socket.DATA, c);
            s.on(Socket.END, () -> done.complete(c));
        });
    }

    @Test
    void aReplyWrittenJustBeforeDestroyInADataListenerStillReachesThePeer() {
        // Writes made while the loop dispatches reads are held back until the dispatch ends; a
        // destroy in between must not lose them: Node (libuv) writes at once, so the peer gets
        // the reply and the write callback reports success.
        TestServer server = server(s -> s.on(Socket.DATA, b -> {
            s.write("bye", mustCall(e -> assertNull(e)));
            s.destroy();
        }));
        Socket client = connect(server.port);
        Collector reply = new Collector(true);
        CompletableFuture<String> closed = new CompletableFuture<>();
        client.on(Socket.DATA, reply);
        client.on(Socket.CLOSE, hadError -> closed.complete(reply.text()));
        client.write("hi");
        assertEquals("bye", await(closed));
        awaitCalls();
        server.close();
    }

    @Test
    void everyWriteFormArrivesIntactWithAndWithoutCallbacks() {
        CompletableFuture<Collector> received = new CompletableFuture<>();
        TestServer server = collectingServer(received);
        Socket client = connect(server.port);
        Consumer<NetException> written = mustCall(e -> assertNull(e), 8);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();

        Buffer buffer = Buffer.from("buffer;");
        client.write(buffer);
        client.write(buffer, written);
        buffer.release();  // the writes hold their own references
        expected.writeBytes("buffer;buffer;".getBytes(StandardCharsets.UTF_8));

        client.write(new byte[] {1, 2, 3});
        client.write(new byte[] {4, 5}, written);
        expected.writeBytes(new byte[] {1, 2, 3, 4, 5});

        client.write("string;");
        client.write("ünïcödé;", written);
        expected.writeBytes("string;ünïcödé;".getBytes(StandardCharsets.UTF_8));

        client.write("é", StandardCharsets.ISO_8859_1);
        client.write("ü", StandardCharsets.ISO_8859_1, written);
        expected.writeBytes(new byte[] {(byte) 0xE9, (byte) 0xFC});

        ByteBuffer direct = ByteBuffer.allocateDirect(16).put("direct;".getBytes(StandardCharsets.US_ASCII)).flip();
        client.write(direct);
        client.write(direct, written);
        assertEquals(0, direct.position(), "write leaves the ByteBuffer's position alone");
        expected.writeBytes("direct;direct;".getBytes(StandardCharsets.US_ASCII));

        // A heap buffer, with only position..limit written.
        ByteBuffer heap = ByteBuffer.wrap("xxheap;yy".getBytes(StandardCharsets.US_ASCII), 2, 5);
        client.write(heap);
        client.write(heap, written);
        expected.writeBytes("heap;heap;".getBytes(StandardCharsets.US_ASCII));

        // A segment may be freed as soon as write returns: the bytes were copied.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocateFrom("segment;");
            MemorySegment noNul = seg.asSlice(0, seg.byteSize() - 1);
            client.write(noNul);
            client.write(noNul, written);
        }
        expected.writeBytes("segment;segment;".getBytes(StandardCharsets.US_ASCII));

        byte[] large = randomBytes(1 << 20, 7);  // larger than any pool class: malloc'd
        client.write(large, written);
        expected.writeBytes(large);
        client.end();

        Collector c = await(received);
        awaitCalls();
        assertEquals(sha256(expected.toByteArray()), c.hash());
        assertArrayEquals(expected.toByteArray(), c.bytes());
        assertEquals(expected.size(), client.bytesWritten());
        destroyAll(client);
        server.close();
    }

    @Test
    void echoingAReceivedBufferCopiesNothingAndKeepsItValidUntilWritten() {
        byte[] data = randomBytes(16 << 20, 11);
        AtomicInteger heldByAWrite = new AtomicInteger();
        Collector serverSaw = new Collector(false);
        TestServer server = server(s -> {
            s.on(Socket.DATA, b -> {
                serverSaw.accept(b);
                b.retain();
                s.write(b);
                // While the write is queued, it holds the very same memory: a second reference.
                if (b.refCnt() == 2) {
                    heldByAWrite.incrementAndGet();
                }
                b.release();  // ours; the write keeps the memory valid until the kernel took it
            });
        });
        // The client reads nothing until it has sent everything, so the echo queues up.
        Socket client = connect(server.port);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        onLoop(() -> client.write(data, e -> sent.complete(null)));
        await(sent);
        Collector echoed = new Collector(false);
        CompletableFuture<Void> allBack = new CompletableFuture<>();
        client.on(Socket.DATA, b -> {
            echoed.accept(b);
            if (echoed.count() == data.length) {
                allBack.complete(null);
            }
        });
        await(allBack);
        assertEquals(sha256(data), serverSaw.hash());
        assertEquals(sha256(data), echoed.hash());
        assertTrue(heldByAWrite.get() > 0, "no echo write was ever queued holding the received buffer");
        destroyAll(client);
        server.close();
    }

    @Test
    void tenThousandWritesEachRunTheirCallbackExactlyOnceAndInOrder() {
        int n = 10_000;
        CompletableFuture<Collector> received = new CompletableFuture<>();
        TestServer server = collectingServer(received);
        Socket client = connect(server.port);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        Consumer<Integer> callbackRan = mustCall(i -> order.add(i), n);
        StringBuilder expected = new StringBuilder();
        onLoop(() -> {
            for (int i = 0; i < n; i++) {
                int index = i;
                String line = i + "\n";
                expected.append(line);
                client.write(line, e -> {
                    assertNull(e);
                    callbackRan.accept(index);
                });
            }
            client.end();
        });
        awaitCalls();
        assertEquals(n, order.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, order.get(i));
        }
        assertEquals(expected.toString(), await(received).text());
        destroyAll(client);
        server.close();
    }

    @Test
    void writeReturnsFalseAtTheHighWaterMarkAndDrainFollowsOnceBeforeTheLastCallback() {
        TestServer server = server(s -> s.on(Socket.DATA, b -> {}));
        Socket client = connect(server.port);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        client.once(Socket.DRAIN, mustCall(() -> events.add("drain")));
        Runnable last = mustCall(() -> {});
        onLoop(() -> {
            assertTrue(client.write(new byte[1000], e -> events.add("cb1")), "a small write is below the mark");
            assertTrue(client.write(new byte[SocketOptions.DEFAULT_HIGH_WATER_MARK - 1001], e -> events.add("cb2")),
                    "one byte below the mark");
            assertFalse(client.write(new byte[1], e -> {
                events.add("cb3");
                last.run();
            }), "the write that reaches 64 KiB returns false");
        });
        awaitCalls();
        // Node's afterWrite emits 'drain' before the callback of the write that emptied the queue.
        assertEquals(List.of("cb1", "cb2", "drain", "cb3"), events);

        // One 64 KiB write alone reaches the mark too; DRAIN again, once.
        client.once(Socket.DRAIN, mustCall(() -> {}));
        onLoop(() -> assertFalse(client.write(new byte[SocketOptions.DEFAULT_HIGH_WATER_MARK])));
        awaitCalls();
        destroyAll(client);
        server.close();
    }

    @Test
    void aCustomHighWaterMarkApplies() {
        TestServer server = server(s -> s.on(Socket.DATA, b -> {}));
        Socket client = connect(new ConnectOptions().port(server.port).host("127.0.0.1").highWaterMark(100));
        client.on(Socket.DRAIN, mustCall(() -> {}));
        onLoop(() -> {
            assertTrue(client.write(new byte[99]));
            assertFalse(client.write(new byte[1]));
        });
        awaitCalls();

        Socket other = new Socket(new SocketOptions().highWaterMark(10));
        CompletableFuture<Void> connected = new CompletableFuture<>();
        other.connect(server.port, "127.0.0.1", () -> connected.complete(null));
        await(connected);
        other.on(Socket.DRAIN, mustCall(() -> {}));
        onLoop(() -> {
            assertTrue(other.write("123456789"));
            assertFalse(other.write("0"));
        });
        awaitCalls();
        destroyAll(client, other);
        server.close();
    }

    @Test
    void bufferSizeCountsQueuedBytesAndBytesWrittenCountsAll() {
        // A paused server reads no more than its high-water mark: the kernel's buffers fill and
        // our queue keeps the rest.
        TestServer server = server(s -> s.pause());
        Socket client = connect(server.port);
        int chunk = 1 << 20;
        int chunks = 32;
        AtomicReference<Long> queuedAfterWrites = new AtomicReference<>();
        onLoop(() -> {
            for (int i = 0; i < chunks; i++) {
                client.write(new byte[chunk]);
            }
            queuedAfterWrites.set(client.bufferSize());
        });
        long queued = queuedAfterWrites.get();
        assertTrue(queued > 0 && queued <= (long) chunk * chunks, "bufferSize " + queued);
        assertEquals((long) chunk * chunks, client.bytesWritten(), "bytesWritten includes queued bytes, as Node's");

        // Reading at last drains our queue.
        client.on(Socket.DRAIN, mustCall(() -> assertEquals(0, client.bufferSize())));
        Socket accepted = server.accepted.getFirst();
        accepted.on(Socket.DATA, b -> {});
        accepted.resume();
        awaitCalls();
        assertEquals(0, client.bufferSize());
        assertEquals((long) chunk * chunks, client.bytesWritten());
        destroyAll(client);
        server.close();
    }

    @Test
    void writeAfterEndFailsTheCallbackThenErrorsAndClosesTheSocket() {
        TestServer server = server(s -> s.on(Socket.DATA, b -> {}));
        Socket client = connect(server.port);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<NetException> fromCallback = new AtomicReference<>();
        client.on(Socket.ERROR, mustCall((NetException e) -> {
            events.add("error " + e.code());
            assertSame(fromCallback.get(), e, "one error object for the callback and the event");
        }));
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> events.add("close " + hadError)));
        onLoop(() -> {
            client.end();
            assertFalse(client.write("late", mustCall((NetException e) -> {
                fromCallback.set(e);
                events.add("callback " + e.code());
                assertEquals("write after end", e.getMessage());
            })), "write after end returns false");
        });
        awaitCalls();
        assertEquals(List.of("callback ERR_STREAM_WRITE_AFTER_END", "error ERR_STREAM_WRITE_AFTER_END",
                "close true"), events);
        // Still "write after end" once closed, as Node's _write tests ending before destroyed;
        // the socket is destroyed already, so no second ERROR.
        client.write("later", mustCall((NetException e) -> assertEquals("ERR_STREAM_WRITE_AFTER_END", e.code())));
        awaitCalls();
        server.close();
    }

    @Test
    void writeAfterDestroyFailsTheCallbackWithErrStreamDestroyedAndEmitsNoError() {
        TestServer server = server(s -> s.on(Socket.DATA, b -> {}));
        Socket client = connect(server.port);
        client.on(Socket.ERROR, mustNotCall());
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        onLoop(() -> {
            client.destroy();
            assertFalse(client.write("late", mustCall((NetException e) -> {
                assertEquals("ERR_STREAM_DESTROYED", e.code());
                assertEquals("Cannot call write after a stream was destroyed", e.getMessage());
            })));
        });
        awaitCalls();
        // After destroy(err) too: the late write gets ERR_STREAM_DESTROYED, the error is emitted once.
        Socket other = connect(server.port);
        NetException cause = new NetException("EFOO", "test failure");
        other.on(Socket.ERROR, mustCall((NetException e) -> assertSame(cause, e)));
        other.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertTrue(hadError)));
        onLoop(() -> {
            other.destroy(cause);
            other.write("late", mustCall((NetException e) -> assertEquals("ERR_STREAM_DESTROYED", e.code())));
        });
        awaitCalls();
        server.close();
    }

    @Test
    void writesFromManyThreadsArriveCompleteInEachThreadsOrder() throws InterruptedException {
        int threads = 8;
        int perThread = 2_000;
        CompletableFuture<Collector> received = new CompletableFuture<>();
        TestServer server = collectingServer(received);
        Socket client = connect(server.port);
        Consumer<NetException> written = mustCall(e -> assertNull(e), threads * perThread);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            writers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    String line = id + ":" + i + "\n";
                    switch (i % 3) {
                        case 0 -> client.write(line, written);
                        case 1 -> client.write(line.getBytes(StandardCharsets.UTF_8), written);
                        default -> {
                            Buffer b = Buffer.from(line);
                            client.write(b, written);
                            b.release();
                        }
                    }
                }
            }));
        }
        start.countDown();
        for (Thread w : writers) {
            w.join();
        }
        client.end();
        String text = await(received).text();
        awaitCalls();
        Map<Integer, Integer> next = new HashMap<>();
        String[] lines = text.split("\n");
        assertEquals(threads * perThread, lines.length);
        for (String line : lines) {
            String[] parts = line.split(":");
            int id = Integer.parseInt(parts[0]);
            int seq = Integer.parseInt(parts[1]);
            assertEquals(next.getOrDefault(id, 0), seq, "thread " + id + " out of order");
            next.put(id, seq + 1);
        }
        destroyAll(client);
        server.close();
    }

    @Test
    void writingNullThrowsErrInvalidArgType() {
        Socket s = new Socket();
        List<Runnable> calls = List.of(
                () -> s.write((Buffer) null),
                () -> s.write((Buffer) null, e -> {}),
                () -> s.write((byte[]) null),
                () -> s.write((String) null),
                () -> s.write((String) null, StandardCharsets.UTF_8),
                () -> s.write((ByteBuffer) null),
                () -> s.write((MemorySegment) null));
        for (Runnable call : calls) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, call::run);
            assertEquals("ERR_INVALID_ARG_TYPE", e.code());
            assertTrue(e.getMessage().startsWith("The \"chunk\" argument must be"), e.getMessage());
        }
        assertEquals(0, s.bufferSize(), "nothing was queued");
        destroyAll(s);
    }

    @Test
    void writingToAPeerThatResetFailsWithEpipeOrEconnresetAndFailsThePendingCallbacks() {
        CompletableFuture<Void> peerReset = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.on(Socket.CLOSE, hadError -> peerReset.complete(null));
            s.on(Socket.DATA, b -> s.resetAndDestroy());
        });
        // The client never reads, so it learns of the reset from a write, as in Node.
        Socket client = connectPaused(server.port);
        client.write("x");
        AtomicReference<NetException> error = new AtomicReference<>();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        client.on(Socket.ERROR, mustCall((NetException e) -> {
            error.set(e);
            events.add("error");
        }));
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> {
            assertTrue(hadError);
            events.add("close");
        }));
        await(peerReset);
        List<NetException> callbackErrors = Collections.synchronizedList(new ArrayList<>());
        Consumer<NetException> failed = mustCall(e -> {
            callbackErrors.add(e);
            events.add("callback");
        }, 4);
        onLoop(() -> {
            // Node buffers the writes made behind a failing one and fails them with its error.
            client.write(new byte[32 << 20], failed);
            client.write("a", failed);
            client.write(new byte[100], failed);
            client.write("b", failed);
        });
        awaitCalls();
        NetException e = error.get();
        assertNotNull(e);
        assertTrue(e.code().equals("EPIPE") || e.code().equals("ECONNRESET"), e.code());
        assertEquals("write", e.syscall());
        assertTrue(e.errno() < 0);
        for (NetException lost : callbackErrors) {
            assertNotNull(lost, "a lost write's callback got null");
            assertEquals(e.code(), lost.code());
        }
        assertEquals(List.of("callback", "callback", "callback", "callback", "error", "close"), events);
        server.close();
    }

    @Test
    void aResetWhileWritesAreQueuedFailsEveryQueuedCallbackWithTheWriteError() {
        TestServer server = server(s -> s.pause());  // reads nothing: our writes queue up
        Socket client = connectPaused(server.port);  // and learns of the reset only by writing
        AtomicReference<NetException> error = new AtomicReference<>();
        client.on(Socket.ERROR, mustCall((NetException e) -> error.set(e)));
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertTrue(hadError)));
        List<NetException> lost = Collections.synchronizedList(new ArrayList<>());
        Consumer<NetException> failed = mustCall(e -> lost.add(e), 3);
        long queued = SocketTestSupport.onLoopGet(() -> {
            client.write(new byte[32 << 20], failed);
            client.write("a", failed);
            client.write("b", failed);
            return client.bufferSize();
        });
        assertTrue(queued > 0);
        server.accepted.getFirst().resetAndDestroy();
        awaitCalls();
        NetException e = error.get();
        assertTrue(e.code().equals("EPIPE") || e.code().equals("ECONNRESET"), e.code());
        assertEquals("write", e.syscall());
        assertEquals(3, lost.size());
        for (NetException l : lost) {
            assertSame(e, l, "each queued write reports the error that lost it");
        }
        server.close();
    }

    @Test
    void writesMadeBeforeTheConnectionIsUpAreSentInOrderOnceConnected() {
        CompletableFuture<Collector> received = new CompletableFuture<>();
        TestServer server = collectingServer(received);
        Socket client = new Socket();
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        onLoop(() -> {
            client.connect(server.port, "127.0.0.1");
            assertTrue(client.connecting());
            for (int i = 0; i < 5; i++) {
                int n = i;
                client.write("early " + i + ";", mustCall((NetException e) -> {
                    assertNull(e);
                    order.add(n);
                }));
            }
            client.end("last");
        });
        assertEquals("early 0;early 1;early 2;early 3;early 4;last", await(received).text());
        awaitCalls();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        destroyAll(client);
        server.close();
    }

    /** Node: the write held while connecting gets ERR_SOCKET_CLOSED_BEFORE_CONNECTION, after 'error'. */
    @Test
    void writesMadeBeforeAFailedConnectGetTheirErrorsBetweenErrorAndClose() {
        TestServer gone = server(s -> {});
        int port = gone.port;
        gone.close();  // nothing listens there now: ECONNREFUSED
        Socket client = new Socket();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        client.on(Socket.ERROR, mustCall((NetException e) -> events.add("error " + e.code())));
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> events.add("close " + hadError)));
        onLoop(() -> {
            client.connect(port, "127.0.0.1");
            client.write("a", mustCall((NetException e) -> events.add("cb1 " + e.code())));
            client.write("b", mustCall((NetException e) -> events.add("cb2 " + e.code())));
        });
        awaitCalls();
        // What Node 20 prints for the same program.
        assertEquals(List.of("error ECONNREFUSED", "cb1 ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "cb2 ECONNREFUSED",
                "close true"), events);
    }

    @Test
    void writesMadeBeforeADestroyWhileConnectingGetErrSocketClosedBeforeConnection() {
        TestServer server = server(s -> {});
        Socket client = new Socket();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        client.on(Socket.ERROR, mustNotCall());
        client.on(Socket.CLOSE, mustCall((Boolean hadError) -> events.add("close " + hadError)));
        onLoop(() -> {
            client.connect(server.port, "127.0.0.1");
            client.write("a", mustCall((NetException e) -> {
                events.add("cb1 " + e.code());
                assertEquals("Socket closed before the connection was established", e.getMessage());
            }));
            client.write("b", mustCall((NetException e) -> events.add("cb2 " + e.code())));
            client.destroy();
        });
        awaitCalls();
        assertEquals(List.of("cb1 ERR_SOCKET_CLOSED_BEFORE_CONNECTION", "cb2 ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
                "close false"), events);
        server.close();
    }
}
