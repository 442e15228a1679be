package io.ffmnet;

import io.ffmnet.internal.loop.Resolver;
import io.ffmnet.internal.stream.Endpoint;
import io.ffmnet.internal.stream.Tcp;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Ip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;
import static io.ffmnet.internal.sys.SysConstants.AF_INET6;
import static io.ffmnet.internal.sys.SysConstants.AF_UNIX;
import static io.ffmnet.internal.sys.SysConstants.EAFNOSUPPORT;
import static io.ffmnet.internal.sys.SysConstants.EADDRNOTAVAIL;

/**
 * Node's {@code net.Server}: listens for TCP or Unix domain connections.
 *
 * <p>{@code listen} returns at once; {@link #LISTENING} follows on a later tick, or
 * {@link #ERROR} with Node's {@code code}, {@code syscall}, {@code address} and {@code port}
 * (after which the server may listen again). {@link #close()} stops accepting; {@link #CLOSE}
 * follows once the last connection has closed.
 *
 * <p>With {@link ServerOptions#loops(int)} above 1 the connections are spread over several
 * loops: each {@link Socket} lives on the loop that took it, and {@link #CONNECTION} is emitted
 * on that loop's thread, so its listener may run on several threads at once. The server's own
 * events stay on the server's loop, and the connection count covers every loop.
 */
public class Server extends EventEmitter {
    /** {@code 'listening'}. */
    public static final Event<Runnable> LISTENING = Event.named("listening");
    /** {@code 'connection'}: a new connection, as a connected {@link Socket}. */
    public static final Event<Consumer<Socket>> CONNECTION = Event.named("connection");
    /** {@code 'error'}: a listen failure, or an accept failure other than the descriptor limit. */
    public static final Event<Consumer<NetException>> ERROR = Event.named("error");
    /** {@code 'close'}: closed and every connection has ended. */
    public static final Event<Runnable> CLOSE = Event.named("close");
    /** {@code 'drop'}: {@link #maxConnections(int)} turned a connection away. */
    public static final Event<Consumer<DropInfo>> DROP = Event.named("drop");

    private final ServerOptions options;
    /** Set by {@code listen} on the caller's thread, so a second call throws at once as in Node. */
    private final AtomicBoolean listenCalled = new AtomicBoolean();
    private volatile int maxConnections = -1;
    private volatile boolean listening;

    /** Open connections on every loop: counted where accepted, dropped where each one closes. */
    private final AtomicInteger connections = new AtomicInteger();

    // Loop-thread state.
    private ServerListeners listeners;
    /** Listener groups whose sockets are closing on other loops; CLOSE waits for them. */
    private int closingGroups;
    /** {@code close()} was called and its CLOSE is still to come. */
    private boolean closePending;
    private String unixPath;
    private final HandleRef refs = new HandleRef(loop());

    Server(EventLoop loop, ServerOptions options, Consumer<Socket> connectionListener) {
        super(loop);
        this.options = options;
        if (connectionListener != null) {
            on(CONNECTION, connectionListener);
        }
    }

    // ---- listen ----------------------------------------------------------------------------

    /** Listens on {@code port} on all addresses (dual-stack {@code ::} when IPv6 exists). */
    public Server listen(int port) {
        return listen(new ListenOptions().port(port), null);
    }

    public Server listen(int port, Runnable onListening) {
        return listen(new ListenOptions().port(port), onListening);
    }

    /** Listens on {@code port} of {@code host}: Node's {@code server.listen(port, host)}. */
    public Server listen(int port, String host) {
        return listen(new ListenOptions().port(port).host(host), null);
    }

    /** Node's {@code server.listen(port, host, backlog)}. */
    public Server listen(int port, String host, int backlog) {
        return listen(new ListenOptions().port(port).host(host).backlog(backlog), null);
    }

    public Server listen(int port, String host, Runnable onListening) {
        return listen(new ListenOptions().port(port).host(host), onListening);
    }

    public Server listen(int port, String host, int backlog, Runnable onListening) {
        return listen(new ListenOptions().port(port).host(host).backlog(backlog), onListening);
    }

    /** Listens on a Unix domain socket at {@code path}. */
    public Server listen(String path, Runnable onListening) {
        return listen(new ListenOptions().path(path), onListening);
    }

    public Server listen(ListenOptions options) {
        return listen(options, null);
    }

    /** Every other {@code listen} comes here. */
    public Server listen(ListenOptions o, Runnable onListening) {
        if (o.path() == null && (o.port() < 0 || o.port() > 65535)) {
            throw InvalidArgumentException.badPort("options.port", o.port());
        }
        if (!listenCalled.compareAndSet(false, true)) {
            throw new InvalidStateException("ERR_SERVER_ALREADY_LISTEN",
                    "Listen method has been called more than once without closing.");
        }
        if (onListening != null) {
            once(LISTENING, onListening);
        }
        onLoop(() -> start(o));
        return this;
    }

