package io.ffmnet;

import io.ffmnet.internal.stream.Endpoint;
import io.ffmnet.internal.stream.StreamHandle;
import io.ffmnet.internal.stream.Tcp;
import io.ffmnet.internal.sys.Errors;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Node's {@code net.Socket}: a TCP or Unix domain stream, readable and writable.
 *
 * <p>Events, in Node's order: {@link #LOOKUP} (host names only), {@link #CONNECT} and
 * {@link #READY}; {@link #DATA} (and {@link #TEXT} after {@link #setEncoding}); {@link #END}
 * when the peer finished sending; {@link #FINISH} when our {@link #end()} was flushed and FIN
 * sent; {@link #DRAIN}; {@link #TIMEOUT}; {@link #ERROR} then {@link #CLOSE}.
 *
 * <p>As in Node, a connected socket reads from the start into a buffer of up to its high-water
 * mark; the data flows out ({@code DATA}) once a {@code DATA} or {@code TEXT} listener is added or
 * {@link #resume()} is called. While paused or not yet flowing, reading stops in the kernel once
 * that buffer is full, so the sender feels TCP's backpressure ({@code pauseOnConnect}, or a
 * client paused before it connected, reads nothing at all until resumed).
 *
 * <p>Every method is safe from any thread: off the loop thread it is queued to the loop, in
 * order with the caller's other calls. Listeners run on the loop thread.
 */
public class Socket extends EventEmitter implements Writable {
    /** {@code 'lookup'}: the host name was resolved (or not), before connecting. */
    public static final Event<Consumer<LookupResult>> LOOKUP = Event.named("lookup");
    /** {@code 'connect'}: the connection is established. */
    public static final Event<Runnable> CONNECT = Event.named("connect");
    /** {@code 'ready'}: right after {@code 'connect'}. */
    public static final Event<Runnable> READY = Event.named("ready");
    /** {@code 'data'}: bytes arrived; the buffer is valid until the listener returns. */
    public static final Event<Consumer<Buffer>> DATA = Event.named("data");
    /** After {@code setEncoding}: the same bytes decoded, whole characters only. */
    public static final Event<Consumer<String>> TEXT = Event.named("text");
    /** {@code 'end'}: the peer finished sending (FIN received). */
    public static final Event<Runnable> END = Event.named("end");
    /** {@code 'finish'}: {@code end()} flushed everything and sent FIN. */
    public static final Event<Runnable> FINISH = Writable.FINISH;
    /** {@code 'drain'}: the write queue emptied after {@code write} returned false. */
    public static final Event<Runnable> DRAIN = Writable.DRAIN;
    /** {@code 'timeout'}: idle for the time given to {@link #setTimeout}; the socket stays open. */
    public static final Event<Runnable> TIMEOUT = Event.named("timeout");
    /** {@code 'error'}: followed by {@code 'close'}. */
    public static final Event<Consumer<NetException>> ERROR = Writable.ERROR;
    /** {@code 'close'}: fully closed; the argument tells whether an error caused it. */
    public static final Event<Consumer<Boolean>> CLOSE = Event.named("close");

    final boolean allowHalfOpen;
    final int highWaterMark;
    private final SocketReader reader = new SocketReader(this);
    private final SocketWriter writer = new SocketWriter(this);

    // Loop-thread state.
    StreamHandle handle;
    /** Set by {@code connect()}; an accepted socket never has one. */
    SocketConnector connector;
    /** The idle timer and remembered options; null until used (see {@link SocketTuning#of}). */
    SocketTuning tuning;
    /** {@link HandleRef}'s state bits, kept here rather than in an object per socket. */
    private byte refState = HandleRef.REFERENCED;
    /** {@code end()} came before the connection was up; FIN goes after the early writes. */
    private boolean shutdownBeforeConnect;
    private Endpoint local;
    private Endpoint remote;
    private Server server;
    /** The splice or sendfile writing into this socket around its queue, if any; loop thread. */
    ZeroCopyWriter zeroCopy;

    // Read from any thread.
    volatile boolean connecting;
    volatile boolean connected;
    volatile boolean readableEnded;
    volatile boolean writableEnded;
    /** {@code end()} was called: set on the caller's thread, as Node's {@code writableEnding}. */
    volatile boolean ending;
    volatile boolean finished;
    volatile boolean destroyed;
    volatile long bytesRead;

    /** A socket not yet connected, on the calling loop (or the default loop). */
    public Socket() {
        this(new SocketOptions());
    }

    /** A socket not yet connected, with Node's {@code allowHalfOpen} and {@code highWaterMark}. */
    public Socket(SocketOptions options) {
        this(EventLoop.current(), options.allowHalfOpen(), options.highWaterMark());
    }

    Socket(EventLoop loop, boolean allowHalfOpen, int highWaterMark) {
        super(loop);
        this.allowHalfOpen = allowHalfOpen;
        this.highWaterMark = highWaterMark;
    }

    /** A socket for a connection a server accepted; loop thread. */
    static Socket accepted(Server server, EventLoop loop, int fd, Endpoint peer, ServerOptions options) {
        Socket s = new Socket(loop, options.allowHalfOpen(), options.highWaterMark());
        s.server = server;
        s.remote = peer;
        s.handle = new StreamHandle(loop.loop, fd, s.reader);
        s.connected = true;
        s.activate();
        SocketTuning.applyServerOptions(s, options);
        if (options.pauseOnConnect()) {
            s.reader.pauseOnCreate();
        }
        s.reader.connected();  // Node's read(0) for a new connection: reading starts now
        return s;
    }

    // ---- connect ---------------------------------------------------------------------------

    /** Connects to {@code port} on {@code localhost}. */
    public Socket connect(int port) {
        return connect(new ConnectOptions().port(port), null);
    }

    public Socket connect(int port, String host) {
        return connect(new ConnectOptions().port(port).host(host), null);
    }

    public Socket connect(int port, Runnable onConnect) {
        return connect(new ConnectOptions().port(port), onConnect);
    }

    public Socket connect(int port, String host, Runnable onConnect) {
        return connect(new ConnectOptions().port(port).host(host), onConnect);
    }

    /** Connects to a Unix domain socket. */
    public Socket connect(String path) {
        return connect(new ConnectOptions().path(path), null);
    }

    public Socket connect(String path, Runnable onConnect) {
        return connect(new ConnectOptions().path(path), onConnect);
    }

    public Socket connect(ConnectOptions options) {
        return connect(options, null);
    }

    /**
     * Connects as Node's {@code socket.connect(options, connectListener)}; every other overload
     * comes here. A bad port throws {@code ERR_SOCKET_BAD_PORT} at once; connection failures are
     * {@code ERROR} events.
     */
    public Socket connect(ConnectOptions options, Runnable onConnect) {
        SocketConnector c = new SocketConnector(this);
        c.validate(options);
        if (onConnect != null) {
            once(CONNECT, onConnect);
        }
        onLoop(() -> {
            connector = c;
            c.start(options);
        });
        return this;
    }

    /** Called by the connector with the connected handle; loop thread. */
    void onConnected(Endpoint peer) {
        connecting = false;
        connected = true;
        remote = peer;
        if (tuning != null) {
            tuning.apply();
        }
        refreshIdle();
        emit(CONNECT);
        emit(READY);
        if (destroyed) {
            return;
        }
        reader.connected();
        writer.flushEarlyWrites();
        if (shutdownBeforeConnect && !destroyed) {
            handle.shutdown();
        }
    }

    // ---- write -----------------------------------------------------------------------------

    public boolean write(Buffer data) {
        return write(data, null);
    }

    /**
     * Writes {@code data} without copying: it stays retained until the kernel took it, so the
     * caller may release its own reference at once. Returns false once the queued bytes reach the
     * high-water mark; {@code DRAIN} follows when the queue is empty again.
     *
     * @param onWritten runs once: with null when written, or with the error that lost the bytes
     */
    @Override
    public boolean write(Buffer data, Consumer<NetException> onWritten) {
        requireChunk(data);
        data.retain();
        return writer.enqueue(new SocketWrite(this, data, onWritten));
    }

    public boolean write(byte[] data) {
        return write(data, null);
    }

    /** Writes a copy of {@code data}. */
    public boolean write(byte[] data, Consumer<NetException> onWritten) {
        requireChunk(data);
        return writer.enqueue(new SocketWrite(this, Buffer.from(data), onWritten));
    }

    public boolean write(String data) {
        return write(data, StandardCharsets.UTF_8, null);
    }

    public boolean write(String data, Charset charset) {
        return write(data, charset, null);
    }

    public boolean write(String data, Consumer<NetException> onWritten) {
        return write(data, StandardCharsets.UTF_8, onWritten);
    }

    /** Writes {@code data} encoded with {@code charset}. */
    public boolean write(String data, Charset charset, Consumer<NetException> onWritten) {
        requireChunk(data);
        return writer.enqueue(new SocketWrite(this, Buffer.from(data, charset), onWritten));
    }

    public boolean write(ByteBuffer data) {
        return write(data, null);
    }

    /** Writes a copy of the remaining bytes of {@code data} (its position is not moved). */
    public boolean write(ByteBuffer data, Consumer<NetException> onWritten) {
        requireChunk(data);
        return write(MemorySegment.ofBuffer(data), onWritten);
    }

    public boolean write(MemorySegment data) {
        return write(data, null);
    }

    /** Writes a copy of {@code data}, which may be freed when this returns. */
    public boolean write(MemorySegment data, Consumer<NetException> onWritten) {
        requireChunk(data);
        Buffer copy = Buffer.alloc(Math.toIntExact(data.byteSize()));
        MemorySegment.copy(data, 0, copy.chunk().segment, copy.offset(), data.byteSize());
        return writer.enqueue(new SocketWrite(this, copy, onWritten));
    }

    /**
     * Every write form rejects null at once, as Node rejects a chunk that is not a string or
     * bytes. (Node names a literal {@code null} ERR_STREAM_NULL_VALUES and any other non-chunk
     * ERR_INVALID_ARG_TYPE; Java's null is both, and the contract names the latter.)
     */
    private static void requireChunk(Object data) {
        if (data == null) {
            throw InvalidArgumentException.invalidType("chunk",
                    "of type string or an instance of Buffer, TypedArray, or DataView", null);
        }
    }

    // ---- end, destroy ----------------------------------------------------------------------

    /** Half-closes: sends FIN after the queued data; {@code FINISH} follows. */
    @Override
    public Socket end() {
        return end((Runnable) null);
    }

    @Override
    public Socket end(Runnable onFinish) {
        if (onFinish != null) {
            once(FINISH, onFinish);
        }
        ending = true;
        onLoop(this::endNow);
        return this;
    }

    public Socket end(Buffer data) {
        return end(data, null);
    }

    public Socket end(byte[] data) {
        write(data);
        return end();
    }

    public Socket end(String data) {
        write(data);
        return end();
    }

    /** Writes {@code data}, then ends. */
    public Socket end(Buffer data, Runnable onFinish) {
        write(data);
        return end(onFinish);
    }

    public Socket end(byte[] data, Runnable onFinish) {
        write(data);
        return end(onFinish);
    }

    public Socket end(String data, Runnable onFinish) {
        write(data);
        return end(onFinish);
    }

    void endNow() {
        if (writableEnded || destroyed) {
            return;
        }
        ZeroCopyWriter.beforeWrite(this);  // bytes in a splice's kernel pipe go before the FIN
        ending = true;  // also when the loop ends the socket itself (allowHalfOpen false)
        writableEnded = true;
        if (handle != null && !connecting) {
            handle.shutdown();
        } else {
            shutdownBeforeConnect = true;
        }
    }

    /** FIN went out (or failed); loop thread. */
    void onShutdown(int status) {
        if (destroyed) {
            return;
        }
        if (status < 0) {
            destroy(Errors.exception(status, "shutdown"));
            return;
        }
        finished = true;
        emit(FINISH);
        if (readableEnded && !destroyed) {
            destroy();
        }
    }

    /** The peer's FIN arrived; loop thread, from the reader after {@code END}. */
    void onPeerEnded() {
        if (destroyed) {
            return;
        }
        if (!allowHalfOpen) {
            endNow();
        }
        if (finished && !destroyed) {
            destroy();
        }
    }

    /** Closes the socket now; {@code CLOSE(false)} follows. */
    public Socket destroy() {
        return destroy(null);
    }

    /** Closes the socket now; {@code ERROR(cause)} and {@code CLOSE(true)} follow. */
    public Socket destroy(Throwable cause) {
        NetException error = cause == null ? null
                : cause instanceof NetException n ? n
                : new NetException("ERR_UNHANDLED_ERROR", 0, null, null, -1, String.valueOf(cause), cause);
        onLoop(() -> destroyNow(error, false));
        return this;
    }

    /** Closes with a TCP reset (SO_LINGER 0) instead of FIN: Node's {@code resetAndDestroy()}. */
    public Socket resetAndDestroy() {
        onLoop(() -> destroyNow(null, true));
        return this;
    }

    void destroyNow(NetException error, boolean reset) {
        if (destroyed) {
            return;
        }
        destroyed = true;
        writer.destroying(error);
        connecting = false;
        if (tuning != null) {
            tuning.stopTimer();
        }
        ZeroCopyWriter.destinationClosing(this);
        reader.closing();
        if (handle != null) {
            if (local == null) {
                local = Tcp.localEndpoint(loop(), handle.fd());
            }
            if (reset && handle.fd() >= 0) {
                Tcp.setLingerZero(loop(), handle.fd());
            }
            handle.close();
        }
        ArrayDeque<SocketWrite> unsent = writer.takeEarlyWrites();
        refState = HandleRef.update(loop(), refState, HandleRef.ACTIVE, false);
        loop().onClose(() -> {
            if (error != null) {
                emitError(ERROR, error);
            }
            writer.failEarlyWrites(unsent);  // after 'error', before 'close', as in Node
            emit(CLOSE, error != null);
            if (server != null) {
                server.connectionClosed();
            }
        });
    }

    // ---- reading ---------------------------------------------------------------------------

    /**
     * Stops the flow: no more {@code DATA} until {@link #resume()}. Reading goes on into the
     * socket's buffer up to the high-water mark, then stops in the kernel, and the sender is
     * slowed by TCP flow control.
     */
    public Socket pause() {
        reader.pauseRequested();
        onLoop(reader::pause);
        return this;
    }

    /** Starts (or restarts) reading. */
    public Socket resume() {
        reader.resumeRequested();
        onLoop(reader::resume);
        return this;
    }

    /** Whether the socket was paused (Node's {@code readable.isPaused()}). */
    public boolean isPaused() {
        return reader.isPaused();
    }

    /**
     * Decodes incoming bytes with {@code charset}: each chunk then fires {@code DATA} and then
     * {@code TEXT} with the whole characters so far; a character split across chunks waits for its
     * last byte; malformed input becomes U+FFFD, as in Node.
     */
    public Socket setEncoding(Charset charset) {
        onLoop(() -> reader.setEncoding(charset));
        return this;
    }

    // ---- timeout and options ---------------------------------------------------------------

    /** Emits {@code TIMEOUT} after {@code ms} without reads or writes; 0 disables. */
    public Socket setTimeout(long ms) {
        return setTimeout(ms, null);
    }

    /** As {@link #setTimeout(long)}, adding {@code onTimeout} as a one-time {@code TIMEOUT} listener. */
    public Socket setTimeout(long ms, Runnable onTimeout) {
        SocketTuning.setTimeout(this, ms, onTimeout);
        return this;
    }

    void refreshIdle() {
        if (tuning != null) {
            tuning.refreshIdle();
        }
    }

    /** TCP_NODELAY: send small writes at once instead of waiting to coalesce them (Nagle). */
    public Socket setNoDelay(boolean noDelay) {
        onLoop(() -> SocketTuning.of(this).setNoDelay(noDelay));
        return this;
    }

    public Socket setNoDelay() {
        return setNoDelay(true);
    }

    /** SO_KEEPALIVE, with the idle time before the first probe. */
    public Socket setKeepAlive(boolean enable, long initialDelayMs) {
        onLoop(() -> SocketTuning.of(this).setKeepAlive(enable, initialDelayMs));
        return this;
    }

    public Socket setKeepAlive(boolean enable) {
        return setKeepAlive(enable, 0);
    }

    // ---- addresses and state ---------------------------------------------------------------

    /** The bound address ({@code address, family, port}); null before connecting and after close. */
    public AddressInfo address() {
        Endpoint e = callOnLoop(() -> destroyed || handle == null ? null : localEndpoint());
        return e == null ? null : new AddressInfo(e.address(), e.family(), e.port());
    }

    public String localAddress() {
        Endpoint e = callOnLoop(this::localEndpoint);
        return e == null ? null : e.address();
    }

    public int localPort() {
        Endpoint e = callOnLoop(this::localEndpoint);
        return e == null ? -1 : e.port();
    }

    public String localFamily() {
        Endpoint e = callOnLoop(this::localEndpoint);
        return e == null ? null : e.family();
    }

    public String remoteAddress() {
        Endpoint e = callOnLoop(() -> remote);
        return e == null ? null : e.address();
    }

    public String remoteFamily() {
        Endpoint e = callOnLoop(() -> remote);
        return e == null ? null : e.family();
    }

    public int remotePort() {
        Endpoint e = callOnLoop(() -> remote);
        return e == null ? -1 : e.port();
    }

    private Endpoint localEndpoint() {
        if (local == null && handle != null && !destroyed && !connecting) {
            local = Tcp.localEndpoint(loop(), handle.fd());
        }
        return local;
    }

    Endpoint remoteEndpoint() {
        return remote;
    }

    /** Connecting or accepted: the socket now keeps its loop alive (unless unref'd). */
    void activate() {
        refState = HandleRef.update(loop(), refState, HandleRef.ACTIVE, true);
    }

    SocketWriter writer() {
        return writer;
    }

    SocketReader reader() {
        return reader;
    }

    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes accepted by {@code write} and handed towards the kernel (Node's {@code bytesWritten}). */
    public long bytesWritten() {
        return writer.bytesWritten();
    }

    /** Bytes queued by {@code write} and not yet taken by the kernel (Node's {@code writableLength}). */
    public long bufferSize() {
        return writer.queuedBytes();
    }

    /** {@code "opening"}, {@code "open"}, {@code "readOnly"}, {@code "writeOnly"} or {@code "closed"}. */
    public String readyState() {
        if (connecting) {
            return "opening";
        }
        boolean readable = connected && !destroyed && !readableEnded;
        boolean writable = connected && !destroyed && !writableEnded;
        if (readable && writable) {
            return "open";
        }
        if (readable) {
            return "readOnly";
        }
        if (writable) {
            return "writeOnly";
        }
        return "closed";
    }

    /** True until connected: Node's {@code socket.pending}. */
    public boolean pending() {
        return !connected || connecting;
    }

    public boolean connecting() {
        return connecting;
    }

    public boolean destroyed() {
        return destroyed;
    }

    /** Lets the socket keep the JVM alive (the default). */
    public Socket ref() {
        onLoop(() -> refState = HandleRef.update(loop(), refState, HandleRef.REFERENCED, true));
        return this;
    }

    /** Stops the socket from keeping the JVM alive. */
    public Socket unref() {
        onLoop(() -> refState = HandleRef.update(loop(), refState, HandleRef.REFERENCED, false));
        return this;
    }

    // ---- pipe ------------------------------------------------------------------------------

    /** Writes everything read to {@code destination}, with backpressure, and ends it at the end. */
    public <W extends Writable> W pipe(W destination) {
        return pipe(destination, true);
    }

    /** Node's {@code readable.pipe(destination, { end })}. */
    public <W extends Writable> W pipe(W destination, boolean end) {
        onLoop(() -> reader.pipe(destination, end));
        return destination;
    }

    /** Stops writing to {@code destination}. */
    public Socket unpipe(Writable destination) {
        onLoop(() -> reader.unpipe(destination));
        return this;
    }

    // ---- EventEmitter with this class's type -----------------------------------------------

    @Override
    public <L> Socket on(Event<L> event, L listener) {
        super.on(event, listener);
        startFlowingFor(event);
        return this;
    }

    @Override
    public <L> Socket once(Event<L> event, L listener) {
        super.once(event, listener);
        startFlowingFor(event);
        return this;
    }

    @Override
    public <L> Socket prependListener(Event<L> event, L listener) {
        super.prependListener(event, listener);
        startFlowingFor(event);
        return this;
    }

    @Override
    public <L> Socket prependOnceListener(Event<L> event, L listener) {
        super.prependOnceListener(event, listener);
        startFlowingFor(event);
        return this;
    }

    @Override
    public <L> Socket addListener(Event<L> event, L listener) {
        return on(event, listener);
    }

    @Override
    public <L> Socket off(Event<L> event, L listener) {
        super.off(event, listener);
        return this;
    }

    @Override
    public <L> Socket removeListener(Event<L> event, L listener) {
        return off(event, listener);
    }

    /** A {@code 'data'} listener switches a stream into flowing mode, as in Node. */
    private void startFlowingFor(Event<?> event) {
        if (event == DATA || event == TEXT) {
            onLoop(reader::dataListenerAdded);
        }
    }

}
