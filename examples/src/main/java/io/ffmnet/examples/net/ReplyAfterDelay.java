package io.ffmnet.examples.net;

import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Socket;
import io.ffmnet.Timers;

import java.nio.charset.StandardCharsets;

/**
 * The seeds' conversation: the client says hello, the server answers two seconds later, the
 * client answers back, three rounds, then the client ends.
 */
public final class ReplyAfterDelay {
    public static void main(String[] args) {
        long delay = args.length > 0 ? Long.parseLong(args[0]) : 2_000;
        Server server = Net.createServer(socket -> {
            socket.setEncoding(StandardCharsets.UTF_8);
            socket.on(Socket.TEXT, text -> {
                System.out.println("server got: " + text);
                Timers.setTimeout(() -> socket.write("reply to '" + text + "'"), delay);
            });
        });
        server.listen(0, "127.0.0.1", () -> {
            int[] rounds = {0};
            Socket client = Net.createConnection(server.address().port(), "127.0.0.1", c -> c.write("hello"));
            client.setEncoding(StandardCharsets.UTF_8);
            client.on(Socket.TEXT, text -> {
                System.out.println("client got: " + text);
                if (++rounds[0] == 3) {
                    client.end();
                } else {
                    client.write("round " + (rounds[0] + 1));
                }
            });
            client.on(Socket.CLOSE, hadError -> server.close());
        });
    }
}
