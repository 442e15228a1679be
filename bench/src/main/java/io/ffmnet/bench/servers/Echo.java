package io.ffmnet.bench.servers;

/**
 * A running echo server of one contestant: TCP (every byte read is written back on the same
 * connection) and, where the contestant has it, UDP (every datagram sent back to its sender).
 * The same classes serve the process-level runner (through the mains) and the in-process JMH
 * round-trip benchmark.
 */
public interface Echo extends AutoCloseable {
    /** The bound TCP port. */
    int tcpPort();

    /** The bound UDP port, or -1 when this contestant has no UDP echo (see {@link #udpNote()}). */
    int udpPort();

    /** Why there is no UDP echo, or null when there is one. */
    default String udpNote() {
        return null;
    }

    /** Stops accepting, closes every connection and the loop threads; waits for them. */
    @Override
    void close();

    /**
     * Starts contestant {@code impl} on 127.0.0.1 (port 0 picks free ports; udpPort -1 skips UDP).
     *
     * @param impl one of {@code ffm-node}, {@code ffm-raw}, {@code netty-epoll}, {@code netty-io_uring}, {@code nio}
     * @param idleTimeoutMs when > 0, every connection arms an idle timer of this length (as a
     *                      server guarding against idle peers would); 0 arms none
     */
    static Echo start(String impl, int tcpPort, int udpPort, int loops, long idleTimeoutMs) throws Exception {
        return switch (impl) {
            case "ffm-node" -> FfmNodeEcho.start(tcpPort, udpPort, loops, idleTimeoutMs);
            case "ffm-raw" -> FfmRawEcho.start(tcpPort, udpPort, loops, idleTimeoutMs);
            case "netty-epoll" -> NettyEcho.start(NettyEcho.Transport.EPOLL, tcpPort, udpPort, loops, idleTimeoutMs);
            case "netty-io_uring" -> NettyEcho.start(NettyEcho.Transport.IO_URING, tcpPort, udpPort, loops, idleTimeoutMs);
            case "nio" -> NioEcho.start(tcpPort, udpPort, loops, idleTimeoutMs);
            default -> throw new IllegalArgumentException("unknown echo implementation " + impl);
        };
    }
}
