package io.ffmnet.examples.net;

import io.ffmnet.FileWriteStream;
import io.ffmnet.Fs;
import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Socket;

import java.nio.file.Path;

/**
 * The seeds' pipe to a file: everything a client sends goes into {@code msg.txt}; the pipe does
 * not end the file ({@code end: false}), so when the client ends, a final line is added and the
 * file closed.
 *
 * <pre>
 * let ws = fs.createWriteStream('msg.txt');
 * net.createServer(function (socket) {
 *   socket.pipe(ws, { end: false });
 *   socket.on('end', function () { ws.end('over', function () { socket.unpipe(ws); }); });
 * }).listen(8080);
 * </pre>
 */
public final class PipeToFile {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Path file = Path.of(args.length > 1 ? args[1] : "msg.txt");
        FileWriteStream ws = Fs.createWriteStream(file);
        Server server = Net.createServer(socket -> {
            socket.pipe(ws, false);
            socket.on(Socket.END, () -> {
                ws.write("over");
                ws.end(() -> socket.unpipe(ws));
            });
        });
        server.listen(port, () -> System.out.println("writing what clients send to " + file.toAbsolutePath()));
    }
}
