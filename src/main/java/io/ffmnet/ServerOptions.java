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
     * Event loops to spread connections over (default 1): the server's own loop plus
     * {@code loops - 1} more of {@link EventLoop#group(int)}. Each connection stays on the loop
     * that accepted it for its life, and its {@link Server#CONNECTION} listener runs on that
     * loop's thread, so with several loops the listener may run on different threads at the
     * same time. The server's own events ({@code LISTENING}, {@code ERROR}, {@code DROP},
     * {@code CLOSE}) stay on its own loop.
     *
     * <p>On TCP every loop gets a listening socket of its own, all bound to the same address and
     * port with {@code SO_REUSEPORT} (set whatever {@link ListenOptions#reusePort(boolean)}
     * says, since the group needs it), and the kernel spreads incoming connections over them
     * (on Linux by a hash of the connection's addresses and ports). A Unix domain socket, or a
     * platform without {@code SO_REUSEPORT}, has one listening socket on the server's loop that
     * hands each accepted connection to the loops in turn. A {@code CONNECTION} listener that
     * throws reports to the server loop's uncaught-exception handler.
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} unless
     *                                  {@code 1 <= loops <= EventLoop.MAX_GROUP_SIZE}
     */
    public ServerOptions loops(int loops) {
        EventLoop.checkGroupSize("loops", loops);
        this.loops = loops;
        return this;
    }

    public int loops() {
        return loops;
    }
}
