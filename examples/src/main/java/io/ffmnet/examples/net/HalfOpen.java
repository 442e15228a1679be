package io.ffmnet.examples.net;

import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.ServerOptions;
import io.ffmnet.Socket;

/**
 * The seeds' half-open connection: with {@code allowHalfOpen} the server's side stays writable
 * after the client ended its side, so it can still answer, then end its own side.
 */
public final class HalfOpen {
    public static void main(String[] args) {
        Server server = Net.createServer(new ServerOptions().allowHalfOpen(true), socket -> {
            StringBuilder request = new StringBuilder();
            socket.on(Socket.DATA, data -> request.append(data));
            socket.on(Socket.END, () -> {
                // The client sent FIN; we may still write.
                socket.end("you said: " + request + "\n");
            });
        });
        server.listen(0, "127.0.0.1", () -> {
            int port = server.address().port();
            Socket client = Net.createConnection(port, "127.0.0.1", c -> c.end("a question"));
            client.on(Socket.DATA, data -> System.out.print(data));
            client.on(Socket.CLOSE, hadError -> server.close());
        });
    }
}
