package io.ffmnet;

/**
 * A loopback TCP proxy for the splice A/B measurement in the README: listens on 127.0.0.1 (port
 * printed as {@code port N}) and pipes each connection to {@code 127.0.0.1:<target>} and back with
 * {@code socket.pipe(socket)}. Run it with {@code -Dio.ffmnet.splice=false} for the copying path.
 * Prints {@code spliced N} (bytes moved by splice so far) when a connection closes.
 */
public final class SpliceProxyMain {
    private SpliceProxyMain() {}

    public static void main(String[] args) {
        int target = Integer.parseInt(args[0]);
        Server proxy = Net.createServer(new ServerOptions().allowHalfOpen(true), s -> {
            Socket up = Net.connect(target, "127.0.0.1");
            s.pipe(up);
            up.pipe(s);
            s.on(Socket.CLOSE, hadError -> System.out.println("spliced " + SocketSplice.SPLICED_BYTES.sum()));
        });
        proxy.listen(0, "127.0.0.1", () -> System.out.println("port " + proxy.address().port()));
    }
}
