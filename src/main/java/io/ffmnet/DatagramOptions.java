package io.ffmnet;

/**
 * Node's {@code dgram.createSocket(options)} argument, with fluent setters:
 * {@code Dgram.createSocket(new DatagramOptions().type("udp4").reuseAddr(true))}.
 */
public final class DatagramOptions {
    /**
     * The largest datagram received whole: 64 KiB holds any UDP datagram over IPv4 (at most
     * 65,507 bytes of payload) and over IPv6 without jumbograms, so by default nothing is cut.
     */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

    private String type;
    private boolean reuseAddr;
    private boolean reusePort;
    private boolean ipv6Only;
    private int recvBufferSize;
    private int sendBufferSize;
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private int loops = 1;

    /** Options with Node's defaults; {@link #type} must still be set. */
    public DatagramOptions() {}

    /** {@code "udp4"} or {@code "udp6"} (checked by {@link Dgram#createSocket(DatagramOptions)}). */
    public DatagramOptions type(String type) {
        this.type = type;
        return this;
    }

    /**
     * Node's {@code reuseAddr}: {@code SO_REUSEADDR} before binding, so several sockets (of this
     * or other processes) can bind the same address and port, as multicast receivers do.
     */
    public DatagramOptions reuseAddr(boolean reuseAddr) {
        this.reuseAddr = reuseAddr;
        return this;
    }

    /**
     * Node's {@code reusePort}: {@code SO_REUSEPORT} before binding; Linux then spreads incoming
     * datagrams over the sockets bound to the port.
     */
    public DatagramOptions reusePort(boolean reusePort) {
        this.reusePort = reusePort;
        return this;
    }

    /** Node's {@code ipv6Only}: a {@code udp6} socket bound to {@code ::} then takes no IPv4. */
    public DatagramOptions ipv6Only(boolean ipv6Only) {
        this.ipv6Only = ipv6Only;
        return this;
    }

    /** Node's {@code recvBufferSize}: {@code SO_RCVBUF}, set once bound; 0 leaves the default. */
    public DatagramOptions recvBufferSize(int bytes) {
        this.recvBufferSize = checkSize("options.recvBufferSize", bytes);
        return this;
    }

    /** Node's {@code sendBufferSize}: {@code SO_SNDBUF}, set once bound; 0 leaves the default. */
    public DatagramOptions sendBufferSize(int bytes) {
        this.sendBufferSize = checkSize("options.sendBufferSize", bytes);
        return this;
    }

    /**
     * ffm-net's own option: the bytes of native memory each received datagram is read into (1 to
     * 65,536; default {@link #DEFAULT_MAX_MESSAGE_SIZE}). Each {@code MESSAGE} buffer is a view of
     * such a block, so a smaller size saves memory when many messages are retained. A longer
     * datagram is delivered truncated with {@link RemoteInfo#size()} telling its real size.
     */
    public DatagramOptions maxMessageSize(int bytes) {
        if (bytes < 1 || bytes > DEFAULT_MAX_MESSAGE_SIZE) {
            throw InvalidArgumentException.intOutOfRange("options.maxMessageSize", 1, DEFAULT_MAX_MESSAGE_SIZE, bytes);
        }
        this.maxMessageSize = bytes;
        return this;
    }

    /**
     * ffm-net's own option, as {@link ServerOptions#loops(int)} for TCP: with {@code n > 1},
     * {@code bind} opens {@code n} sockets on the same address and port, each on its own loop of
     * {@link EventLoop#group(int)}, with {@code SO_REUSEPORT} set whatever {@link #reusePort}
     * says; the kernel spreads incoming datagrams over them by flow (a hash of the source and
     * destination addresses and ports), so one sender's datagrams stay on one loop and in order.
     * {@code MESSAGE} listeners then run on the loop that received the datagram, so on different
     * threads at the same time; a {@code send} made on one of the group's loop threads leaves
     * through that loop's socket, any other through the first. {@code LISTENING}, {@code ERROR}
     * and {@code CLOSE} come once, on the socket's own loop; socket options are set on every
     * socket; {@code getSendQueueSize}/{@code Count} report the first socket's queue;
     * {@code connect} throws {@code ERR_METHOD_NOT_IMPLEMENTED}. Linux hands a multicast or
     * broadcast datagram to every socket bound to the port, so a group receives it {@code n}
     * times: keep such receivers at 1. Default 1.
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} for {@code n} outside 1..256
     */
    public DatagramOptions loops(int n) {
        if (n < 1 || n > 256) {
            throw InvalidArgumentException.intOutOfRange("options.loops", 1, 256, n);
        }
        this.loops = n;
        return this;
    }

    /** How many sockets (one per loop) {@code bind} opens. */
    public int loops() {
        return loops;
    }

    /** The socket type, {@code "udp4"} or {@code "udp6"}, or null if not set. */
    public String type() {
        return type;
    }

    /** Whether {@code SO_REUSEADDR} is set before binding. */
    public boolean reuseAddr() {
        return reuseAddr;
    }

    /** Whether {@code SO_REUSEPORT} is set before binding. */
    public boolean reusePort() {
        return reusePort;
    }

    /** Whether {@code IPV6_V6ONLY} is set before binding. */
    public boolean ipv6Only() {
        return ipv6Only;
    }

    /** {@code SO_RCVBUF} to set once bound, or 0 for the default. */
    public int recvBufferSize() {
        return recvBufferSize;
    }

    /** {@code SO_SNDBUF} to set once bound, or 0 for the default. */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /** The bytes each received datagram is read into. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** Node's {@code validateUint32} on the option. */
    private static int checkSize(String name, int bytes) {
        if (bytes < 0) {
            throw InvalidArgumentException.intOutOfRange(name, 0, 4294967295L, bytes);
        }
        return bytes;
    }

    DatagramOptions copy() {
        DatagramOptions c = new DatagramOptions();
        c.type = type;
        c.reuseAddr = reuseAddr;
        c.reusePort = reusePort;
        c.ipv6Only = ipv6Only;
        c.recvBufferSize = recvBufferSize;
        c.sendBufferSize = sendBufferSize;
        c.maxMessageSize = maxMessageSize;
        c.loops = loops;
        return c;
    }
}
