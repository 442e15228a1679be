package io.ffmnet.examples.net;

import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Socket;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * IPC over a Unix domain socket: the same API with a path instead of a port. The server removes
 * its socket file when it closes.
 */
public final class IpcEcho {
    public static void main(String[] args) throws Exception {
        Path path = Files.createTempDirectory("ffmnet-ipc").resolve("echo.sock");
        Server server = Net.createServer(socket -> socket.pipe(socket));
        server.listen(path.toString(), () -> {
            Socket client = Net.createConnection(path.toString(), c -> c.end("ping over " + path + "\n"));
            client.on(Socket.DATA, data -> System.out.print("echoed: " + data));
            client.on(Socket.CLOSE, hadError -> server.close());
        });
    }
}
