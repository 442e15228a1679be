package io.ffmnet.examples.net;

import io.ffmnet.Fs;
import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Socket;

import java.nio.file.Path;

/**
 * The seeds' {@code setTimeout}: a connection is paused; once it has been idle for five seconds
 * the {@code timeout} event pipes it into a file. {@code setTimeout(0)} would cancel the timer.
 */
public final class IdleTimeout {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Server server = Net.createServer(socket -> {
            socket.setTimeout(5_000);
            socket.pause();
            socket.on(Socket.TIMEOUT, () -> socket.pipe(Fs.createWriteStream(Path.of("msg.txt"))));
        });
        server.listen(port);
    }
}
