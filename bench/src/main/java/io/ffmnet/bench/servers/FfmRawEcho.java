package io.ffmnet.bench.servers;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.loop.LoopTimer;
import io.ffmnet.internal.stream.Endpoint;
import io.ffmnet.internal.stream.ListenHandle;
import io.ffmnet.internal.stream.StreamHandle;
import io.ffmnet.internal.stream.Tcp;
import io.ffmnet.internal.stream.WriteRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;

/**
 * ffm-net through its raw handle layer ({@link ListenHandle}, {@link StreamHandle}, {@link Loop}):
 * what the Node-style API is built on, with none of its events, state machine or listener
 * lists. The difference between this and {@link FfmNodeEcho} is what the API costs.
 *
 * <p>Each read hands over a pooled chunk with a count of one; the echo writes that same memory
 * back and releases the chunk once the kernel took the bytes. UDP goes through {@link FfmRawUdp}.
 *
 * <p>With {@code loops > 1}, one loop per listener, each listener on the same port with
 * {@code SO_REUSEPORT}: the kernel spreads connections over them.
 */
public final class FfmRawEcho implements Echo {
    private final List<Loop> loops;
    private final List<Acceptor> acceptors;
    private final int tcpPort;
    private final FfmRawUdp udp;

    private FfmRawEcho(List<Loop> loops, List<Acceptor> acceptors, int tcpPort, FfmRawUdp udp) {
        this.loops = loops;
        this.acceptors = acceptors;
        this.tcpPort = tcpPort;
        this.udp = udp;
    }

    public static FfmRawEcho start(int tcpPort, int udpPort, int loopCount, long idleTimeoutMs) throws Exception {
        List<Loop> loops = new ArrayList<>();
        List<Acceptor> acceptors = new ArrayList<>();
        int port = tcpPort;
        for (int i = 0; i < Math.max(1, loopCount); i++) {
            Loop loop = Loop.start("ffm-raw-loop-" + i);
            loops.add(loop);
            int bindPort = port;
            boolean reusePort = loopCount > 1;
            Acceptor acceptor = onLoop(loop, () -> Acceptor.open(loop, bindPort, reusePort, idleTimeoutMs));
            acceptors.add(acceptor);
            port = acceptor.port;
        }
        FfmRawUdp udp = udpPort >= 0 ? FfmRawUdp.bind(loops, udpPort) : null;
        return new FfmRawEcho(loops, acceptors, port, udp);
    }

    static <T> T onLoop(Loop loop, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    @Override
    public int tcpPort() {
        return tcpPort;
    }

    @Override
    public int udpPort() {
        return udp == null ? -1 : udp.port;
    }

    @Override
    public void close() {
        if (udp != null) {
            try {
                udp.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }
        for (int i = 0; i < loops.size(); i++) {
            Acceptor acceptor = acceptors.get(i);
            try {
                onLoop(loops.get(i), () -> {
                    acceptor.closeAll();
                    return null;
                });
            } catch (Exception e) {
                e.printStackTrace();
            }
            loops.get(i).shutdown();
        }
    }

    /** The listener of one loop and the connections it accepted. */
    static final class Acceptor implements ListenHandle.Callbacks {
        final Loop loop;
        final long idleTimeoutMs;
        final Set<Connection> connections = new HashSet<>();
        ListenHandle listener;
        int port;

        private Acceptor(Loop loop, long idleTimeoutMs) {
            this.loop = loop;
            this.idleTimeoutMs = idleTimeoutMs;
        }

        static Acceptor open(Loop loop, int port, boolean reusePort, long idleTimeoutMs) {
            Acceptor acceptor = new Acceptor(loop, idleTimeoutMs);
            int length = Tcp.encode(loop, "127.0.0.1", port);
            if (length < 0) {
                throw new IllegalStateException("sockaddr encode failed: " + length);
            }
            ListenHandle.Opened opened = ListenHandle.open(loop, AF_INET, Tcp.encodedAddress(loop), length,
                    511, reusePort, false, acceptor);
            if (opened.handle() == null) {
                throw new IllegalStateException("listen failed in " + opened.syscall() + ": errno " + opened.errno());
            }
            acceptor.listener = opened.handle();
            acceptor.listener.start();
            acceptor.port = acceptor.listener.localEndpoint().port();
            return acceptor;
        }

        @Override
        public void onConnection(int fd, Endpoint peer) {
            Tcp.setNoDelay(loop, fd, true);
            Connection c = new Connection(this);
            c.handle = new StreamHandle(loop, fd, c);
            connections.add(c);
            if (idleTimeoutMs > 0) {
                c.idle = new LoopTimer(loop, c::close);
                c.idle.start(idleTimeoutMs, false);
            }
            c.handle.readStart();
        }

        @Override
        public void onAcceptError(int error) {
            System.err.println("ffm-raw: accept failed, errno " + error);
        }

        void closeAll() {
            listener.close();
            for (Connection c : new ArrayList<>(connections)) {
                c.close();
            }
        }
    }

    /** One accepted connection: echoes what it reads. */
    static final class Connection implements StreamHandle.Callbacks {
        final Acceptor acceptor;
        StreamHandle handle;
        LoopTimer idle;

        Connection(Acceptor acceptor) {
            this.acceptor = acceptor;
        }

        @Override
        public void onRead(Chunk chunk, int length) {
            if (idle != null) {
                idle.refresh();
            }
            int gen = chunk.generation();
            EchoWrite write = new EchoWrite(this, chunk, gen, length);
            int r = handle.write(write);
            if (r != 0) {
                chunk.release(gen);  // written at once (1) or failed (< 0): the request is ours to complete
                if (r < 0) {
                    close();
                }
            }
        }

        void close() {
            if (handle.isClosed()) {
                return;
            }
            if (idle != null) {
                idle.stop();
            }
            acceptor.connections.remove(this);
            handle.close();
        }

        @Override
        public void onConnect(int status) { }

        @Override
        public void onEof() {
            close();
        }

        @Override
        public void onReadError(int error) {
            close();
        }

        @Override
        public void onWriteError(int error) {
            close();
        }

        @Override
        public void onDrain() { }

        @Override
        public void onShutdown(int status) { }
    }

    /** The echoed bytes: the received chunk itself, released once written or lost. */
    static final class EchoWrite extends WriteRequest {
        final Connection connection;
        final Chunk chunk;
        final int gen;

        EchoWrite(Connection connection, Chunk chunk, int gen, int length) {
            this.connection = connection;
            this.chunk = chunk;
            this.gen = gen;
            region(chunk.address, length);
        }

        @Override
        protected void complete(int status) {
            chunk.release(gen);
            if (status < 0) {
                connection.close();
            }
        }
    }
}