    private void start(ListenOptions o) {
        if (o.path() != null) {
            int length = Tcp.encodeUnix(loop(), o.path());
            if (length < 0) {
                failListen(length, o.path(), -1);
                return;
            }
            open(AF_UNIX, length, o, o.path(), -1);
            return;
        }
        String host = o.host();
        if (host == null || host.isEmpty()) {
            listenAnyAddress(o);
        } else if (Ip.version(host) != 0) {
            listenOn(host, o);
        } else {
            Resolver.lookup(loop(), host, 0, answer -> {
                if (answer.status() != 0 || answer.addresses().isEmpty()) {
                    listenCalled.set(false);
                    emitError(ERROR, Errors.lookupException(answer.status(), host));
                } else {
                    listenOn(answer.addresses().getFirst(), o);
                }
            });
        }
    }

    /** Node: {@code ::} accepting IPv4 too, or {@code 0.0.0.0} where the host has no IPv6. */
    private void listenAnyAddress(ListenOptions o) {
        int length = Tcp.encode(loop(), "::", o.port());
        ServerListeners.Opened opened = ServerListeners.open(this, groupLoops(), AF_INET6, length, "::", o);
        if (opened.listeners() == null && (opened.errno() == -EAFNOSUPPORT || opened.errno() == -EADDRNOTAVAIL)) {
            listenOn("0.0.0.0", o);
            return;
        }
        opened(opened, "::", o.port(), null);
    }

    private List<EventLoop> groupLoops() {
        return EventLoop.spread(eventLoop, options.loops());
    }

    private void listenOn(String ip, ListenOptions o) {
        int length = Tcp.encode(loop(), ip, o.port());
        if (length < 0) {
            failListen(length, ip, o.port());
            return;
        }
        open(Ip.version(ip) == 6 ? AF_INET6 : AF_INET, length, o, ip, o.port());
    }

    private void open(int family, int length, ListenOptions o, String address, int port) {
        ServerListeners.Opened opened = ServerListeners.open(this, groupLoops(), family, length,
                family == AF_UNIX ? null : address, o);
        opened(opened, address, port, family == AF_UNIX ? o : null);
    }

    private void opened(ServerListeners.Opened opened, String address, int port, ListenOptions unix) {
        if (opened.listeners() == null) {
            failListen(opened.errno(), address, port);
            return;
        }
        listeners = opened.listeners();
        if (unix != null) {
            unixPath = unix.path();
            setUnixPermissions(unix);
        }
        listeners.start();
        listening = true;
        refs.active(true);
        loop().nextTick(() -> emit(LISTENING));
    }

    /** Node reports every listen failure as a {@code listen} error on a later tick. */
    private void failListen(int errno, String address, int port) {
        NetException e = Errors.uvException(errno, "listen", address, port);
        loop().nextTick(() -> {
            listenCalled.set(false);
            emitError(ERROR, e);
        });
    }

