package io.ffmnet;

import io.ffmnet.SocketTestSupport.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node's {@code socket.pause()}, {@code resume()} and {@code isPaused()}. */
@Timeout(120)
class NetSocketPauseResumeTest {

    /**
     * The seeds' program: the server pauses each new socket and resumes it from a timer; what the
     * client sent meanwhile waits in the kernel and arrives after resume, and data keeps flowing.
     */
    @Test
    void aSocketPausedOnConnectionAndResumedByATimerReceivesEverythingInOrder() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean paused = new AtomicBoolean(true);
        StringBuilder received = new StringBuilder();
        CompletableFuture<String> done = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.pause();
            assertTrue(s.isPaused());
            s.on(Socket.DATA, b -> {
                assertFalse(paused.get(), "DATA while paused");
                received.append(b);
                if (received.toString().equals("first;")) {
                    s.write("go");  // the client sends the rest only now
                }
            });
            s.on(Socket.END, () -> done.complete(received.toString()));
            Timers.setTimeout(mustCall(() -> {
                events.add("resume");
                paused.set(false);
                s.resume();
                assertFalse(s.isPaused());
            }), 100);
        });
        Socket client = connect(server.port);
        client.write("first;");
        client.on(Socket.DATA, mustCall(b -> {
            events.add("go");
            client.end("second;");
        }));
        assertEquals("first;second;", await(done));
        awaitCalls();
        assertEquals(List.of("resume", "go"), events);
        destroyAll(client);
        server.close();
    }

    @Test
    void isPausedIsFalseAtFirstAndFollowsPauseAndResumeFromAnyThread() {
        Socket s = new Socket();
        assertFalse(s.isPaused(), "a new socket is not paused (readableFlowing is null)");
        s.pause();
        assertTrue(s.isPaused(), "pause() is synchronous, as in Node");
        s.resume();
        assertFalse(s.isPaused());
        s.pause();
        onLoop(() -> assertTrue(s.isPaused()));
        destroyAll(s);
    }

    @Test
    void pauseInsideADataListenerStopsFurtherDataUntilResume() {
        int total = 4 << 20;
        AtomicInteger afterPause = new AtomicInteger();
        AtomicBoolean pausedNow = new AtomicBoolean();
        AtomicBoolean pausedOnce = new AtomicBoolean();
        AtomicLong count = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.on(Socket.DATA, b -> {
                if (pausedNow.get()) {
                    afterPause.incrementAndGet();
                }
                count.addAndGet(b.length());
                if (!pausedOnce.getAndSet(true)) {
                    // The first chunk: pause, and resume from a timer a little later.
                    pausedNow.set(true);
                    s.pause();
                    long readSoFar = s.bytesRead();
                    Timers.setTimeout(() -> {
                        pausedNow.set(false);
                        s.resume();
                        // As Node's, a paused socket reads on into its buffer up to the mark.
                        long bound = SocketOptions.DEFAULT_HIGH_WATER_MARK + 64 * 1024;
                        assertTrue(s.bytesRead() - readSoFar <= bound, "read while paused");
                    }, 50);
                }
            });
            s.on(Socket.END, () -> done.complete(count.get()));
        });
        Socket client = connect(server.port);
        client.end(new byte[total]);
        assertEquals(total, await(done));
        assertEquals(0, afterPause.get(), "DATA events while paused");
        destroyAll(client);
        server.close();
    }

    @Test
    void resumeWithoutADataListenerReadsAndDiscardsUntilTheEnd() {
        // Node: resume() makes the stream flow even with no listener; the data is dropped and
        // 'end' follows, which is how a reader that only wants 'end' consumes a socket.
        CompletableFuture<Long> ended = new CompletableFuture<>();
        TestServer server = server(s -> {
            s.on(Socket.END, () -> ended.complete(s.bytesRead()));
            s.resume();
        });
        Socket client = connect(server.port);
        client.end(new byte[100_000]);
        assertEquals(100_000L, await(ended));
        destroyAll(client);
        server.close();
    }
}
