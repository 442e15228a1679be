package io.ffmnet.bench.servers;

import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.ServerOptions;
import io.ffmnet.Socket;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ffm-net through its Node-style API, written as a Node user would write it:
 * {@code socket.on(DATA, b -> socket.write(b))}. The received buffer is a pooled native view
 * and writing it copies nothing. UDP goes through {@code io.ffmnet.Dgram} (see {@link FfmDgram}).
 */
public final class FfmNodeEcho implements Echo {
    private final Server server;
    private final int tcpPort;
    private final FfmDgram.Handle udp;
    private final String udpNote;

    private FfmNodeEcho(Server server, int tcpPort, FfmDgram.Handle udp, String udpNote) {
        this.server = server;
        this.tcpPort = tcpPort;
        this.udp = udp;
        this.udpNote = udpNote;
    }

    public static FfmNodeEcho start(int tcpPort, int udpPort, int loops, long idleTimeoutMs) throws Exception {
        ServerOptions options = new ServerOptions().noDelay(true);
        if (loops > 1) {
            options.loops(loops);
        }
        Server server = Net.createServer(options, socket -> {
            socket.on(Socket.DATA, b -> socket.write(b));
            socket.on(Socket.ERROR, err -> { });   // peers that reset are part of the accept storm
            if (idleTimeoutMs > 0) {
                socket.setTimeout(idleTimeoutMs, socket::destroy);
            }
        });
        CountDownLatch listening = new CountDownLatch(1);
        AtomicReference<Exception> failed = new AtomicReference<>();
        server.on(Server.ERROR, err -> {
            failed.set(err);
            listening.countDown();
        });
        server.listen(tcpPort, "127.0.0.1", listening::countDown);
        if (!listening.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ffm-net server did not start listening in 10 s");
        }
        if (failed.get() != null) {
            throw failed.get();
        }
        FfmDgram.Handle udp = null;
        String note = null;
        if (udpPort >= 0) {
            if (FfmDgram.AVAILABLE) {
                udp = FfmDgram.bindEcho(udpPort);
            } else {
                note = "pending: " + FfmDgram.UNAVAILABLE_REASON;
            }
        }
        return new FfmNodeEcho(server, server.address().port(), udp, note);
    }

    @Override
    public int tcpPort() {
        return tcpPort;
    }

    @Override
    public int udpPort() {
        return udp == null ? -1 : udp.port();
    }

    @Override
    public String udpNote() {
        return udpNote;
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
