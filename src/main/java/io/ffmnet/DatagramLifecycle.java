package io.ffmnet;

import io.ffmnet.internal.dgram.UdpHandle;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.loop.Resolver;
import io.ffmnet.internal.sys.Dns;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Ip;

import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * A datagram socket's life as Node's {@code lib/dgram.js} tracks it in its state object: bound
 * or not, connected or not, closed or not, and the queue of what waits for the bind (sends,
 * connects, a close). The descriptor itself is the {@link UdpHandle}'s.
 *
 * <p>The three states are read and changed by callers on any thread, at the moment of the call,
 * as Node changes them synchronously (so a second {@code bind} throws at once): they are guarded
 * by this object's lock. The bind itself, the lookups and the events happen on the loop thread;
 * so do the fields marked as such.
 */
final class DatagramLifecycle {
    static final int UNBOUND = 0;
    static final int BINDING = 1;
    static final int BOUND = 2;
    static final int DISCONNECTED = 0;
    static final int CONNECTING = 1;
    static final int CONNECTED = 2;

    /** {@link #startOrQueue}'s answers: what is left to do once the lock is released. */
    static final int QUEUED = 0;
    static final int RUN = 1;
    static final int BIND = 2;

    private static final int LITERAL_SLOTS = 8;   // a power of two

    private final DatagramSocket socket;
    private final UdpHandle handle;
    private final DatagramOptions options;

    // Guarded by this.
    int bindState = UNBOUND;
    int connectState = DISCONNECTED;
    private boolean closed;
    private ArrayDeque<DatagramSocket.Deferred> queue;

    // Loop thread only.
    private Runnable bindCallback;
    private boolean listening;
    private boolean referenced = true;
    private boolean counted;
    /**
     * The last destinations found to be IP literals, by identity, to skip parsing them again: an
     * echo server replies to the address strings its peers' datagrams came with, which the
     * receive side keeps one per recent sender. Written by the loops of a group too: each slot
     * only ever holds a literal, so a lost or stale write costs a parse, never a wrong answer.
     */
    private final String[] literals = new String[LITERAL_SLOTS];
    private int nextLiteral;

    DatagramLifecycle(DatagramSocket socket, UdpHandle handle, DatagramOptions options) {
        this.socket = socket;
        this.handle = handle;
        this.options = options;
    }

    private Loop loop() {
        return socket.loop();
    }

    /** Node's {@code healthCheck}: {@code ERR_SOCKET_DGRAM_NOT_RUNNING} once closed. */
    synchronized void healthCheck() {
        if (closed) {
            throw DgramErrors.notRunning();
        }
    }

    // ---- bind: Node's Socket.prototype.bind and startListening ------------------------------

    /** Moves to {@code BINDING} or throws; then the bind runs on the loop. */
    void bind(int port, String address, Runnable onListening) {
        synchronized (this) {
            healthCheck();
            if (bindState != UNBOUND) {
                throw DgramErrors.alreadyBound();
            }
            bindState = BINDING;
        }
        if (onListening != null) {
            socket.once(DatagramSocket.LISTENING, onListening);
        }
        socket.onLoop(() -> {
            bindCallback = onListening;
            startBind(port, address);
        });
    }

    /**
     * Runs {@code op} now (on the loop) if bound, else queues it for after the bind, binding to
     * a random port first if nothing started a bind yet: Node's implicit bind in {@code send} and
     * {@code connect}. Call holding this lock, then pass the answer to {@link #start} once the
     * lock is released (answers rather than a task, so that a send allocates nothing here).
     *
     * @return {@link #QUEUED}, {@link #RUN} or {@link #BIND}
     */
    int startOrQueue(DatagramSocket.Deferred op) {
        boolean bind = bindState == UNBOUND;
        if (bind) {
            bindState = BINDING;
        }
        if (bindState != BOUND || queue != null) {
            if (queue == null) {
                queue = new ArrayDeque<>();
            }
            queue.add(op);
            return bind ? BIND : QUEUED;
        }
        return RUN;
    }

