package io.ffmnet;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.stream.StreamHandle;
import io.ffmnet.internal.sys.Errors;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side of a {@link Socket} and what its stream reports: Node's flowing/paused modes,
 * decoding for {@code TEXT}, pipes, and the end of input. Loop thread only.
 */
final class SocketReader implements StreamHandle.Callbacks {
    private final Socket socket;
    /** Node's {@code readableFlowing}: null until a data listener or resume, FALSE once paused. */
    private Boolean flowing;
    /**
     * What {@link #isPaused()} answers, from any thread: set at once by the caller's
     * {@code pause()}/{@code resume()} (Node's are synchronous), and by the loop when it pauses
     * for a pipe.
     */
    private volatile boolean paused;
    /** After setEncoding with a charset other than UTF-8. */
    private CharsetDecoder decoder;
    /** Bytes of a character split across chunks, waiting for the rest ({@link #decoder} only). */
    private ByteBuffer carry;
    /** After setEncoding(UTF-8): Node's own decoder, since Java's replaces differently. */
    private Utf8Decoder utf8;
    private final List<Pipe> pipes = new ArrayList<>(1);

    /** A destination of {@code pipe()}, and whether we paused for it. */
    private static final class Pipe {
        final Writable destination;
        final boolean end;
        Runnable onDrain;

        Pipe(Writable destination, boolean end) {
            this.destination = destination;
            this.end = end;
        }
    }

    SocketReader(Socket socket) {
        this.socket = socket;
    }

    // ---- flowing mode ----------------------------------------------------------------------

    void dataListenerAdded() {
        if (flowing == null) {
            flowing = Boolean.TRUE;
            update();
        }
    }

    void pause() {
        flowing = Boolean.FALSE;
        paused = true;
        update();
    }

    void resume() {
        flowing = Boolean.TRUE;
        paused = false;
        update();
    }

    /** The caller's thread, before {@link #pause()} runs on the loop. */
    void pauseRequested() {
        paused = true;
    }

    /** The caller's thread, before {@link #resume()} runs on the loop. */
    void resumeRequested() {
        paused = false;
    }

    /** Server option {@code pauseOnConnect}: nothing is read until {@code resume()}. */
    void pauseOnCreate() {
        flowing = Boolean.FALSE;
        paused = true;
    }

    boolean isPaused() {
        return paused;
    }

    void connected() {
        update();
    }

    void closing() {
        pipes.clear();
    }

    /** Reads from the kernel exactly while flowing, connected and not at the end. */
    private void update() {
        StreamHandle h = socket.handle;
        if (h == null || socket.connecting || socket.destroyed || socket.readableEnded) {
            return;
        }
        if (flowing == Boolean.TRUE) {
            h.readStart();
        } else {
            h.readStop();
        }
    }

    void setEncoding(Charset charset) {
        carry = null;
        if (charset.equals(StandardCharsets.UTF_8)) {
            utf8 = new Utf8Decoder();
            decoder = null;
            return;
        }
        utf8 = null;
        decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    // ---- stream callbacks ------------------------------------------------------------------

    @Override
    public void onConnect(int status) {
        socket.connector.onConnect(status);
    }

    @Override
    public void onRead(Chunk chunk, int length) {
        socket.bytesRead += length;
        socket.refreshIdle();
        Buffer data = Buffer.view(chunk, 0, length);
        try {
            socket.emit(Socket.DATA, data);
            if ((decoder != null || utf8 != null) && !socket.destroyed) {
                String text = utf8 != null ? utf8.decode(data.asByteBuffer()) : decode(data);
                if (!text.isEmpty()) {
                    socket.emit(Socket.TEXT, text);
                }
            }
            if (!pipes.isEmpty() && !socket.destroyed) {
                writeToPipes(data);
            }
        } finally {
            // The listeners' view ends here; a listener that retained it keeps the memory alive.
            chunk.release(data.generation());
        }
    }

    @Override
    public void onEof() {
        socket.readableEnded = true;
        String rest = utf8 != null ? utf8.end() : decoder != null && carry != null ? decodeEnd() : "";
        if (!rest.isEmpty()) {
            socket.emit(Socket.TEXT, rest);
        }
        socket.emit(Socket.END);
        for (Pipe p : List.copyOf(pipes)) {
            if (p.end) {
                p.destination.end();
            }
        }
        pipes.clear();
        socket.onPeerEnded();
    }

    @Override
    public void onReadError(int error) {
        socket.destroyNow(Errors.exception(error, "read"), false);
    }

    @Override
    public void onWriteError(int error) {
        socket.destroyNow(Errors.exception(error, "write"), false);
    }

    @Override
    public void onDrain() {
        // DRAIN is emitted by the last write's completion, after its callback, as in Node.
    }

    @Override
    public void onShutdown(int status) {
        socket.onShutdown(status);
    }

    // ---- pipes -----------------------------------------------------------------------------

    /**
     * Node's pipe "starts the flow if it hasn't been started already": it resumes a source that
     * is not flowing, including one paused explicitly (the seeds pause a socket, then pipe it to
     * a file on a timer or on 'timeout').
     */
    void pipe(Writable destination, boolean end) {
        if (socket.destroyed) {
            return;
        }
        pipes.add(new Pipe(destination, end));
        if (flowing != Boolean.TRUE) {
            resume();
        }
    }

    /** Node's unpipe: the last destination removed pauses the source, so no data is lost. */
    void unpipe(Writable destination) {
        boolean removed = pipes.removeIf(p -> {
            if (p.destination != destination) {
                return false;
            }
            if (p.onDrain != null) {
                destination.off(Writable.DRAIN, p.onDrain);
            }
            return true;
        });
        if (removed && pipes.isEmpty()) {
            pause();
        }
    }

    /**
     * Node's pipe: a destination that returns false from write pauses the source until it
     * drains, so a slow destination bounds the memory in between.
     */
    private void writeToPipes(Buffer data) {
        for (Pipe p : pipes) {
            if (!p.destination.write(data, null) && p.onDrain == null) {
                p.onDrain = () -> {
                    p.onDrain = null;
                    if (pipes.contains(p) && pipes.stream().allMatch(q -> q.onDrain == null)) {
                        resume();
                    }
                };
                p.destination.once(Writable.DRAIN, p.onDrain);
                pause();
            }
        }
    }

    // ---- decoding --------------------------------------------------------------------------

    private String decode(Buffer data) {
        ByteBuffer in = data.asByteBuffer();
        if (carry != null) {
            ByteBuffer joined = ByteBuffer.allocate(carry.remaining() + in.remaining());
            joined.put(carry).put(in).flip();
            in = joined;
        }
        CharBuffer out = CharBuffer.allocate((int) (in.remaining() * (double) decoder.maxCharsPerByte()) + 4);
        decoder.decode(in, out, false);
        carry = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : null;
        return out.flip().toString();
    }

    private String decodeEnd() {
        CharBuffer out = CharBuffer.allocate(carry.remaining() * 2 + 4);
        decoder.decode(carry, out, true);
        decoder.flush(out);
        carry = null;
        return out.flip().toString();
    }
}
