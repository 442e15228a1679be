package io.ffmnet;

/**
 * A {@code main} for the lifetime tests of {@link NetServerCloseTest}: each scenario sets up a
 * server on the default loop and returns, and the test watches whether the JVM stays alive for
 * it. A server that must stay prints {@code listening <port>}; the test connects, and the server
 * closes on that connection so the JVM can exit.
 */
public final class NetLifetimeMain {
    private NetLifetimeMain() {}

    public static void main(String[] args) {
        switch (args[0]) {
            case "listen" -> servingOnce().listen(0, "127.0.0.1", null);
            case "two-loops" -> servingOnce(new ServerOptions().loops(2)).listen(0, "127.0.0.1", null);
            case "unref" -> Net.createServer().listen(0, "127.0.0.1").unref();
            case "unref-then-ref" -> servingOnce().listen(0, "127.0.0.1", null).unref().ref();
            case "listen-then-close" -> Net.createServer().listen(0, "127.0.0.1")
                    .close(e -> System.out.println("closed"));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("main returned");
    }

    /** A server that announces its port and closes after serving one connection. */
    private static Server servingOnce() {
        return servingOnce(new ServerOptions());
    }

    private static Server servingOnce(ServerOptions options) {
        Server[] server = new Server[1];
        server[0] = Net.createServer(options, socket -> {
            System.out.println("connection");
            socket.destroy();
            server[0].close();
        });
        server[0].on(Server.LISTENING, () -> System.out.println("listening " + server[0].address().port()));
        return server[0];
    }
}