    /** Does what {@link #startOrQueue} answered for {@code op}; without the lock. */
    void start(int answer, DatagramSocket.Deferred op) {
        if (answer == RUN) {
            DatagramGroup.onSendLoop(socket, op);   // connect never has a group
        } else if (answer == BIND) {
            socket.onLoop(() -> startBind(0, null));
        }
    }

    private void startBind(int port, String address) {
        String host = address == null || address.isEmpty() ? (socket.isIPv6() ? "::" : "0.0.0.0") : address;
        lookup(host, (ip, error) -> {
            if (handle.isClosed()) {
                return;
            }
            if (error != null) {
                bindFailed(error);
                return;
            }
            int r = handle.bind(ip, port, bindFlags());
            if (r == 0) {
                r = handle.startReceiving();
            }
            if (r == 0 && socket.group != null) {
                // Port 0: the others take the port the kernel gave the first one.
                int bound = port != 0 ? port : handle.localAddress().port();
                r = socket.group.bind(ip, bound, bindFlags(), handle.family(), options.maxMessageSize());
                if (r < 0) {
                    groupBindFailed(DgramErrors.withHostPort(r, "bind", ip, port));
                    return;
                }
            }
            if (r < 0) {
                bindFailed(DgramErrors.withHostPort(r, "bind", ip, port));
            } else {
                startListening();
            }
        });
    }

    private int bindFlags() {
        return (options.reuseAddr() ? UdpHandle.REUSEADDR : 0) | (options.reusePort() ? UdpHandle.REUSEPORT : 0)
                | (options.ipv6Only() ? UdpHandle.IPV6ONLY : 0)
                | (options.loops() > 1 ? UdpHandle.REUSEPORT : 0);   // a group shares its port
    }

    private void startListening() {
        synchronized (this) {
            bindState = BOUND;
        }
        listening = true;
        bindCallback = null;
        updateRef();
        if (applyBufferSize(true, options.recvBufferSize()) && applyBufferSize(false, options.sendBufferSize())) {
            socket.emit(DatagramSocket.LISTENING);
            runQueue();
        }
    }

    private boolean applyBufferSize(boolean receive, int size) {
        int r = size > 0 ? DatagramGroup.all(socket, h -> h.bufferSize(receive, size)) : 0;
        if (r < 0) {
            emitErrorOrClose(DgramErrors.bufferSize(r, receive));
            return false;
        }
        return true;
    }

    /**
     * Node's {@code clearQueue}: what waited for the bind runs, in call order. Runs after the
     * {@code LISTENING} listeners, so calls they make while the queue is still there line up
     * behind it rather than overtake it.
     */
    private void runQueue() {
        ArrayDeque<DatagramSocket.Deferred> waiting;
        synchronized (this) {
            waiting = queue;
            queue = null;
        }
        if (waiting != null) {
            for (DatagramSocket.Deferred d : waiting) {
                d.run();
            }
        }
    }

    /**
     * The bind failed: back to {@code UNBOUND}, the bind callback is taken off (Node removes it
     * too, but through an error listener that would also swallow the error), the error is
     * emitted, and what waited is cancelled with it (Node forgets the queue silently).
     */
    private void bindFailed(NetException error) {
        ArrayDeque<DatagramSocket.Deferred> waiting;
        synchronized (this) {
            bindState = UNBOUND;
            waiting = queue;
            queue = null;
        }
        if (bindCallback != null) {
            socket.off(DatagramSocket.LISTENING, bindCallback);
            bindCallback = null;
        }
        emitErrorOrClose(error);
        if (waiting != null) {
            for (DatagramSocket.Deferred d : waiting) {
                d.cancel(error);
            }
        }
    }

