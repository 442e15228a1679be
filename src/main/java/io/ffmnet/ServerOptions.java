package io.ffmnet;

/** Node's {@code net.createServer(options)} object, plus {@link #loops(int)} for several cores. */
public final class ServerOptions {
    private boolean allowHalfOpen;
    private boolean pauseOnConnect;
    private boolean noDelay;
    private boolean keepAlive;
    private long keepAliveInitialDelay;
    private int highWaterMark = SocketOptions.DEFAULT_HIGH_WATER_MARK;
    private BlockList blockList;
    private int loops = 1;

    /** Accepted sockets stay writable after the peer ended (default false). */
    public ServerOptions allowHalfOpen(boolean allowHalfOpen) {
        this.allowHalfOpen = allowHalfOpen;
        return this;
    }

    public boolean allowHalfOpen() {
        return allowHalfOpen;
    }

    /** Accepted sockets read nothing until {@code resume()} (for handing them elsewhere). */
    public ServerOptions pauseOnConnect(boolean pauseOnConnect) {
        this.pauseOnConnect = pauseOnConnect;
        return this;
    }

    public boolean pauseOnConnect() {
        return pauseOnConnect;
    }

    /** TCP_NODELAY on each accepted socket. */
    public ServerOptions noDelay(boolean noDelay) {
        this.noDelay = noDelay;
        return this;
    }

    public boolean noDelay() {
        return noDelay;
    }

    /** SO_KEEPALIVE on each accepted socket. */
    public ServerOptions keepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
        return this;
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    public ServerOptions keepAliveInitialDelay(long ms) {
        this.keepAliveInitialDelay = ms;
        return this;
    }

    public long keepAliveInitialDelay() {
        return keepAliveInitialDelay;
    }

    public ServerOptions highWaterMark(int highWaterMark) {
        this.highWaterMark = highWaterMark;
        return this;
    }

    public int highWaterMark() {
        return highWaterMark;
    }

    /** Connections from addresses this list blocks are closed as soon as they are accepted. */
    public ServerOptions blockList(BlockList blockList) {
        this.blockList = blockList;
        return this;
    }

    public BlockList blockList() {
        return blockList;
    }

    /**
     * Event loops to spread connections over (default 1). Each connection stays on one loop
     * for its life.
     *
     * <p>Only 1 is implemented in this version: spreading over several loops (one
     * {@code SO_REUSEPORT} listener per loop) is planned, and until it exists a larger value is
     * refused rather than silently ignored.
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} for anything but 1
     */
    public ServerOptions loops(int loops) {
        if (loops != 1) {
            throw InvalidArgumentException.outOfRange("loops",
                    "1 (several loops per server are not implemented yet)", loops);
        }
        this.loops = loops;
        return this;
    }

    public int loops() {
        return loops;
    }
}
