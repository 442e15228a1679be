package io.ffmnet.bench.servers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;

/**
 * The JDK's NIO selector echo, as a careful hand-written server does it: one selector thread,
 * one shared 64 KiB direct read buffer, the bytes written back at once, and only what the kernel
 * did not take copied into a per-connection backlog (then reading stops until it drains).
 * UDP: receive/send on a non-blocking DatagramChannel in the same selector. One thread only
 * ({@code loops} is ignored); no idle timers (NIO has none; {@code idleTimeoutMs} is ignored).
 */
public final class NioEcho implements Echo {
    /** Reads per readiness event, as in the other servers, so one sender cannot starve the rest. */
    static final int MAX_READS_PER_EVENT = 16;
    static final int MAX_ACCEPTS_PER_EVENT = 64;
    static final int MAX_DATAGRAMS_PER_EVENT = 64;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final DatagramChannel udp;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    private NioEcho(Selector selector, ServerSocketChannel server, DatagramChannel udp) {
        this.selector = selector;
        this.server = server;
        this.udp = udp;
        this.thread = new Thread(this::run, "nio-echo");
        thread.setDaemon(true);
    }

    public static NioEcho start(int tcpPort, int udpPort, int loops, long idleTimeoutMs) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress("127.0.0.1", tcpPort), 511);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        DatagramChannel udp = null;
        if (udpPort >= 0) {
            udp = DatagramChannel.open();
            udp.bind(new InetSocketAddress("127.0.0.1", udpPort));
            udp.configureBlocking(false);
            udp.register(selector, SelectionKey.OP_READ);
        }
        NioEcho echo = new NioEcho(selector, server, udp);
        echo.thread.start();
        return echo;
    }

    @Override
    public int tcpPort() {
        return server.socket().getLocalPort();
    }

    @Override
    public int udpPort() {
        return udp == null ? -1 : udp.socket().getLocalPort();
    }

    @Override
    public void close() {
        stopping = true;
        selector.wakeup();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (!stopping) {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        if (key.isAcceptable()) {
                            accept();
                        } else if (key.channel() == udp) {
                            echoDatagrams(buf);
                        } else {
                            serve(key, buf);
                        }
                    } catch (IOException e) {
                        closeQuietly(key);
                    }
                }
            }
        } catch (IOException e) {
            e.printStackTrace();
        } finally {
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
            }
            stopped.countDown();
        }
    }

    private void accept() throws IOException {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            SocketChannel ch = server.accept();
            if (ch == null) {
                return;
            }
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ);
        }
    }

    private void serve(SelectionKey key, ByteBuffer buf) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        if (key.isWritable()) {
            ByteBuffer backlog = (ByteBuffer) key.attachment();
            ch.write(backlog);
            if (backlog.hasRemaining()) {
                return;
            }
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ);
            return;
        }
        for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                closeQuietly(key);
                return;
            }
            if (n == 0) {
                return;
            }
            buf.flip();
            ch.write(buf);
            if (buf.hasRemaining()) {
                ByteBuffer backlog = ByteBuffer.allocate(buf.remaining());
                backlog.put(buf).flip();
                key.attach(backlog);
                key.interestOps(SelectionKey.OP_WRITE);   // stop reading until the backlog is out
                return;
            }
            if (n < buf.capacity()) {
                return;
            }
        }
    }

    private void echoDatagrams(ByteBuffer buf) throws IOException {
        for (int i = 0; i < MAX_DATAGRAMS_PER_EVENT; i++) {
            buf.clear();
            SocketAddress from = udp.receive(buf);
            if (from == null) {
                return;
            }
            buf.flip();
            udp.send(buf, from);
        }
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
        }
    }
}
