package io.ffmnet;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.stream.StreamHandle;
import io.ffmnet.internal.sys.Errors;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
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
    private CharsetDecoder decoder;
    /** Bytes of a character split across chunks, waiting for the rest. */
    private ByteBuffer carry;
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
        update();
    }

    void resume() {
        flowing = Boolean.TRUE;
        update();
    }

    /** Server option {@code pauseOnConnect}: nothing is read until {@code resume()}. */
    void pauseOnCreate() {
        flowing = Boolean.FALSE;
    }

    boolean isPaused() {
        return flowing == Boolean.FALSE;
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
        decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        carry = null;
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
            if (decoder != null && !socket.destroyed) {
                String text = decode(data);
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
        if (decoder != null && carry != null) {
            String rest = decodeEnd();
            if (!rest.isEmpty()) {
                socket.emit(Socket.TEXT, rest);
            }
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

    void pipe(Writable destination, boolean end) {
        pipes.add(new Pipe(destination, end));
        if (flowing != Boolean.FALSE) {
            resume();
        }
    }

    void unpipe(Writable destination) {
        pipes.removeIf(p -> {
            if (p.destination != destination) {
                return false;
            }
            if (p.onDrain != null) {
                destination.off(Writable.DRAIN, p.onDrain);
            }
            return true;
        });
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
