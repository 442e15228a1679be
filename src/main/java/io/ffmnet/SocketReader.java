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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side of a {@link Socket} and what its stream reports: Node's flowing/paused modes,
 * decoding for {@code TEXT}, pipes, and the end of input. Loop thread only.
 *
 * <p>As a Node socket, it reads from the start (Node calls {@code read(0)} on a new connection)
 * even with nobody listening: what arrives before the stream flows is kept, up to the
 * high-water mark, and handed out when it flows. Past the mark reading stops in the kernel, so
 * a paused socket's sender feels TCP's backpressure; and a FIN with nothing buffered before it
 * ends the socket even if no one ever listened for data, as in Node.
 */
final class SocketReader implements StreamHandle.Callbacks, Runnable {
    /** Values of {@link #flowing}: Node's {@code readableFlowing} null, true and false. */
    private static final byte NOT_YET = 0;
    private static final byte FLOWING = 1;
    private static final byte PAUSED = 2;

    private final Socket socket;
    /** Node's {@code readableFlowing}: NOT_YET until a data listener or resume, PAUSED once paused. */
    private byte flowing = NOT_YET;
    /**
     * What {@link #isPaused()} answers, from any thread: set at once by the caller's
     * {@code pause()}/{@code resume()} (Node's are synchronous), and by the loop when it pauses
     * for a pipe.
     */
    private volatile boolean paused;
    /** After setEncoding with a charset other than UTF-8. */
    private CharsetText decoder;
    /** After setEncoding(UTF-8): Node's own decoder, since Java's replaces differently. */
    private Utf8Decoder utf8;
    /** The destinations of {@code pipe()}: an empty immutable list until the first one. */
    private List<Pipe> pipes = List.of();
    /**
     * Node's {@code read(0)} was done: the socket reads (into {@link #buffered}) even while not
     * flowing. Not for {@code pauseOnConnect}, nor for a client paused before it connected.
     */
    private boolean armed = true;
    /**
     * Data read while not flowing, in order, each holding its memory until emitted; null while
     * there is none, so an idle flowing socket keeps no queue.
     */
    private ArrayDeque<Buffer> buffered;
    private long bufferedBytes;
    private boolean drainQueued;
    /** The kernel reported the end of input; END waits until {@link #buffered} is empty. */
    private boolean eof;
    /** {@link #run}, the splice check after a read batch, is queued. */
    private boolean spliceCheckQueued;

    /** A destination of {@code pipe()}, and whether we paused for it. */
    private static final class Pipe {
        final Writable destination;
        final boolean end;
        /**
         * The destination is a socket on the source's loop, so the pipe may move to splice(2)
         * when the rest allows it; a pipe that never can costs no check per read batch.
         */
        final boolean spliceable;
        Runnable onDrain;
        /** While the pipe moves bytes with splice(2) instead of through DATA. */
        SocketSplice splice;

        Pipe(Writable destination, boolean end, Socket source) {
            this.destination = destination;
            this.end = end;
            this.spliceable = SocketSplice.ENABLED && destination instanceof Socket d && d.loop() == source.loop();
        }
    }

    SocketReader(Socket socket) {
        this.socket = socket;
    }

    // ---- flowing mode ----------------------------------------------------------------------

    void dataListenerAdded() {
        stopSplices();  // the listener must see the bytes from now on
        if (flowing == NOT_YET) {
            resume();
        }
    }

    void pause() {
        stopSplices();
        flowing = PAUSED;
        paused = true;
        update();
    }

    void resume() {
        flowing = FLOWING;
        paused = false;
        armed = true;
        queueDrain();
        update();
        trySplice();
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
        flowing = PAUSED;
        paused = true;
        armed = false;
    }

    boolean isPaused() {
        return paused;
    }

    /** Node's afterConnect: {@code if (!self.isPaused()) self.read(0)}. */
    void connected() {
        if (flowing == PAUSED) {
            armed = false;
        }
        update();
    }

    /** The socket is being destroyed: buffered data is dropped and its memory released. */
    void closing() {
        stopSplices();
        pipes = List.of();
        if (buffered != null) {
            Buffer b;
            while ((b = buffered.poll()) != null) {
                b.release();
            }
            buffered = null;
        }
        bufferedBytes = 0;
    }

    /**
     * Reads from the kernel while connected and before the end: always when flowing, and while
     * not flowing until the buffered data reaches the high-water mark (Node's push() returning
     * false stops the handle).
     */
    private void update() {
        StreamHandle h = socket.handle;
        if (h == null || socket.connecting || socket.destroyed || eof) {
            return;
        }
        if (flowing == FLOWING || (armed && bufferedBytes < socket.highWaterMark)) {
            h.readStart();
        } else {
            h.readStop();
        }
    }

    /**
     * Hands out buffered data on the next tick, as Node's resume() starts the flow on a tick
     * (so a DATA listener added on the loop is never called inside {@code on()}).
     */
    private void queueDrain() {
        if (!drainQueued && (buffered != null || eof)) {
            drainQueued = true;
            socket.loop().nextTick(this::drain);
        }
    }

    private void drain() {
        drainQueued = false;
        Buffer b;
        while (flowing == FLOWING && !socket.destroyed && buffered != null && (b = buffered.poll()) != null) {
            bufferedBytes -= b.length();
            if (buffered.isEmpty()) {
                buffered = null;  // before deliver: a listener that pauses makes a new queue
            }
            try {
                deliver(b);
            } finally {
                b.release();
            }
        }
        if (eof && buffered == null && !socket.destroyed && !socket.readableEnded) {
            ended();
        }
        update();
        trySplice();
    }

