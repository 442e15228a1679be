package io.ffmnet.internal.stream;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Mem;
import io.ffmnet.internal.sys.Sockets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static io.ffmnet.internal.sys.SysConstants.AF_UNIX;
import static io.ffmnet.internal.sys.SysConstants.F_GETFL;
import static io.ffmnet.internal.sys.SysConstants.F_SETFL;
import static io.ffmnet.internal.sys.SysConstants.O_NONBLOCK;
import static io.ffmnet.internal.sys.SysConstants.SOCK_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes made while the loop dispatches ready events are held back and sent together at the end
 * of the poll phase; writes made anywhere else go to the kernel at once.
 */
@Timeout(60)
class StreamHandleBatchTest {
    private static Loop loop;

    private int handleFd = -1;
    private int peerFd = -1;
    private StreamHandle handle;
    /** What each request completed with, in completion order. */
    private final List<String> completions = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startLoop() {
        loop = Loop.start("batch-test");
    }

    @AfterAll
    static void stopLoop() {
        loop.shutdown();
    }

    /** A connected pair: the handle's end non-blocking on the loop, the peer's end blocking here. */
    @BeforeEach
    void connect() {
        long sv = Mem.malloc(8);
        try {
            assertEquals(0, Sockets.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
            MemorySegment pair = MemorySegment.ofAddress(sv).reinterpret(8);
            handleFd = pair.get(ValueLayout.JAVA_INT, 0);
            peerFd = pair.get(ValueLayout.JAVA_INT, 4);
        } finally {
            Mem.free(sv);
        }
        int flags = Fds.fcntl(handleFd, F_GETFL, 0);
        assertEquals(0, Fds.fcntl(handleFd, F_SETFL, flags | O_NONBLOCK));
    }

    @AfterEach
    void close() {
        if (handle != null) {
            onLoop(() -> {
                handle.close();
                return null;
            });
        } else if (handleFd >= 0) {
            Fds.close(handleFd);
        }
        Fds.close(peerFd);
    }

    @Test
    void aWriteMadeWhileReadingWaitsForTheEndOfTheDispatch() {
        CompletableFuture<long[]> seen = new CompletableFuture<>();
        start(chunk -> {
            int r = handle.write(request("pong"));
            seen.complete(new long[] {r, handle.queuedBytes()});
        });
        send("ping");
        long[] writeResult = seen.join();
        assertEquals(0, writeResult[0], "held back, not written at once");
        assertEquals(4, writeResult[1]);
        assertEquals("pong", receive(4));
        assertEquals(List.of("pong:0"), waitForCompletions(1));
    }

    @Test
    void aWriteMadeOutsideTheDispatchGoesToTheKernelAtOnce() {
        start(chunk -> { });
        int r = onLoop(() -> handle.write(request("now")));
        assertEquals(1, r, "written by the call itself");
        assertEquals("now", receive(3));
    }

    @Test
    void aBatchThatGrowsPastTheCapIsWrittenBeforeTheDispatchEnds() {
        int first = (int) StreamHandle.MAX_BATCHED_BYTES / 2;
        int second = (int) StreamHandle.MAX_BATCHED_BYTES;
        CompletableFuture<Long> queuedAfterBoth = new CompletableFuture<>();
        start(chunk -> {
            handle.write(request("a".repeat(first)));
            handle.write(request("b".repeat(second)));
            queuedAfterBoth.complete(handle.queuedBytes());
        });
        send("go");
        assertTrue(queuedAfterBoth.join() < first + second, "the cap flushed inside the dispatch");
        assertEquals("a".repeat(first) + "b".repeat(second), receive(first + second));
        assertEquals(2, waitForCompletions(2).size());
    }

    @Test
    void closingInsideTheDispatchStillSendsWhatWasWrittenBeforeIt() {
        start(chunk -> {
            handle.write(request("bye"));
            handle.close();
        });
        send("hi");
        assertEquals("bye", receive(3));
        assertEquals(0, readOnce(new byte[1]), "then EOF");
        assertEquals(List.of("bye:0"), waitForCompletions(1));
    }

    @Test
    void aShutdownInsideTheDispatchFollowsTheHeldBackBytes() {
        start(chunk -> {
            handle.write(request("last"));
            handle.shutdown();
        });
        send("x");
        assertEquals("last", receive(4));
        assertEquals(0, readOnce(new byte[1]), "FIN after the bytes");
    }

    @Test
    void writesToSeveralSocketsInOneDispatchAllLeave() {
        // A second pair, written from the first one's read: a chat server's broadcast.
        StreamHandleBatchTest other = new StreamHandleBatchTest();
        other.connect();
        try {
            other.handle = onLoop(() -> new StreamHandle(loop, other.handleFd, other.callbacks(c -> { })));
            start(chunk -> {
                handle.write(request("to-self"));
                other.handle.write(other.request("to-other"));
            });
            send("msg");
            assertEquals("to-self", receive(7));
            assertEquals("to-other", other.receive(8));
        } finally {
            other.close();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void start(Consumer<Chunk> onRead) {
        handle = onLoop(() -> {
            StreamHandle h = new StreamHandle(loop, handleFd, callbacks(onRead));
            h.readStart();
            return h;
        });
    }

    private StreamHandle.Callbacks callbacks(Consumer<Chunk> onRead) {
        return new StreamHandle.Callbacks() {
            @Override
            public void onConnect(int status) { }

            @Override
            public void onRead(Chunk chunk, int length) {
                try {
                    onRead.accept(chunk);
                } finally {
                    chunk.release(chunk.generation());
                }
            }

            @Override
            public void onEof() { }

            @Override
            public void onReadError(int error) { }

            @Override
            public void onWriteError(int error) { }

            @Override
            public void onDrain() { }

            @Override
            public void onShutdown(int status) { }
        };
    }

    /** A request over its own native copy of {@code text}, freed when it completes. */
    private WriteRequest request(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        long memory = Mem.malloc(bytes.length);
        MemorySegment.ofAddress(memory).reinterpret(bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        String label = text.length() > 16 ? text.substring(0, 1) + text.length() : text;
        WriteRequest r = new WriteRequest() {
            @Override
            protected void complete(int status) {
                Mem.free(memory);
                completions.add(label + ":" + status);
            }
        };
        r.region(memory, bytes.length);
        return r;
    }

    private void send(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        long memory = Mem.malloc(bytes.length);
        try {
            MemorySegment.ofAddress(memory).reinterpret(bytes.length).copyFrom(MemorySegment.ofArray(bytes));
            assertEquals(bytes.length, Fds.writeBlocking(peerFd, memory, bytes.length));
        } finally {
            Mem.free(memory);
        }
    }

    /** Reads exactly {@code length} bytes from the peer's end. */
    private String receive(int length) {
        byte[] all = new byte[length];
        int at = 0;
        while (at < length) {
            byte[] part = new byte[length - at];
            int n = readOnce(part);
            assertTrue(n > 0, "EOF or error after " + at + " bytes: " + n);
            System.arraycopy(part, 0, all, at, n);
            at += n;
        }
        return new String(all, StandardCharsets.US_ASCII);
    }

    private int readOnce(byte[] into) {
        long memory = Mem.malloc(into.length);
        try {
            long n = Fds.readBlocking(peerFd, memory, into.length);
            if (n > 0) {
                MemorySegment.ofArray(into).copyFrom(MemorySegment.ofAddress(memory).reinterpret(n));
            }
            return (int) n;
        } finally {
            Mem.free(memory);
        }
    }

    private List<String> waitForCompletions(int count) {
        // Completions run on the loop right after the flush that wrote the bytes this thread has
        // already read; a task queued now runs after them.
        onLoop(() -> null);
        assertEquals(count, completions.size(), completions.toString());
        return List.copyOf(completions);
    }

    private static <T> T onLoop(java.util.function.Supplier<T> action) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.join();
    }
}