    /**
     * libuv's {@code uv_pipe_chmod}: adds read (or write) permission for owner, group and others
     * to the mode the socket file was created with, removing nothing.
     */
    private void setUnixPermissions(ListenOptions o) {
        if (!o.readableAll() && !o.writableAll() || unixPath.startsWith("\0")) {
            return;
        }
        try {
            Path file = Path.of(unixPath);
            Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
            perms.addAll(Files.getPosixFilePermissions(file));
            if (o.readableAll()) {
                perms.addAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
                        PosixFilePermission.OTHERS_READ));
            }
            if (o.writableAll()) {
                perms.addAll(Set.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.OTHERS_WRITE));
            }
            Files.setPosixFilePermissions(file, perms);
        } catch (IOException e) {
            reportUncaught(e);
        }
    }

    // ---- connections -----------------------------------------------------------------------

    /**
     * Node's {@code onconnection}, first half, on the thread of the loop that accepted {@code fd}:
     * the connection limit (counted over every loop), then the block list. Closes {@code fd}
     * and returns false for a connection turned away; otherwise it is counted.
     */
    boolean admit(EventLoop on, int fd, Endpoint peer) {
        if (!countConnection()) {
            Endpoint local = Tcp.localEndpoint(on.loop, fd);
            Fds.close(fd);
            DropInfo drop = dropInfo(local, peer);
            onLoop(() -> emit(DROP, drop));
            return false;
        }
        if (blocked(peer)) {
            Fds.close(fd);
            connectionClosed();
            return false;
        }
        return true;
    }

    /** Takes a place under {@link #maxConnections}, atomically since several loops accept. */
    private boolean countConnection() {
        int max = maxConnections;
        while (true) {
            int now = connections.get();
            if (max >= 0 && now >= max) {
                return false;
            }
            if (connections.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Second half, on the thread of the loop the connection will live on: the Socket and CONNECTION. */
    void connected(EventLoop on, int fd, Endpoint peer) {
        Socket socket = Socket.accepted(this, on, fd, peer, options);
        emit(CONNECTION, socket);
    }

    /** An accept failure other than the descriptor limit; any loop's thread. */
    void acceptError(int error) {
        NetException e = Errors.exception(error, "accept");
        onLoop(() -> emitError(ERROR, e));
    }

    private boolean blocked(Endpoint peer) {
        BlockList list = options.blockList();
        return list != null && peer != null && !"unix".equals(peer.family())
                && list.check(peer.address(), "IPv6".equals(peer.family()) ? "ipv6" : "ipv4");
    }

    private static DropInfo dropInfo(Endpoint local, Endpoint peer) {
        if (peer == null || "unix".equals(peer.family())) {
            return new DropInfo(null, -1, null, null, -1, null);
        }
        return new DropInfo(local == null ? null : local.address(), local == null ? -1 : local.port(),
                local == null ? null : local.family(), peer.address(), peer.port(), peer.family());
    }

    /** A connection of this server closed; on the thread of the connection's loop. */
    void connectionClosed() {
        if (connections.decrementAndGet() == 0) {
            onLoop(this::emitCloseIfDrained);
        }
    }

    /** Node's {@code server.maxConnections}; -1 (the default) for no limit. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Connections beyond {@code max} are closed at once, with a {@link #DROP} event. */
    public Server maxConnections(int max) {
        this.maxConnections = max;
        return this;
    }

    /** The number of open connections, to a callback on a later tick: Node's {@code getConnections}. */
    public Server getConnections(BiConsumer<NetException, Integer> callback) {
        onLoop(() -> {
            int count = connections.get();
            loop().nextTick(() -> callback.accept(null, count));
        });
        return this;
    }

    // ---- close, state ----------------------------------------------------------------------

    public Server close() {
        return close(null);
    }

    /**
     * Stops accepting; {@code CLOSE} follows once every connection has ended.
     *
     * @param onClosed runs on {@code CLOSE}: with null, or with {@code ERR_SERVER_NOT_RUNNING} if
     *                 the server was not listening
     */
    public Server close(Consumer<NetException> onClosed) {
        onLoop(() -> {
            if (onClosed != null) {
                NetException error = listeners == null
                        ? new NetException("ERR_SERVER_NOT_RUNNING", "Server is not running.") : null;
                once(CLOSE, () -> onClosed.accept(error));
            }
            if (listeners != null) {
                ServerListeners closing = listeners;
                listeners = null;
                listening = false;
                listenCalled.set(false);
                refs.active(false);
                unlinkUnixPath();
                closingGroups++;
                closing.close(() -> {
                    closingGroups--;
                    emitCloseIfDrained();
                });
            }
            closePending = true;
            emitCloseIfDrained();
        });
        return this;
    }

    /** libuv removes a pipe server's socket file when it closes, and so does Node. */
    private void unlinkUnixPath() {
        if (unixPath != null && !unixPath.startsWith("\0")) {
            try {
                Files.deleteIfExists(Path.of(unixPath));
            } catch (IOException e) {
                reportUncaught(e);
            }
        }
        unixPath = null;
    }

    /**
     * CLOSE once {@code close()} was called, every listener is closed on its loop and no
     * connection is left on any loop. Each of those conditions calls this when it becomes true,
     * on the server's loop, so the last one to become true emits, once.
     */
    private void emitCloseIfDrained() {
        if (closePending && listeners == null && closingGroups == 0 && connections.get() == 0) {
            closePending = false;
            loop().nextTick(() -> emit(CLOSE));
        }
    }

    /** Whether the server is listening. */
    public boolean listening() {
        return listening;
    }

    /**
     * The bound address; for a Unix domain server {@code (path, "unix", -1)}; null before
     * listening and after close.
     */
    public AddressInfo address() {
        return callOnLoop(() -> {
            if (listeners == null) {
                return null;
            }
            if (unixPath != null) {
                return new AddressInfo(unixPath, "unix", -1);
            }
            Endpoint e = listeners.localEndpoint();
            return e == null ? null : new AddressInfo(e.address(), e.family(), e.port());
        });
    }

    public Server ref() {
        onLoop(() -> refs.referenced(true));
        return this;
    }

    public Server unref() {
        onLoop(() -> refs.referenced(false));
        return this;
    }

    // ---- EventEmitter with this class's type -----------------------------------------------

    @Override
    public <L> Server on(Event<L> event, L listener) {
        super.on(event, listener);
        return this;
    }

    @Override
    public <L> Server once(Event<L> event, L listener) {
        super.once(event, listener);
        return this;
    }

    @Override
    public <L> Server off(Event<L> event, L listener) {
        super.off(event, listener);
        return this;
    }
}
