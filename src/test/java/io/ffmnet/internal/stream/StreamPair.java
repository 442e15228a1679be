package io.ffmnet.internal.stream;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Mem;
import io.ffmnet.internal.sys.Sockets;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static io.ffmnet.internal.sys.SysConstants.AF_UNIX;
import static io.ffmnet.internal.sys.SysConstants.F_GETFL;
import static io.ffmnet.internal.sys.SysConstants.F_SETFL;
import static io.ffmnet.internal.sys.SysConstants.O_NONBLOCK;
import static io.ffmnet.internal.sys.SysConstants.SOCK_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connected Unix stream pair for handle-level tests: one end a {@link StreamHandle} on a loop,
 * non-blocking; the other a plain blocking descriptor the test thread reads and writes.
 */
final class StreamPair implements AutoCloseable {
    final Loop loop;
    final int handleFd;
    final int peerFd;
    StreamHandle handle;
    /** What each request completed with, in completion order ("text:status"). */
    final List<String> completions = Collections.synchronizedList(new ArrayList<>());

    StreamPair(Loop loop) {
        this.loop = loop;
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

    /** What a test sees of each read: the chunk (released after the call) and the bytes in it. */
    interface ReadListener {
        void onRead(Chunk chunk, int length);
    }

    /** Makes the handle and starts reading. */
    StreamPair start(ReadListener onRead) {
        handle = onLoop(() -> {
            StreamHandle h = new StreamHandle(loop, handleFd, callbacks(onRead));
            h.readStart();
            return h;
        });
        return this;
    }

    /** Makes the handle without reading. */
    StreamPair open() {
        handle = onLoop(() -> new StreamHandle(loop, handleFd, callbacks((c, n) -> { })));
        return this;
    }

    @Override
    public void close() {
        if (handle != null) {
            onLoop(() -> {
                handle.close();
                return null;
            });
        } else {
            Fds.close(handleFd);
        }
        Fds.close(peerFd);
    }

    private StreamHandle.Callbacks callbacks(ReadListener onRead) {
        return new StreamHandle.Callbacks() {
            @Override
            public void onConnect(int status) { }

            @Override
            public void onRead(Chunk chunk, int length) {
                try {
                    onRead.onRead(chunk, length);
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
    WriteRequest request(String text) {
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

    /** Writes {@code bytes} from the peer's end, blocking until the kernel took them all. */
    void send(byte[] bytes) {
        long memory = Mem.malloc(bytes.length);
        try {
            MemorySegment.ofAddress(memory).reinterpret(bytes.length).copyFrom(MemorySegment.ofArray(bytes));
            long at = 0;
            while (at < bytes.length) {
                long n = Fds.writeBlocking(peerFd, memory + at, bytes.length - at);
                assertTrue(n > 0, "write failed: " + n);
                at += n;
            }
        } finally {
            Mem.free(memory);
        }
    }

    void send(String text) {
        send(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads exactly {@code length} bytes from the peer's end. */
    String receive(int length) {
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

    /** One blocking read from the peer's end: bytes read, 0 at EOF. */
    int readOnce(byte[] into) {
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

    /** The completions so far, once the loop has finished the iteration in progress. */
    List<String> completionsAfterThisIteration() {
        onLoop(() -> null);
        return List.copyOf(completions);
    }

    <T> T onLoop(Supplier<T> action) {
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