    /**
     * A member of a group could not bind after the socket's own descriptor did. A bound
     * descriptor cannot be unbound, so unlike a plain bind failure the socket cannot go back to
     * unbound and try again: it reports the error like any bind failure, then closes every
     * descriptor it made and emits {@code CLOSE}.
     */
    private void groupBindFailed(NetException error) {
        bindFailed(error);
        closeIfOpen();
    }

    // ---- connect state ----------------------------------------------------------------------

    /** Records how a connect ended (loop thread). */
    synchronized void connected(boolean ok) {
        connectState = ok ? CONNECTED : DISCONNECTED;
    }

    // ---- close, ref ---------------------------------------------------------------------------

    /**
     * Node's {@code close}: while binding, the close waits in the queue behind the sends made
     * before it; else the socket is marked closed now and the descriptor closes on the loop.
     */
    void close() {
        synchronized (this) {
            if (queue != null) {
                queue.add(new QueuedClose());
                return;
            }
            healthCheck();
            closed = true;
        }
        socket.onLoop(this::closeHandle);
    }

    /** A close that waited for the bind; runs whether the bind worked or not. */
    private final class QueuedClose implements DatagramSocket.Deferred {
        @Override
        public void run() {
            closeIfOpen();
        }

        @Override
        public void cancel(NetException cause) {
            closeIfOpen();
        }
    }

    private void closeIfOpen() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closeHandle();
    }

    /** Loop thread: the descriptor goes now, {@code CLOSE} on the next tick (Node's {@code socketCloseNT}). */
    private void closeHandle() {
        listening = false;
        updateRef();
        handle.close();
        Runnable emitClose = () -> socket.emit(DatagramSocket.CLOSE);
        if (socket.group != null) {
            socket.group.close(emitClose);   // CLOSE once every member's descriptor is gone
        } else {
            loop().nextTick(emitClose);
        }
    }

    /** An {@code ERROR} event; with no listener it goes to the uncaught-exception handler and the socket closes. */
    void emitErrorOrClose(NetException error) {
        if (!socket.emitError(DatagramSocket.ERROR, error)) {
            closeIfOpen();
        }
    }

    /** Node's {@code ref}/{@code unref}, applied on the loop. */
    void ref(boolean on) {
        socket.onLoop(() -> {
            referenced = on;
            updateRef();
        });
    }

    /** A bound, open, referenced socket counts once toward keeping its loop (and the JVM) alive. */
    private void updateRef() {
        boolean want = referenced && listening;
        if (want != counted) {
            counted = want;
            loop().adjustRefs(want ? 1 : -1);
        }
    }

    // ---- addresses ------------------------------------------------------------------------------

    /** Where a destination left empty goes: Node's {@code lookup4}/{@code lookup6} default. */
    String defaultHost() {
        return socket.isIPv6() ? "::1" : "127.0.0.1";
    }

    /** Whether {@code host} is an IP literal, which needs no lookup. Loop thread. */
    boolean isLiteral(String host) {
        for (String literal : literals) {
            if (literal == host && literal != null) {
                return true;
            }
        }
        if (Ip.version(host) == 0) {
            return false;
        }
        literals[nextLiteral++ & (LITERAL_SLOTS - 1)] = host;
        return true;
    }

    /**
     * Resolves {@code host} (empty: {@link #defaultHost()}) in the socket's family, off the loop,
     * answering on it; a literal answers on the next tick, as {@code dns.lookup} does. Loop thread.
     */
    void lookup(String host, BiConsumer<String, NetException> then) {
        String name = host == null || host.isEmpty() ? defaultHost() : host;
        Resolver.lookup(loop(), name, handle.family(), answer -> {
            if (answer.ok()) {
                then.accept(answer.addresses().get(0), null);
            } else {
                int status = answer.status() != 0 ? answer.status() : Dns.UV_EAI_NONAME;
                then.accept(null, Errors.lookupException(status, name));
            }
        });
    }
}
