package io.ffmnet.bench.servers;

import io.ffmnet.DatagramOptions;
import io.ffmnet.DatagramSocket;
import io.ffmnet.Dgram;
import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.ServerOptions;
import io.ffmnet.Socket;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * ffm-net through its Node-style API, written as a Node user would write it:
 * {@code socket.on(DATA, b -> socket.write(b))} and
 * {@code socket.send(msg, rinfo.port(), rinfo.address())}. The received buffer is a pooled
 * native view and writing or sending it copies nothing. With several loops the server and the
 * datagram socket spread over them ({@code ServerOptions.loops}, {@code DatagramOptions.loops}).
 */
public final class FfmNodeEcho implements Echo {
    private static final long GUARD_SECONDS = 10;

    private final Server server;
    private final int tcpPort;
    private final DatagramSocket udp;

    private FfmNodeEcho(Server server, int tcpPort, DatagramSocket udp) {
        this.server = server;
        this.tcpPort = tcpPort;
        this.udp = udp;
    }

    public static FfmNodeEcho start(int tcpPort, int udpPort, int loops, long idleTimeoutMs) throws Exception {
        Server server = Net.createServer(new ServerOptions().noDelay(true).loops(loops), socket -> {
            socket.on(Socket.DATA, b -> socket.write(b));
            socket.on(Socket.ERROR, err -> { });   // peers that reset are part of the accept storm
            if (idleTimeoutMs > 0) {
                socket.setTimeout(idleTimeoutMs, socket::destroy);
            }
        });
        CompletableFuture<Void> listening = new CompletableFuture<>();
        server.on(Server.ERROR, listening::completeExceptionally);
        server.listen(tcpPort, "127.0.0.1", () -> listening.complete(null));
        listening.get(GUARD_SECONDS, TimeUnit.SECONDS);
        DatagramSocket udp = udpPort >= 0 ? bindUdpEcho(udpPort, loops) : null;
        return new FfmNodeEcho(server, server.address().port(), udp);
    }

    private static DatagramSocket bindUdpEcho(int port, int loops) throws Exception {
        DatagramSocket[] self = new DatagramSocket[1];
        self[0] = Dgram.createSocket(new DatagramOptions().type("udp4").loops(loops),
                (msg, rinfo) -> self[0].send(msg, rinfo.port(), rinfo.address()));
        CompletableFuture<Void> bound = new CompletableFuture<>();
        self[0].on(DatagramSocket.ERROR, bound::completeExceptionally);
        self[0].bind(port, "127.0.0.1", () -> bound.complete(null));
        bound.get(GUARD_SECONDS, TimeUnit.SECONDS);
        return self[0];
    }

    @Override
    public int tcpPort() {
        return tcpPort;
    }

    @Override
    public int udpPort() {
        return udp == null ? -1 : udp.address().port();
    }

    @Override
    public void close() {
        CountDownLatch closed = new CountDownLatch(1);
        server.close(err -> closed.countDown());
        if (udp != null) {
            udp.close();
        }
        try {
            // Open connections keep a Node server from emitting close; do not wait on them forever.
            closed.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
