package io.ffmnet.bench.servers;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2's canonical echo (write in {@code channelRead}, flush in {@code channelReadComplete}),
 * on its native epoll or io_uring transport with default settings, TCP_NODELAY on (Netty's
 * default for accepted channels) and the default (adaptive, pooled, direct) allocator.
 * One group serves both accepting and the connections, so {@code loops = 1} is one thread.
 */
public final class NettyEcho implements Echo {
    public enum Transport { EPOLL, IO_URING }

    private final EventLoopGroup group;
    private final Channel server;
    /** The UDP channels: one, or with several loops one per loop on one port (SO_REUSEPORT, epoll only). */
    private final java.util.List<Channel> udp;

    private NettyEcho(EventLoopGroup group, Channel server, java.util.List<Channel> udp) {
        this.group = group;
        this.server = server;
        this.udp = udp;
    }

    /** Why {@code transport} cannot run here, or null if it can. */
    public static String unavailability(Transport transport) {
        Throwable cause = transport == Transport.EPOLL
                ? (Epoll.isAvailable() ? null : Epoll.unavailabilityCause())
                : (IoUring.isAvailable() ? null : IoUring.unavailabilityCause());
        return cause == null ? null : cause.toString();
    }

    public static NettyEcho start(Transport transport, int tcpPort, int udpPort, int loops, long idleTimeoutMs)
            throws Exception {
        String unavailable = unavailability(transport);
        if (unavailable != null) {
            throw new IllegalStateException("Netty " + transport + " is not available here: " + unavailable);
        }
        IoHandlerFactory factory = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : IoUringIoHandler.newFactory();
        Class<? extends ServerChannel> serverClass = transport == Transport.EPOLL
                ? EpollServerSocketChannel.class : IoUringServerSocketChannel.class;
        Class<? extends DatagramChannel> udpClass = transport == Transport.EPOLL
                ? EpollDatagramChannel.class : IoUringDatagramChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Math.max(1, loops), factory);
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(serverClass)
                    .option(ChannelOption.SO_BACKLOG, 511)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (idleTimeoutMs > 0) {
                                ch.pipeline().addLast(new IdleStateHandler(0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS));
                            }
                            ch.pipeline().addLast(TcpEcho.INSTANCE);
                        }
                    })
                    .bind("127.0.0.1", tcpPort).sync().channel();
            java.util.List<Channel> udp = new java.util.ArrayList<>();
            if (udpPort >= 0) {
                // Netty serves a datagram channel on one thread; to use several, epoll binds one
                // channel per thread to the same port with SO_REUSEPORT.
                int channels = transport == Transport.EPOLL ? Math.max(1, loops) : 1;
                int port = udpPort;
                for (int i = 0; i < channels; i++) {
                    Bootstrap b = new Bootstrap().group(group).channel(udpClass).handler(UdpEcho.INSTANCE);
                    if (channels > 1) {
                        b.option(EpollChannelOption.SO_REUSEPORT, true);
                    }
                    Channel ch = b.bind("127.0.0.1", port).sync().channel();
                    port = ((java.net.InetSocketAddress) ch.localAddress()).getPort();
                    udp.add(ch);
                }
            }
            return new NettyEcho(group, server, udp);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    @Override
    public int tcpPort() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public int udpPort() {
        return udp.isEmpty() ? -1 : ((java.net.InetSocketAddress) udp.getFirst().localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        for (Channel ch : udp) {
            ch.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    static final class TcpEcho extends ChannelInboundHandlerAdapter {
        static final TcpEcho INSTANCE = new TcpEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @ChannelHandler.Sharable
    static final class UdpEcho extends ChannelInboundHandlerAdapter {
        static final UdpEcho INSTANCE = new UdpEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            ctx.write(new DatagramPacket(packet.content(), packet.sender()), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a datagram error (ICMP unreachable) is no reason to stop echoing
        }
    }
}
