package io.ffmnet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import static io.ffmnet.DgramTestKit.onLoop;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code socket.send()} in every shape (test-dgram-send-*, test-dgram-oob-buffer,
 * test-dgram-implicit-bind, test-dgram-send-callback-buffer-length, test-dgram-msgsize): the
 * callback is always asynchronous with the byte count or the error; sends before the bind wait for
 * it; received buffers are zero-copy views.
 */
@Timeout(180)
class DgramSendTest {
    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    /** Buffers the test made: its own references, released after it (the sends hold their own). */
    private final List<Buffer> mine = new ArrayList<>();

    @AfterEach
    void closeSocketsAndReleaseBuffers() {
        sockets.closeAll();
        mine.forEach(Buffer::release);
    }

    private Buffer mine(Buffer b) {
        mine.add(b);
        return b;
    }

    /** A loopback receiver that queues what it gets, for the test thread to take in order. */
    private final class Receiver {
        private record Received(String text, RemoteInfo info) {}

        private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();
        final DatagramSocket socket;
        final int port;
        /** The sender of the datagram {@link #next()} returned last. */
        RemoteInfo lastInfo;

        Receiver() {
            socket = sockets.add(Dgram.createSocket("udp4"));
            socket.on(DatagramSocket.MESSAGE, (msg, rinfo) -> queue.add(new Received(msg.toString(), rinfo)));
            DgramTestKit.listening(socket, "127.0.0.1");
            port = socket.address().port();
        }

        String next() {
            try {
                Received r = queue.poll(60, TimeUnit.SECONDS);   // a hang guard, not a measurement
                assertNotNull(r, "no datagram arrived");
                lastInfo = r.info();
                return r.text();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A send callback that must be called once, with no error and {@code expected} bytes. */
    private static BiConsumer<NetException, Integer> sentBytes(int expected) {
        return mustCall((NetException e, Integer n) -> {
            assertNull(e);
            assertEquals(expected, n);
        });
    }

    @Test
    void everyMessageShapeArrivesAsOneDatagramAndTheCallbackGetsItsLength() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.bound4();
        s.send(mine(Buffer.from("buffer")), r.port, "127.0.0.1", sentBytes(6));
        assertEquals("buffer", r.next());
        assertEquals(new RemoteInfo("127.0.0.1", "IPv4", s.address().port(), 6), r.lastInfo);
        s.send("text", r.port, "127.0.0.1", sentBytes(4));
        assertEquals("text", r.next());
        s.send("bytes".getBytes(StandardCharsets.UTF_8), r.port, "127.0.0.1", sentBytes(5));
        assertEquals("bytes", r.next());
        s.send(mine(Buffer.from("xxsliceyy")), 2, 5, r.port, "127.0.0.1", sentBytes(5));
        assertEquals("slice", r.next());
        s.send("xxarrayyy".getBytes(StandardCharsets.UTF_8), 2, 5, r.port, "127.0.0.1", sentBytes(5));
        assertEquals("array", r.next());
        s.send(List.of(mine(Buffer.from("one ")), mine(Buffer.from("datagram")), mine(Buffer.from(""))), r.port, "127.0.0.1",
                sentBytes(12));
        assertEquals("one datagram", r.next());
        s.send("default host", r.port, sentBytes(12));
        assertEquals("default host", r.next());
        s.send(mine(Buffer.from("no callback")), r.port, "127.0.0.1");
        assertEquals("no callback", r.next());
        s.send("empty host", r.port, "");
        assertEquals("empty host", r.next());
        awaitCalls();
    }

    @Test
    void anEmptyListOrEmptyBufferIsAZeroLengthDatagram() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.bound4();
        s.send(List.of(), r.port, "127.0.0.1", sentBytes(0));
        assertEquals("", r.next());
        assertEquals(0, r.lastInfo.size());
        s.send(mine(Buffer.alloc(0)), r.port, "127.0.0.1", sentBytes(0));
        assertEquals("", r.next());
        awaitCalls();
    }

    @Test
    void theCallbackIsNeverCalledInsideSend() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.bound4();
        AtomicBoolean returned = new AtomicBoolean();
        var callback = mustCall((NetException e, Integer n) -> assertTrue(returned.get(), "callback inside send()"));
        onLoop(() -> {
            s.send("x", r.port, "127.0.0.1", callback);
            returned.set(true);
        });
        awaitCalls();
    }

