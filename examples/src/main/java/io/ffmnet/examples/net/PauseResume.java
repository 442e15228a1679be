package io.ffmnet.examples.net;

import io.ffmnet.Fs;
import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Timers;

import java.nio.file.Path;

/**
 * The seeds' pause and resume: a new connection is paused (nothing is read: the data waits in
 * the kernel, and a fast sender is slowed down by TCP), and after ten seconds it is resumed and
 * piped into a file.
 */
public final class PauseResume {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Server server = Net.createServer(socket -> {
            socket.pause();
            Timers.setTimeout(() -> {
                socket.resume();
                socket.pipe(Fs.createWriteStream(Path.of("msg.txt")));
            }, 10_000);
        });
        server.listen(port);
    }
}
