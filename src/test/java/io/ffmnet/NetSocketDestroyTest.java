package io.ffmnet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.NetServerTestKit.close;
import static io.ffmnet.NetServerTestKit.listen;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code socket.destroy()}, {@code destroy(err)} and {@code resetAndDestroy()}
 * (test-net-socket-destroy-twice, test-net-socket-reset-and-destroy, test-net-write-after-close,
 * test-net-socket-write-after-close): what the socket and its peer see, and what happens to
 * writes that were still queued.
 */
@Timeout(120)
class NetSocketDestroyTest {
    private final NetServerTestKit.Handles handles = new NetServerTestKit.Handles();

    @AfterEach
    void closeHandles() {
        handles.closeAll();
    }

    /** A listening server on 127.0.0.1 whose connections read; returns its port. */
    private int readingServer(Server server) {
        int port = listen(server, "127.0.0.1");
        server.on(Server.CONNECTION, s -> s.resume());
        return port;
    }

    @Test
    void destroyEmitsCloseFalseAndNoError() {
        Server server = handles.add(Net.createServer());
        int port = readingServer(server);
        Socket c = handles.add(new Socket());
        c.on(Socket.ERROR, mustNotCall());
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {
            assertFalse(hadError);
            assertTrue(c.destroyed());
        }));
        c.connect(port, "127.0.0.1", () -> {
            c.destroy();
            assertTrue(c.destroyed(), "destroyed at once");
        });
        awaitCalls();
        close(server);
    }

    @Test
    void destroyWithAnErrorEmitsThatErrorThenCloseTrue() {
        Server server = handles.add(Net.createServer());
        int port = readingServer(server);
        NetException cause = new NetException("EFOO", "something went wrong");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Socket c = handles.add(new Socket());
        c.on(Socket.ERROR, mustCall((NetException e) -> {
            assertSame(cause, e);
            events.add("error");
        }));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> events.add("close " + hadError)));
        c.connect(port, "127.0.0.1", () -> c.destroy(cause));
        awaitCalls();
        assertEquals(List.of("error", "close true"), events);
        close(server);
    }

    @Test
    void destroyWithAnotherThrowableReportsItAsTheCause() {
        Server server = handles.add(Net.createServer());
        int port = readingServer(server);
        IllegalStateException cause = new IllegalStateException("not a NetException");
        Socket c = handles.add(new Socket());
        c.on(Socket.ERROR, mustCall((NetException e) -> assertSame(cause, e.getCause())));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertTrue(hadError)));
        c.connect(port, "127.0.0.1", () -> c.destroy(cause));
        awaitCalls();
        close(server);
    }

    @Test
    void destroyingTwiceIsHarmless() {
        Server server = handles.add(Net.createServer());
        int port = readingServer(server);
        Socket c = handles.add(new Socket());
        c.on(Socket.ERROR, mustNotCall());
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        c.connect(port, "127.0.0.1", () -> {
            c.destroy();
            c.destroy();
            // An error given to a second destroy finds the socket already destroyed.
            c.destroy(new NetException("ELATE", "too late"));
            c.resetAndDestroy();
        });
        awaitCalls();
        close(server);
    }

    @Test
    void resetAndDestroyMakesThePeerSeeEconnresetThenCloseTrue() {
        Server server = handles.add(Net.createServer());
        int port = listen(server, "127.0.0.1");
        // The server resets once the client's first bytes arrived, so the client is connected
        // by then: a reset racing the handshake would fail the connect instead (connect
        // ECONNRESET), in Node as here.
        server.on(Server.CONNECTION, mustCall((Socket s) -> {
            s.on(Socket.ERROR, mustNotCall());
            s.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
            s.once(Socket.DATA, b -> s.resetAndDestroy());
        }));
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<NetException> error = new AtomicReference<>();
        Socket c = handles.add(new Socket());
        c.on(Socket.END, mustNotCall());
        c.on(Socket.ERROR, mustCall((NetException e) -> {
            events.add("error");
            error.set(e);
        }));
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> events.add("close " + hadError)));
        c.resume();
        c.connect(port, "127.0.0.1", () -> c.write("hello"));
        awaitCalls();
        assertEquals(List.of("error", "close true"), events);
        NetException e = error.get();
        assertEquals("ECONNRESET", e.code());
        assertEquals(-104, e.errno());
        assertEquals("read", e.syscall());
        assertEquals("read ECONNRESET", e.getMessage());
        close(server);
    }

    @Test
    void aWriteAfterDestroyGetsErrStreamDestroyedAndNoErrorEvent() {
        Server server = handles.add(Net.createServer());
        int port = readingServer(server);
        Socket c = handles.add(new Socket());
        c.on(Socket.ERROR, mustNotCall());
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        c.connect(port, "127.0.0.1", () -> {
            c.destroy();
            c.write("after destroy", mustCall((NetException e) -> {
                assertEquals("ERR_STREAM_DESTROYED", e.code());
                assertEquals("Cannot call write after a stream was destroyed", e.getMessage());
            }));
        });
        awaitCalls();
        // And once closed, from another thread too.
        c.write("after close".getBytes(StandardCharsets.UTF_8),
                mustCall((NetException e) -> assertEquals("ERR_STREAM_DESTROYED", e.code())));
        awaitCalls();
        close(server);
    }

    @Test
    void writesStillQueuedAtDestroyGetTheirCallbacksExactlyOnceWithAnError() {
        int writes = 1000;
        Buffer chunk = Buffer.alloc(64 * 1024);  // 64 MiB in all: more than the socket buffers take
        Server server = handles.add(Net.createServer(new ServerOptions().pauseOnConnect(true), null));
        int port = listen(server, "127.0.0.1");
        AtomicReference<Socket> accepted = new AtomicReference<>();
        server.on(Server.CONNECTION, mustCall(accepted::set));
        AtomicIntegerArray calls = new AtomicIntegerArray(writes);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> codes = new AtomicReference<>("");
        AtomicInteger queuedAtDestroy = new AtomicInteger();
        Socket c = handles.add(new Socket());
        c.on(Socket.ERROR, mustNotCall());
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        Runnable allCallbacksRan = mustCall(() -> {}, writes);
        c.connect(port, "127.0.0.1", () -> {
            for (int i = 0; i < writes; i++) {
                int index = i;
                c.write(chunk, e -> {
                    calls.incrementAndGet(index);
                    if (e == null) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        if (!codes.get().contains(e.code())) {
                            codes.set(codes.get() + e.code() + " ");
                        }
                    }
                    allCallbacksRan.run();
                });
            }
            queuedAtDestroy.set((int) Math.min(Integer.MAX_VALUE, c.bufferSize()));
            c.destroy();
        });
        awaitCalls();
        chunk.release();
        for (int i = 0; i < writes; i++) {
            assertEquals(1, calls.get(i), "callbacks of write " + i);
        }
        assertTrue(queuedAtDestroy.get() > 0, "some bytes were still queued when destroy() ran");
        assertTrue(failed.get() > 0, "the writes still queued failed: ok " + ok + ", failed " + failed);
        assertEquals("ERR_STREAM_DESTROYED ", codes.get());
        assertEquals(0, c.bufferSize());
        accepted.get().destroy();  // paused since connect, it never reads the client's FIN
        close(server);
    }

    @Test
    void methodsAfterCloseDoNotThrowAndReportTheClosedState() {
        Server server = handles.add(Net.createServer());
        int port = readingServer(server);
        Socket c = handles.add(new Socket());
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> {}));
        c.connect(port, "127.0.0.1", () -> c.destroy());
        awaitCalls();
        assertTrue(c.destroyed());
        assertEquals("closed", c.readyState());
        assertFalse(c.connecting());
        assertDoesNotThrow(() -> {
            c.setNoDelay(true);
            c.setKeepAlive(true, 1000);
            c.setTimeout(1000);
            c.setTimeout(0);
            c.setEncoding(StandardCharsets.UTF_8);
            c.pause();
            c.resume();
            c.ref();
            c.unref();
            c.end();
            c.destroy();
            c.resetAndDestroy();
        });
        assertNull(c.address());
        assertEquals("127.0.0.1", c.remoteAddress());
        close(server);
    }

    @Test
    void destroyBeforeTheConnectionIsUpClosesWithoutConnecting() {
        Server server = handles.add(Net.createServer());
        int port = readingServer(server);
        Socket c = handles.add(new Socket());
        c.on(Socket.CONNECT, mustNotCall());
        c.on(Socket.ERROR, mustNotCall());
        c.on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        NetServerTestKit.onLoop(() -> {
            c.connect(port, "127.0.0.1");
            // Node fails the writes a socket held while connecting with this code (on 'close').
            c.write("never sent", mustCall((NetException e) ->
                    assertEquals("ERR_SOCKET_CLOSED_BEFORE_CONNECTION", e.code())));
            c.write("nor this", mustCall((NetException e) ->
                    assertEquals("ERR_SOCKET_CLOSED_BEFORE_CONNECTION", e.code())));
            c.destroy();
            assertFalse(c.connecting());
        });
        awaitCalls();
        close(server);
    }
}
