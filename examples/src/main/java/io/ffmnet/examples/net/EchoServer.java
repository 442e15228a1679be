package io.ffmnet.examples.net;

import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Socket;

/**
 * The seeds' echo server (Node's net documentation example): greets each client, then sends
 * back whatever it receives, by piping the socket into itself.
 *
 * <pre>
 * const server = net.createServer((c) => {
 *   console.log('client connected');
 *   c.on('end', () => console.log('client disconnected'));
 *   c.write('hello\r\n');
 *   c.pipe(c);
 * });
 * server.listen(8124, () => console.log('server bound'));
 * </pre>
 */
public final class EchoServer {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8124;
        Server server = Net.createServer(c -> {
            System.out.println("client connected");
            c.on(Socket.END, () -> System.out.println("client disconnected"));
            c.write("hello\r\n");
            c.pipe(c);
        });
        server.on(Server.ERROR, err -> {
            throw err;
        });
        server.listen(port, () -> System.out.println("server bound on " + server.address().port()));
    }
}