    void setEncoding(Charset charset) {
        stopSplices();
        if (charset.equals(StandardCharsets.UTF_8)) {
            utf8 = new Utf8Decoder();
            decoder = null;
            return;
        }
        utf8 = null;
        decoder = new CharsetText(charset);
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
        if (flowing != FLOWING || buffered != null) {
            keep(data, chunk.capacity);
            return;
        }
        try {
            deliver(data);
        } finally {
            // The listeners' view ends here; a listener that retained it keeps the memory alive.
            chunk.release(data.generation());
        }
        if (!spliceCheckQueued && pipes.size() == 1 && pipes.get(0).spliceable && pipes.get(0).splice == null) {
            // E.g. the destination has connected and drained its early writes. On a tick, after
            // this read batch: a splice started inside it would be ended by its next write.
            spliceCheckQueued = true;
            socket.loop().nextTick(this);
        }
    }

    /** The splice check queued by {@link #onRead}, on the tick after the read batch. */
    @Override
    public void run() {
        spliceCheckQueued = false;
        trySplice();
    }

    /**
     * Keeps data read while not flowing. A read that fills little of its chunk is copied out,
     * so many small reads cannot pin many big chunks; one that fills most keeps its chunk,
     * without a copy.
     */
    private void keep(Buffer data, int chunkCapacity) {
        Buffer kept = data;
        if (data.length() < chunkCapacity / 4) {
            kept = data.copy();
            data.release();
        }
        if (buffered == null) {
            buffered = new ArrayDeque<>(4);
        }
        buffered.add(kept);
        bufferedBytes += kept.length();
        if (flowing == FLOWING) {
            queueDrain();  // flowing, but older data still waits its turn
        }
        update();
    }

    /** DATA, then TEXT when decoding, then the pipes: one chunk to everyone who reads. */
    private void deliver(Buffer data) {
        socket.emit(Socket.DATA, data);
        if ((decoder != null || utf8 != null) && !socket.destroyed) {
            String text = utf8 != null ? utf8.decode(data.asByteBuffer()) : decoder.decode(data);
            if (!text.isEmpty()) {
                socket.emit(Socket.TEXT, text);
            }
        }
        if (!pipes.isEmpty() && !socket.destroyed) {
            writeToPipes(data);
        }
    }

    /**
     * The peer's FIN. Node emits 'end' once everything before it was consumed: at once when
     * nothing is buffered, flowing or not; otherwise when the buffered data has flowed out.
     */
    @Override
    public void onEof() {
        eof = true;
        if (buffered == null) {
            ended();
        } else {
            queueDrain();
        }
    }

    private void ended() {
        socket.readableEnded = true;
        String rest = utf8 != null ? utf8.end() : decoder != null ? decoder.end() : "";
        if (!rest.isEmpty()) {
            socket.emit(Socket.TEXT, rest);
        }
        socket.emit(Socket.END);
        for (Pipe p : List.copyOf(pipes)) {
            if (p.end) {
                p.destination.end();
            }
        }
        pipes = List.of();
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
        // DRAIN is emitted by the completion of the write that emptied the queue, just before
        // its callback, as Node's afterWrite does.
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
        stopSplices();  // a splice feeds one destination only
        if (pipes.isEmpty()) {
            pipes = new ArrayList<>(1);
        }
        pipes.add(new Pipe(destination, end, socket));
        if (flowing != FLOWING) {
            resume();
        } else {
            trySplice();
        }
    }

    /** Node's unpipe: the last destination removed pauses the source, so no data is lost. */
    void unpipe(Writable destination) {
        if (pipes.isEmpty()) {
            return;
        }
        boolean removed = pipes.removeIf(p -> {
            if (p.destination != destination) {
                return false;
            }
            if (p.splice != null) {
                p.splice.stop();  // what the kernel pipe holds was piped: it reaches the destination
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

    /**
     * Moves a single socket-to-socket pipe to splice(2) when this side allows it: flowing,
     * nothing buffered, no decoder, not paused for the destination; {@link SocketSplice#start}
     * checks the rest.
     */
    private void trySplice() {
        if (pipes.size() != 1 || flowing != FLOWING || eof || buffered != null
                || decoder != null || utf8 != null || socket.destroyed) {
            return;
        }
        Pipe p = pipes.get(0);
        if (p.spliceable && p.splice == null && p.onDrain == null && p.destination instanceof Socket destination) {
            p.splice = SocketSplice.start(socket, destination);
            if (p.splice != null) {
                update();
            }
        }
    }

    private void stopSplices() {
        for (int i = 0; i < pipes.size(); i++) {
            SocketSplice s = pipes.get(i).splice;
            if (s != null) {
                s.stop();
            }
        }
    }

    /** A splice session ended (from either side): this pipe is an ordinary one again. */
    void spliceEnded(SocketSplice splice) {
        for (Pipe p : pipes) {
            if (p.splice == splice) {
                p.splice = null;
            }
        }
        update();
    }

    // ---- decoding --------------------------------------------------------------------------

    /**
     * A charset decoder and the bytes of a character split across chunks, waiting for the rest:
     * Java's decoder for charsets other than UTF-8, with replacement as Node's.
     */
    private static final class CharsetText {
        private final CharsetDecoder decoder;
        private ByteBuffer carry;

        CharsetText(Charset charset) {
            decoder = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
        }

        String decode(Buffer data) {
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

        /** What the carried bytes decode to at the end of input: U+FFFD for a cut character. */
        String end() {
            if (carry == null) {
                return "";
            }
            CharBuffer out = CharBuffer.allocate(carry.remaining() * 2 + 4);
            decoder.decode(carry, out, true);
            decoder.flush(out);
            carry = null;
            return out.flip().toString();
        }
    }
}
