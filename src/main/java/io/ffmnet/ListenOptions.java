package io.ffmnet;

/**
 * Node's {@code server.listen(options)} object. Fluent: {@code new ListenOptions().port(0).host("127.0.0.1")}.
 * Set either a port (with an optional host) or a Unix socket path.
 */
public final class ListenOptions {
    /** Node's default backlog, the length of the kernel's queue of unaccepted connections. */
    public static final int DEFAULT_BACKLOG = 511;

    private int port;
    private String host;
    private String path;
    private int backlog = DEFAULT_BACKLOG;
    private boolean ipv6Only;
    private boolean reusePort;
    private boolean exclusive;
    private boolean readableAll;
    private boolean writableAll;

    /** The port, 0 (the default) for any free one. */
    public ListenOptions port(int port) {
        this.port = port;
        return this;
    }

    public int port() {
        return port;
    }

    /** The address to listen on; null (the default) for all addresses, dual-stack {@code ::} when IPv6 exists. */
    public ListenOptions host(String host) {
        this.host = host;
        return this;
    }

    public String host() {
        return host;
    }

    /** A Unix domain socket path instead of a port. */
    public ListenOptions path(String path) {
        this.path = path;
        return this;
    }

    public String path() {
        return path;
    }

    /** The kernel's accept queue length (capped by {@code net.core.somaxconn}). */
    public ListenOptions backlog(int backlog) {
        this.backlog = backlog;
        return this;
    }

    public int backlog() {
        return backlog;
    }

    /** With host {@code ::}, accept IPv6 only (IPV6_V6ONLY), not IPv4-mapped connections too. */
    public ListenOptions ipv6Only(boolean ipv6Only) {
        this.ipv6Only = ipv6Only;
        return this;
    }

    public boolean ipv6Only() {
        return ipv6Only;
    }

    /** SO_REUSEPORT: several sockets may listen on the port, the kernel spreading connections. */
    public ListenOptions reusePort(boolean reusePort) {
        this.reusePort = reusePort;
        return this;
    }

    public boolean reusePort() {
        return reusePort;
    }

    /**
     * Node's cluster option; without worker processes there is no handle to share, so every
     * listen here is exclusive. Kept so ported code compiles.
     */
    public ListenOptions exclusive(boolean exclusive) {
        this.exclusive = exclusive;
        return this;
    }

    public boolean exclusive() {
        return exclusive;
    }

    /** For a Unix socket: make it readable by all users. */
    public ListenOptions readableAll(boolean readableAll) {
        this.readableAll = readableAll;
        return this;
    }

    public boolean readableAll() {
        return readableAll;
    }

    /** For a Unix socket: make it writable by all users. */
    public ListenOptions writableAll(boolean writableAll) {
        this.writableAll = writableAll;
        return this;
    }

    public boolean writableAll() {
        return writableAll;
    }
}