    @Test
    void aDatagramTooLargeForUdpFailsWithEMSGSIZEInNodesShape() {
        DatagramSocket s = sockets.bound4();
        s.on(DatagramSocket.ERROR, mustNotCall());
        s.send(mine(Buffer.alloc(70_000)), 9, "127.0.0.1", mustCall((NetException e, Integer n) -> {
            assertNull(n);
            assertEquals("EMSGSIZE", e.code());
            assertEquals(-90, e.errno());
            assertEquals("send", e.syscall());
            assertEquals("127.0.0.1", e.address());
            assertEquals(9, e.port());
            assertEquals("send EMSGSIZE 127.0.0.1:9", e.getMessage());
        }));
        s.send(mine(Buffer.alloc(70_000)), 9, "localhost", mustCall((NetException e, Integer n) ->
                assertEquals("send EMSGSIZE localhost:9", e.getMessage())));
        s.send(mine(Buffer.alloc(70_000)), 9, "127.0.0.1");   // no callback: dropped, as Node drops it
        awaitCalls();
    }

    @Test
    void sendingBeforeBindBindsToARandomPortFirst() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.on(DatagramSocket.LISTENING, mustCall(() -> {
            assertEquals("0.0.0.0", s.address().address());
            assertTrue(s.address().port() > 0);
        }));
        s.send("implicit", r.port, "127.0.0.1", sentBytes(8));
        assertEquals("implicit", r.next());
        awaitCalls();
        assertEquals(s.address().port(), r.lastInfo.port());
    }

    @Test
    void sendsMadeBeforeTheBindCompletesGoOutInOrderAfterIt() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        Runnable listening = mustCall(() -> order.add(0));
        onLoop(() -> {
            s.on(DatagramSocket.LISTENING, listening);
            for (int i = 1; i <= 5; i++) {
                int n = i;
                s.send("m" + i, r.port, "127.0.0.1", mustCall((NetException e, Integer bytes) -> order.add(n)));
            }
            s.send("by name", r.port, "localhost");
        });
        for (int i = 1; i <= 5; i++) {
            assertEquals("m" + i, r.next());
        }
        assertEquals("by name", r.next());
        awaitCalls();
        assertEquals(List.of(0, 1, 2, 3, 4, 5), order);
    }

    @Test
    void closeAfterQueuedSendsWaitsForThem() {
        Receiver r = new Receiver();
        DatagramSocket s = Dgram.createSocket("udp4");
        s.send("before close", r.port, "127.0.0.1", sentBytes(12));
        s.close(mustCall(() -> {}));
        assertEquals("before close", r.next());
        awaitCalls();
        assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING",
                assertThrows(InvalidStateException.class, () -> s.send("late", r.port, "127.0.0.1")).code());
    }

    @Test
    void aHostNameIsResolvedOffTheLoop() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.bound4();
        s.send("named", r.port, "localhost", sentBytes(5));
        assertEquals("named", r.next());
        awaitCalls();
    }

    @Test
    void aNameThatDoesNotResolveGoesToTheCallbackOrElseToAnErrorEvent() {
        DatagramSocket s = sockets.bound4();
        s.send("x", 9, "nonexistent.invalid", mustCall((NetException e, Integer n) -> {
            assertEquals("getaddrinfo", e.syscall());
            assertEquals("nonexistent.invalid", e.hostname());
        }));
        awaitCalls();
        s.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("getaddrinfo", e.syscall())));
        s.send("x", 9, "nonexistent.invalid");
        awaitCalls();
    }

    @Test
    void aDestinationOfTheOtherFamilyIsEINVAL() {
        DatagramSocket s = sockets.bound4();
        s.send("x", 9, "::1", mustCall((NetException e, Integer n) -> assertEquals("send EINVAL ::1:9", e.getMessage())));
        awaitCalls();
    }

    @Test
    void badArgumentsThrowAtOnceWithNodesCodes() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        InvalidArgumentException port = assertThrows(InvalidArgumentException.class, () -> s.send("x", 0, "127.0.0.1"));
        assertEquals("ERR_SOCKET_BAD_PORT", port.code());
        assertEquals("Port should be > 0 and < 65536. Received type number (0).", port.getMessage());
        assertEquals("Port should be > 0 and < 65536. Received undefined.",
                assertThrows(InvalidArgumentException.class, () -> s.send("not connected")).getMessage());
        InvalidArgumentException offset = assertThrows(InvalidArgumentException.class,
                () -> s.send(mine(Buffer.from("abc")), 4, 0, 9, "127.0.0.1"));
        assertEquals("ERR_BUFFER_OUT_OF_BOUNDS", offset.code());
        assertEquals("\"offset\" is outside of buffer bounds", offset.getMessage());
        assertEquals("\"length\" is outside of buffer bounds", assertThrows(InvalidArgumentException.class,
                () -> s.send(mine(Buffer.from("abc")), 1, 3, 9, "127.0.0.1")).getMessage());
        assertEquals("ERR_INVALID_ARG_TYPE",
                assertThrows(InvalidArgumentException.class, () -> s.send((Buffer) null, 9, "127.0.0.1")).code());
        List<Buffer> withNull = new ArrayList<>();
        withNull.add(null);
        assertEquals("ERR_INVALID_ARG_TYPE",
                assertThrows(InvalidArgumentException.class, () -> s.send(withNull, 9, "127.0.0.1")).code());
        Buffer released = Buffer.from("gone");
        released.release();
        assertThrows(IllegalStateException.class, () -> s.send(released, 9, "127.0.0.1"));
        assertEquals("getsockname EBADF", assertThrows(NetException.class, s::address).getMessage(),
                "the failed calls started no bind");
    }

    @Test
    void aBufferPassedToSendIsKeptAliveUntilSentAndThenLetGo() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        Buffer kept = Buffer.from("kept");
        s.send(kept, r.port, "127.0.0.1", mustCall((NetException e, Integer n) ->
                assertEquals(1, kept.refCnt(), "the send dropped its reference, the caller's remains")));
        Buffer early = Buffer.from("released at once");
        s.send(early, r.port, "127.0.0.1");
        early.release();   // the caller's reference; the send holds its own until the datagram is out
        assertEquals("kept", r.next());
        assertEquals("released at once", r.next());
        awaitCalls();
        assertTrue(kept.release());
    }

    @Test
    void theMessageBufferIsAViewValidUntilTheListenerReturnsUnlessRetained() {
        DatagramSocket s = sockets.bound4();
        AtomicReference<Buffer> kept = new AtomicReference<>();
        AtomicReference<Buffer> dropped = new AtomicReference<>();
        DatagramSocket receiver = sockets.add(Dgram.createSocket("udp4"));
        receiver.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            assertEquals(1, msg.refCnt());
            if (kept.get() == null) {
                kept.set(msg.retain());
            } else {
                dropped.set(msg);
            }
        }, 2));
        DgramTestKit.listening(receiver, "127.0.0.1");
        s.send("retained", receiver.address().port(), "127.0.0.1");
        s.send("dropped", receiver.address().port(), "127.0.0.1");
        awaitCalls();
        onLoop(() -> {});   // the listener's caller releases after it returns: let it finish
        assertEquals("retained", kept.get().toString());
        assertEquals(0, dropped.get().refCnt());
        assertThrows(IllegalStateException.class, () -> dropped.get().toString());
        assertTrue(kept.get().release());
    }

    @Test
    void aDatagramLargerThanMaxMessageSizeArrivesTruncatedAndSaysSo() {
        DatagramSocket receiver = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").maxMessageSize(16)));
        receiver.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            if (rinfo.size() == 100) {
                assertEquals(16, msg.length());
                assertTrue(rinfo.truncated(msg));
                assertEquals("0123456789abcdef", msg.toString());
            } else {
                assertEquals(16, rinfo.size());
                assertFalse(rinfo.truncated(msg));
            }
        }, 2));
        DgramTestKit.listening(receiver, "127.0.0.1");
        DatagramSocket s = sockets.bound4();
        s.send("0123456789abcdef".repeat(7).substring(0, 100), receiver.address().port(), "127.0.0.1");
        s.send("0123456789abcdef", receiver.address().port(), "127.0.0.1");
        awaitCalls();
    }

    @Test
    void aLargeDatagramArrivesWhole() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.bound4();
        String big = "z".repeat(65_507);   // the largest UDP payload over IPv4
        s.send(big, r.port, "127.0.0.1", sentBytes(65_507));
        assertEquals(big, r.next());
        awaitCalls();
    }

    /** Parts of one byte each, as many as asked: one datagram of that many bytes. */
    private List<Buffer> parts(int count) {
        List<Buffer> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(mine(Buffer.from(Integer.toString(i % 10))));
        }
        return list;
    }

    @Test
    void aListOfMorePartsThanTheSharedIovecsHoldIsStillOneDatagram() {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.bound4();
        s.send(parts(300), r.port, "127.0.0.1", sentBytes(300));
        assertEquals("0123456789".repeat(30), r.next());
        awaitCalls();
        // From a MESSAGE listener the send is queued, and leaves through the batch path.
        DatagramSocket echo = sockets.add(Dgram.createSocket("udp4"));
        List<Buffer> reply = parts(200);
        echo.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) ->
                echo.send(reply, rinfo.port(), rinfo.address(), sentBytes(200))));
        DgramTestKit.listening(echo, "127.0.0.1");
        r.socket.send("ping", echo.address().port(), "127.0.0.1");
        assertEquals("0123456789".repeat(20), r.next());
        awaitCalls();
    }

    @Test
    void aListOfMorePartsThanTheKernelTakesIsEMSGSIZE() {
        DatagramSocket s = sockets.bound4();
        s.send(parts(1025), 9, "127.0.0.1", mustCall((NetException e, Integer n) -> assertEquals("EMSGSIZE", e.code())));
        awaitCalls();
    }

    @Test
    void aDatagramStillQueuedWhenTheSocketClosesCompletesWithECANCELEDAfterClose() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        s.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            s.send(msg, rinfo.port(), rinfo.address(), mustCall((NetException e, Integer n) -> {
                order.add("send callback");
                assertEquals("ECANCELED", e.code());
                assertEquals("send ECANCELED 127.0.0.1:" + rinfo.port(), e.getMessage());
            }));
            s.close(mustCall(() -> order.add("close")));   // the reply is still queued (corked)
        }));
        DgramTestKit.listening(s, "127.0.0.1");
        Receiver r = new Receiver();
        r.socket.send("ping", s.address().port(), "127.0.0.1");
        awaitCalls();
        assertEquals(List.of("close", "send callback"), order, "as libuv: CLOSE on the next tick, cancellations in the close phase");
    }

    @Test
    void sendsFromManyThreadsAllArrive() throws InterruptedException {
        Receiver r = new Receiver();
        DatagramSocket s = sockets.bound4();
        int threads = 4;
        int each = 25;   // 100 in all: a burst the receive buffer holds
        var sent = mustCall((NetException e, Integer n) -> assertNull(e), threads * each);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            senders.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    s.send(id + ":" + i, r.port, "127.0.0.1", sent);
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        List<String> got = new ArrayList<>();
        for (int i = 0; i < threads * each; i++) {
            got.add(r.next());
        }
        awaitCalls();
        for (int t = 0; t < threads; t++) {
            int id = t;
            List<String> fromThread = got.stream().filter(m -> m.startsWith(id + ":")).toList();
            assertEquals(each, fromThread.size());
            for (int i = 0; i < each; i++) {
                assertEquals(id + ":" + i, fromThread.get(i), "each thread's datagrams keep its order");
            }
        }
    }

    @Test
    void repliesSentFromAMessageListenerAreQueuedAndLeaveTogetherAfterTheBatch() {
        DatagramSocket echo = sockets.add(Dgram.createSocket("udp4"));
        echo.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            echo.send(msg, rinfo.port(), rinfo.address());
            assertEquals(1, echo.getSendQueueCount(), "queued until the batch is delivered");
            assertEquals(msg.length(), echo.getSendQueueSize());
        }));
        DgramTestKit.listening(echo, "127.0.0.1");
        Receiver r = new Receiver();
        r.socket.send("ping", echo.address().port(), "127.0.0.1");
        assertEquals("ping", r.next());
        awaitCalls();
        assertEquals(0, echo.getSendQueueCount());
    }

    /**
     * 10,000 datagrams through an echo server and back, with at most {@link #WINDOW} in flight so
     * that no socket buffer can overflow (UDP drops what does not fit, even on loopback): every
     * one must come back, each exactly once. Exercises recvmmsg batches and sendmmsg of replies.
     */
    @Test
    void tenThousandDatagramsAreAllDeliveredWhenTheReceiverKeepsUp() {
        final int total = 10_000;
        DatagramSocket echo = sockets.add(Dgram.createSocket("udp4"));
        echo.on(DatagramSocket.MESSAGE, (msg, rinfo) -> echo.send(msg, rinfo.port(), rinfo.address()));
        DgramTestKit.listening(echo, "127.0.0.1");
        int echoPort = echo.address().port();
        boolean[] seen = new boolean[total];
        int[] counts = new int[2];   // [sent, received]; loop thread only
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        Runnable done = mustCall(() -> {});
        client.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            int n = Integer.parseInt(msg.toString());
            assertFalse(seen[n], "datagram " + n + " twice");
            seen[n] = true;
            if (++counts[1] == total) {
                done.run();
            }
            if (counts[0] < total) {
                client.send(Integer.toString(counts[0]++), echoPort, "127.0.0.1");
            }
        });
        onLoop(() -> {
            while (counts[0] < WINDOW) {
                client.send(Integer.toString(counts[0]++), echoPort, "127.0.0.1");
            }
        });
        awaitCalls();
        for (int i = 0; i < total; i++) {
            assertTrue(seen[i], "datagram " + i + " missing");
        }
    }

    private static final int WINDOW = 64;
}
