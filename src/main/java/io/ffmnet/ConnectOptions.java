package io.ffmnet;

/**
 * Node's {@code socket.connect(options)} / {@code net.createConnection(options)} object. Set a
 * port (with an optional host, default {@code localhost}) or a Unix socket path.
 */
public final class ConnectOptions {
    private int port = -1;
    private String host = "localhost";
    private String path;
    private String localAddress;
    private int localPort;
    private int family;
    private boolean allowHalfOpen;
    private boolean noDelay;
    private boolean keepAlive;
    private long keepAliveInitialDelay;
    private long timeout;
    private boolean autoSelectFamily = true;
    private int highWaterMark = SocketOptions.DEFAULT_HIGH_WATER_MARK;

    public ConnectOptions port(int port) {
        this.port = port;
        return this;
    }

    public int port() {
        return port;
    }

    /** The host name or IP address; {@code localhost} by default. */
    public ConnectOptions host(String host) {
        this.host = host;
        return this;
    }

    public String host() {
        return host;
    }

    /** A Unix domain socket path instead of host and port. */
    public ConnectOptions path(String path) {
        this.path = path;
        return this;
    }

    public String path() {
        return path;
    }

    /** The local address to connect from. */
    public ConnectOptions localAddress(String localAddress) {
        this.localAddress = localAddress;
        return this;
    }

    public String localAddress() {
        return localAddress;
    }

    /** The local port to connect from (0: any). */
    public ConnectOptions localPort(int localPort) {
        this.localPort = localPort;
        return this;
    }

    public int localPort() {
        return localPort;
    }

    /** 4, 6, or 0 (the default) for either, as Node's {@code family}. */
    public ConnectOptions family(int family) {
        this.family = family;
        return this;
    }

    public int family() {
        return family;
    }

    public ConnectOptions allowHalfOpen(boolean allowHalfOpen) {
        this.allowHalfOpen = allowHalfOpen;
        return this;
    }

    public boolean allowHalfOpen() {
        return allowHalfOpen;
    }

    /** TCP_NODELAY once connected. */
    public ConnectOptions noDelay(boolean noDelay) {
        this.noDelay = noDelay;
        return this;
    }

    public boolean noDelay() {
        return noDelay;
    }

    /** SO_KEEPALIVE once connected. */
    public ConnectOptions keepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
        return this;
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    public ConnectOptions keepAliveInitialDelay(long ms) {
        this.keepAliveInitialDelay = ms;
        return this;
    }

    public long keepAliveInitialDelay() {
        return keepAliveInitialDelay;
    }

    /** The idle timeout, as {@code socket.setTimeout(ms)} right after creation (0: none). */
    public ConnectOptions timeout(long ms) {
        this.timeout = ms;
        return this;
    }

    public long timeout() {
        return timeout;
    }

    /**
     * Try each address the host name resolves to, in turn, until one connects (default true,
     * as Node 20). When false, only the first address is tried.
     */
    public ConnectOptions autoSelectFamily(boolean autoSelectFamily) {
        this.autoSelectFamily = autoSelectFamily;
        return this;
    }

    public boolean autoSelectFamily() {
        return autoSelectFamily;
    }

    public ConnectOptions highWaterMark(int highWaterMark) {
        this.highWaterMark = highWaterMark;
        return this;
    }

    public int highWaterMark() {
        return highWaterMark;
    }
}
