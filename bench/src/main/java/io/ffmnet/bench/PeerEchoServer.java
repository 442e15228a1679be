package io.ffmnet.bench;

/**
 * The JVM peers' echo servers with the same options and protocol as {@link EchoServer}:
 * <pre>
 * java ... io.ffmnet.bench.PeerEchoServer --impl netty-epoll|netty-io_uring|nio --tcp-port P --udp-port U [--loops N] [--idle-timeout MS]
 * </pre>
 */
public final class PeerEchoServer {
    private PeerEchoServer() {}

    public static void main(String[] args) throws Exception {
        EchoServer.Args a = EchoServer.Args.parse(args);
        String impl = a.get("--impl", "");
        if (impl.isEmpty()) {
            throw new IllegalArgumentException("--impl netty-epoll|netty-io_uring|nio is required");
        }
        EchoServer.serve(impl, a);
    }
}
