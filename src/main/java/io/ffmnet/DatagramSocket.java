package io.ffmnet;

import io.ffmnet.internal.dgram.Peer;
import io.ffmnet.internal.dgram.UdpHandle;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.SysConstants;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Node's {@code dgram.Socket}: a UDP socket. Made by {@link Dgram#createSocket(String)}.
 *
 * <pre>{@code
 * DatagramSocket server = Dgram.createSocket("udp4");
 * server.on(DatagramSocket.MESSAGE, (msg, rinfo) ->
 *         server.send(msg, rinfo.port(), rinfo.address()));     // echo, zero copy
 * server.bind(41234, () -> System.out.println("listening on " + server.address()));
 * }</pre>
 *
 * <p>As in Node: {@code bind} emits {@link #LISTENING} later (never inside the call); sending
 * before binding binds to a random port first and queues the datagrams until then; a send
 * callback is always called later, with the byte count or the error; a failed {@code bind} or
 * {@code connect} is an {@link #ERROR} event, not a throw. Argument errors
 * ({@code ERR_SOCKET_BAD_PORT}) and calls in the wrong state ({@code ERR_SOCKET_DGRAM_NOT_RUNNING},
 * {@code ERR_SOCKET_ALREADY_BOUND}, {@code ERR_SOCKET_DGRAM_IS_CONNECTED},
 * {@code ERR_SOCKET_DGRAM_NOT_CONNECTED}) throw at once; so does a socket option that fails
 * ({@code setTTL EBADF} on a socket not bound yet, which has no descriptor).
 *
 * <p>Receiving is batched ({@code recvmmsg}) and zero-copy: each {@link #MESSAGE} buffer is a
 * view of the pooled memory the kernel wrote the datagram into, valid until the listener returns
 * unless {@link Buffer#retain() retained}. A datagram larger than
 * {@link DatagramOptions#maxMessageSize(int)} (64 KiB by default, which no UDP datagram exceeds)
 * is delivered truncated, with {@link RemoteInfo#size()} giving its real size. Queued sends
 * go out in batches ({@code sendmmsg}); replies sent from a {@code MESSAGE} listener leave
 * together when the batch of received datagrams has been delivered. With
 * {@link DatagramOptions#loops(int)} {@code > 1} the socket is a group of {@code SO_REUSEPORT}
 * sockets, one per loop, and {@code MESSAGE} listeners run on several threads at once.
 *
 * <p>Every method is safe from any thread; listeners and callbacks run on the socket's loop.
 * Calls from one thread take effect in the order made: a socket option set from another thread
 * waits for the loop, so that it applies after the sends that thread made before it.
 *
 * <p>ffm-net differs from Node where Node would lose an error silently: a send or connect that
 * waited for a bind that failed, or for a socket that closed, has its callback called with that
 * error or {@code ECANCELED} (Node never calls it); a bind callback does not swallow the bind's
 * error; and, as for every handle, an {@code ERROR} with no listener goes to the loop's
 * uncaught-exception handler and closes the socket.
 */
public final class DatagramSocket extends EventEmitter {
    /** Node's {@code 'listening'}: bound, receiving. */
    public static final Event<Runnable> LISTENING = Event.named("listening");
    /** Node's {@code 'message'}: {@code (msg, rinfo)}; {@code msg} is valid until the listener returns. */
    public static final Event<BiConsumer<Buffer, RemoteInfo>> MESSAGE = Event.named("message");
    /** Node's {@code 'connect'}: {@link #connect} succeeded. */
    public static final Event<Runnable> CONNECT = Event.named("connect");
    /** Node's {@code 'error'}. */
    public static final Event<Consumer<NetException>> ERROR = Event.named("error");
    /** Node's {@code 'close'}: after {@link #close()}. */
    public static final Event<Runnable> CLOSE = Event.named("close");

    /** Something that waits for the socket to be bound: Node's {@code state.queue} entries. */
    interface Deferred extends Runnable {
        /** The bind failed (or the socket closed): it will not run. */
        void cancel(NetException cause);
    }

    private final String type;
    final UdpHandle handle;
    final DatagramLifecycle state;
    /** The other loops' sockets with {@link DatagramOptions#loops(int)} {@code > 1}, else null. */
    final DatagramGroup group;

    DatagramSocket(DatagramOptions options) {
        this.type = options.type();
        int family = type.equals("udp6") ? SysConstants.AF_INET6 : SysConstants.AF_INET;
        this.handle = new UdpHandle(loop(), family, options.maxMessageSize(), new DatagramInbox(this, null));
        this.group = options.loops() > 1 ? new DatagramGroup(this, eventLoop, options.loops()) : null;
        this.state = new DatagramLifecycle(this, handle, options);
    }

    /** {@code "udp4"} or {@code "udp6"}: Node's {@code socket.type}. */
    public String type() {
        return type;
    }

    // ---- bind ------------------------------------------------------------------------------

    /** Binds to a port the kernel picks, on every address. */
    public DatagramSocket bind() {
        return bind(0, null, null);
    }

    /** Binds to {@code port} (0: one the kernel picks) on every address. */
    public DatagramSocket bind(int port) {
        return bind(port, null, null);
    }

    /** Binds to {@code port} on every address; {@code onListening} runs once with {@link #LISTENING}. */
    public DatagramSocket bind(int port, Runnable onListening) {
        return bind(port, null, onListening);
    }

    /** Binds to {@code port} on {@code address}. */
    public DatagramSocket bind(int port, String address) {
        return bind(port, address, null);
    }

    /**
     * Node's {@code socket.bind(port, address, callback)}: binds to {@code address} (a host name is
     * resolved first; null or empty: every address) and starts receiving. {@link #LISTENING}
     * follows later, or an {@link #ERROR} ({@code bind EADDRINUSE 0.0.0.0:41234}).
     *
     * @throws InvalidArgumentException {@code ERR_SOCKET_BAD_PORT} for a port outside 0..65535
     * @throws InvalidStateException    {@code ERR_SOCKET_ALREADY_BOUND}, {@code ERR_SOCKET_DGRAM_NOT_RUNNING}
     */
    public DatagramSocket bind(int port, String address, Runnable onListening) {
        DgramErrors.checkPort(port, true);
        state.bind(port, address, onListening);
        return this;
    }

    /** Node's {@code socket.bind({port, address, exclusive})}. */
    public DatagramSocket bind(BindOptions options) {
        return bind(options.port(), options.address(), null);
    }

    /** Node's {@code socket.bind({port, address, exclusive}, callback)}. */
    public DatagramSocket bind(BindOptions options, Runnable onListening) {
        return bind(options.port(), options.address(), onListening);
    }

    // ---- send ------------------------------------------------------------------------------

    /** Sends {@code msg} to {@code port} at {@code address} (a host name is resolved first). */
    public void send(Buffer msg, int port, String address) {
        send(msg, port, address, null);
    }

    /**
     * Node's {@code socket.send(msg, port, address, callback)}: one datagram to {@code address}
     * (null or empty: the loopback address). {@code onSent} runs later with {@code (null, bytes)}
     * or {@code (error, null)}. {@code msg} is kept alive (retained) until sent: an echo server
     * may pass its {@code MESSAGE} buffer as it is.
     *
     * @throws InvalidArgumentException {@code ERR_SOCKET_BAD_PORT} for a port outside 1..65535
     * @throws InvalidStateException    {@code ERR_SOCKET_DGRAM_IS_CONNECTED} on a connected socket,
     *                                  {@code ERR_SOCKET_DGRAM_NOT_RUNNING} once closed
     */
    public void send(Buffer msg, int port, String address, BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.own(msg, "buffer"), port, address, onSent);
    }

    /** Sends {@code length} bytes of {@code msg} from {@code offset}: Node's six-argument {@code send}. */
    public void send(Buffer msg, int offset, int length, int port, String address,
                     BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.own(DatagramSend.slice(msg, offset, length), "buffer"), port, address, onSent);
    }

    /** {@link #send(Buffer, int, int, int, String, BiConsumer)} without a callback. */
    public void send(Buffer msg, int offset, int length, int port, String address) {
        send(msg, offset, length, port, address, null);
    }

    /** Sends {@code msg} to {@code port} on the loopback address. */
    public void send(Buffer msg, int port) {
        send(msg, port, null, null);
    }

    /** Sends {@code msg} to {@code port} on the loopback address, then calls {@code onSent}. */
    public void send(Buffer msg, int port, BiConsumer<NetException, Integer> onSent) {
        send(msg, port, null, onSent);
    }

    /** Sends a copy of {@code msg}. */
    public void send(byte[] msg, int port, String address) {
        send(msg, port, address, null);
    }

    /** Sends a copy of {@code msg}, then calls {@code onSent}. */
    public void send(byte[] msg, int port, String address, BiConsumer<NetException, Integer> onSent) {
        submit(Buffer.from(DatagramSend.nonNull(msg)), port, address, onSent);
    }

    /** Sends a copy of {@code length} bytes of {@code msg} from {@code offset}. */
    public void send(byte[] msg, int offset, int length, int port, String address,
                     BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.copy(msg, offset, length), port, address, onSent);
    }

    /** {@link #send(byte[], int, int, int, String, BiConsumer)} without a callback. */
    public void send(byte[] msg, int offset, int length, int port, String address) {
        send(msg, offset, length, port, address, null);
    }

    /** Sends a copy of {@code msg} to {@code port} on the loopback address. */
    public void send(byte[] msg, int port) {
        send(msg, port, null, null);
    }

    /** Sends a copy of {@code msg} to {@code port} on the loopback address, then calls {@code onSent}. */
    public void send(byte[] msg, int port, BiConsumer<NetException, Integer> onSent) {
        send(msg, port, null, onSent);
    }

    /** Sends the UTF-8 bytes of {@code msg}. */
    public void send(String msg, int port, String address) {
        send(msg, port, address, null);
    }

    /** Sends the UTF-8 bytes of {@code msg}, then calls {@code onSent}. */
    public void send(String msg, int port, String address, BiConsumer<NetException, Integer> onSent) {
        submit(Buffer.from(DatagramSend.nonNull(msg)), port, address, onSent);
    }

    /** Sends the UTF-8 bytes of {@code msg} to {@code port} on the loopback address. */
    public void send(String msg, int port) {
        send(msg, port, null, null);
    }

    /** Sends the UTF-8 bytes of {@code msg} to {@code port} on the loopback address, then calls {@code onSent}. */
    public void send(String msg, int port, BiConsumer<NetException, Integer> onSent) {
        send(msg, port, null, onSent);
    }

    /**
     * Sends the buffers of {@code msgs} as one datagram, gathered by the kernel without copying:
     * Node's {@code send([buf1, buf2], port, address, callback)}.
     */
    public void send(List<Buffer> msgs, int port, String address, BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.own(msgs), port, address, onSent);
    }

    /** {@link #send(List, int, String, BiConsumer)} without a callback. */
    public void send(List<Buffer> msgs, int port, String address) {
        send(msgs, port, address, null);
    }

    /** Sends the buffers of {@code msgs} as one datagram to {@code port} on the loopback address. */
    public void send(List<Buffer> msgs, int port) {
        send(msgs, port, null, null);
    }

    /** Sends the buffers of {@code msgs} as one datagram to {@code port} on the loopback address, then calls {@code onSent}. */
    public void send(List<Buffer> msgs, int port, BiConsumer<NetException, Integer> onSent) {
        send(msgs, port, null, onSent);
    }

    /** Sends {@code msg} to the connected peer: Node's {@code send(msg)}. */
    public void send(Buffer msg) {
        send(msg, (BiConsumer<NetException, Integer>) null);
    }

    /**
     * Sends {@code msg} to the connected peer, then calls {@code onSent}.
     *
     * @throws InvalidArgumentException {@code ERR_SOCKET_BAD_PORT} ("Received undefined") when
     *                                  the socket is not connected, as in Node
     */
    public void send(Buffer msg, BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.own(msg, "buffer"), -1, null, onSent);
    }

    /** Sends {@code length} bytes of {@code msg} from {@code offset} to the connected peer. */
    public void send(Buffer msg, int offset, int length, BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.own(DatagramSend.slice(msg, offset, length), "buffer"), -1, null, onSent);
    }

    /** Sends {@code length} bytes of {@code msg} from {@code offset} to the connected peer. */
    public void send(Buffer msg, int offset, int length) {
        send(msg, offset, length, (BiConsumer<NetException, Integer>) null);
    }

    /** Sends a copy of {@code msg} to the connected peer. */
    public void send(byte[] msg) {
        send(msg, (BiConsumer<NetException, Integer>) null);
    }

    /** Sends a copy of {@code msg} to the connected peer, then calls {@code onSent}. */
    public void send(byte[] msg, BiConsumer<NetException, Integer> onSent) {
        submit(Buffer.from(DatagramSend.nonNull(msg)), -1, null, onSent);
    }

    /** Sends a copy of part of {@code msg} to the connected peer. */
    public void send(byte[] msg, int offset, int length, BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.copy(msg, offset, length), -1, null, onSent);
    }

    /** Sends a copy of part of {@code msg} to the connected peer. */
    public void send(byte[] msg, int offset, int length) {
        send(msg, offset, length, (BiConsumer<NetException, Integer>) null);
    }

    /** Sends the UTF-8 bytes of {@code msg} to the connected peer. */
    public void send(String msg) {
        send(msg, (BiConsumer<NetException, Integer>) null);
    }

    /** Sends the UTF-8 bytes of {@code msg} to the connected peer, then calls {@code onSent}. */
    public void send(String msg, BiConsumer<NetException, Integer> onSent) {
        submit(Buffer.from(DatagramSend.nonNull(msg)), -1, null, onSent);
    }

    /** Sends the buffers of {@code msgs} as one datagram to the connected peer. */
    public void send(List<Buffer> msgs) {
        send(msgs, (BiConsumer<NetException, Integer>) null);
    }

    /** Sends the buffers of {@code msgs} as one datagram to the connected peer, then calls {@code onSent}. */
    public void send(List<Buffer> msgs, BiConsumer<NetException, Integer> onSent) {
        submit(DatagramSend.own(msgs), -1, null, onSent);
    }

    /** A one-part send; {@code part} is a reference owned for the send. */
    private void submit(Buffer part, int port, String address, BiConsumer<NetException, Integer> onSent) {
        submit(new DatagramSend(this, part, address, port, onSent), port);
    }

    /** A gathered send; one reference of each of {@code parts} is owned for the send. */
    private void submit(Buffer[] parts, int port, String address, BiConsumer<NetException, Integer> onSent) {
        submit(new DatagramSend(this, parts, address, port, onSent), port);
    }

    /**
     * Every {@code send} ends here, as in Node's {@code Socket.prototype.send}, with the message's
     * buffers already owned by {@code send} (dropped here if the call throws).
     *
     * @param port -1 when the shape has no port (a send to the connected peer)
     */
    private void submit(DatagramSend send, int port) {
        int answer;
        try {
            synchronized (state) {
                boolean connected = state.connectState == DatagramLifecycle.CONNECTED;
                if (connected && port != -1) {
                    throw DgramErrors.isConnected();
                }
                if (connected) {
                    send.toConnectedPeer();
                } else {
                    if (port == -1) {
                        throw DgramErrors.badPort(null, false);
                    }
                    DgramErrors.checkPort(port, false);
                }
                state.healthCheck();
                answer = state.startOrQueue(send);
            }
        } catch (RuntimeException e) {
            send.discard();
            throw e;
        }
        state.start(answer, send);
    }

    // ---- connect ---------------------------------------------------------------------------

    /** Connects to {@code port} on the loopback address. */
    public DatagramSocket connect(int port) {
        return connect(port, null, null);
    }

    /** Connects to {@code port} at {@code address}. */
    public DatagramSocket connect(int port, String address) {
        return connect(port, address, null);
    }

    /** Connects to {@code port} on the loopback address, then calls {@code onConnect}. */
    public DatagramSocket connect(int port, Consumer<NetException> onConnect) {
        return connect(port, null, onConnect);
    }

    /**
     * Node's {@code socket.connect(port, address, callback)}: from now on the socket sends only to
     * (and receives only from) {@code address:port}, binding first if unbound. {@link #CONNECT}
     * follows later; {@code onConnect} runs with null then, or with the error instead of an
     * {@link #ERROR} event.
     *
     * @throws InvalidArgumentException {@code ERR_SOCKET_BAD_PORT} for a port outside 1..65535
     * @throws InvalidStateException    {@code ERR_SOCKET_DGRAM_IS_CONNECTED} when connected or connecting;
     *                                  {@code ERR_METHOD_NOT_IMPLEMENTED} with {@link DatagramOptions#loops(int)}
     *                                  {@code > 1}: a group of sockets has no single peer to connect
     */
    public DatagramSocket connect(int port, String address, Consumer<NetException> onConnect) {
        DgramErrors.checkPort(port, false);
        if (group != null) {
            throw DgramErrors.groupConnect();
        }
        DatagramConnect connect = new DatagramConnect(this, port, address == null ? "" : address, onConnect);
        int answer;
        synchronized (state) {
            state.healthCheck();
            if (state.connectState != DatagramLifecycle.DISCONNECTED) {
                throw DgramErrors.isConnected();
            }
            state.connectState = DatagramLifecycle.CONNECTING;
            answer = state.startOrQueue(connect);
        }
        state.start(answer, connect);
        return this;
    }

    /**
     * Node's {@code socket.disconnect()}: dissolves the association made by {@link #connect}.
     *
     * @throws InvalidStateException {@code ERR_SOCKET_DGRAM_NOT_CONNECTED}
     */
    public void disconnect() {
        synchronized (state) {
            state.healthCheck();
            if (state.connectState != DatagramLifecycle.CONNECTED) {
                throw DgramErrors.notConnected();
            }
        }
        int r = inOrder(handle::disconnect);   // after this thread's earlier sends to the peer
        if (r < 0) {
            throw Errors.exception(r, "connect");
        }
        state.connected(false);
    }

    // ---- addresses -------------------------------------------------------------------------

    /**
     * Node's {@code socket.address()}: the bound address.
     *
     * @throws NetException {@code getsockname EBADF} before the socket is bound
     */
    public AddressInfo address() {
        healthCheck();
        return info(handle.localAddress());
    }

    /**
     * Node's {@code socket.remoteAddress()}: the connected peer.
     *
     * @throws InvalidStateException {@code ERR_SOCKET_DGRAM_NOT_CONNECTED}
     */
    public AddressInfo remoteAddress() {
        synchronized (state) {
            state.healthCheck();
            if (state.connectState != DatagramLifecycle.CONNECTED) {
                throw DgramErrors.notConnected();
            }
        }
        return info(handle.peerAddress());
    }

    private static AddressInfo info(Peer p) {
        return new AddressInfo(p.address(), SockAddr.familyName(p.family()), p.port());
    }

    // ---- socket options: a failure throws Node's system error (setTTL EBADF) --------------------

    /** Node's {@code setBroadcast(flag)}: {@code SO_BROADCAST}; without it, sending to a broadcast address is {@code EACCES}. */
    public DatagramSocket setBroadcast(boolean flag) {
        return check(inOrder(() -> DatagramGroup.all(this, h -> h.setBroadcast(flag))), "setBroadcast");
    }

    /** Node's {@code setTTL(ttl)}: {@code IP_TTL} (udp6: {@code IPV6_UNICAST_HOPS}), 1 to 255, else {@code setTTL EINVAL}. */
    public DatagramSocket setTTL(int ttl) {
        return check(inOrder(() -> DatagramGroup.all(this, h -> h.setTtl(ttl))), "setTTL");
    }

    /** Node's {@code setMulticastTTL(ttl)}: {@code IP_MULTICAST_TTL} (udp6: hops), 0 to 255. */
    public DatagramSocket setMulticastTTL(int ttl) {
        return check(inOrder(() -> DatagramGroup.all(this, h -> h.setMulticastTtl(ttl))), "setMulticastTTL");
    }

    /** Node's {@code setMulticastLoopback(flag)}: whether this host's own members get what it sends. */
    public DatagramSocket setMulticastLoopback(boolean flag) {
        return check(inOrder(() -> DatagramGroup.all(this, h -> h.setMulticastLoopback(flag))), "setMulticastLoopback");
    }

    /**
     * Node's {@code setMulticastInterface(interfaceAddress)}: the interface outgoing multicast
     * leaves by, named by one of its IPv4 addresses, or on udp6 by a zone ({@code "::%eth1"}).
     */
    public DatagramSocket setMulticastInterface(String interfaceAddress) {
        healthCheck();
        if (interfaceAddress == null) {
            throw DgramErrors.notAString("interfaceAddress");
        }
        return check(inOrder(() -> DatagramGroup.all(this, h -> h.setMulticastInterface(interfaceAddress))), "setMulticastInterface");
    }

    /** Joins {@code multicastAddress} on the interface the kernel chooses. */
    public DatagramSocket addMembership(String multicastAddress) {
        return addMembership(multicastAddress, null);
    }

    /**
     * Node's {@code addMembership(multicastAddress, multicastInterface)}: joins the group on the
     * interface with that address (IPv6: {@code "::%eth1"}). Like Node (libuv), a socket not yet
     * bound is bound to a random port first.
     */
    public DatagramSocket addMembership(String multicastAddress, String multicastInterface) {
        return membership(multicastAddress, multicastInterface, true, "addMembership");
    }

    /** Leaves {@code multicastAddress}. */
    public DatagramSocket dropMembership(String multicastAddress) {
        return dropMembership(multicastAddress, null);
    }

    /** Node's {@code dropMembership(multicastAddress, multicastInterface)}. */
    public DatagramSocket dropMembership(String multicastAddress, String multicastInterface) {
        return membership(multicastAddress, multicastInterface, false, "dropMembership");
    }

    private DatagramSocket membership(String group, String iface, boolean join, String syscall) {
        healthCheck();
        if (group == null || group.isEmpty()) {
            throw DgramErrors.missingArgument("multicastAddress");
        }
        return check(inOrder(() -> DatagramGroup.all(this, h -> h.membership(group, iface, join))), syscall);
    }

    /** Joins the source-specific channel ({@code sourceAddress}, {@code groupAddress}). */
    public DatagramSocket addSourceSpecificMembership(String sourceAddress, String groupAddress) {
        return addSourceSpecificMembership(sourceAddress, groupAddress, null);
    }

    /** Node's {@code addSourceSpecificMembership(sourceAddress, groupAddress, multicastInterface)}. */
    public DatagramSocket addSourceSpecificMembership(String sourceAddress, String groupAddress, String multicastInterface) {
        return sourceMembership(sourceAddress, groupAddress, multicastInterface, true, "addSourceSpecificMembership");
    }

    /** Leaves the source-specific channel ({@code sourceAddress}, {@code groupAddress}). */
    public DatagramSocket dropSourceSpecificMembership(String sourceAddress, String groupAddress) {
        return dropSourceSpecificMembership(sourceAddress, groupAddress, null);
    }

    /** Node's {@code dropSourceSpecificMembership(sourceAddress, groupAddress, multicastInterface)}. */
    public DatagramSocket dropSourceSpecificMembership(String sourceAddress, String groupAddress, String multicastInterface) {
        return sourceMembership(sourceAddress, groupAddress, multicastInterface, false, "dropSourceSpecificMembership");
    }

    private DatagramSocket sourceMembership(String source, String group, String iface, boolean join, String syscall) {
        healthCheck();
        if (source == null) {
            throw DgramErrors.notAString("sourceAddress");
        }
        if (group == null) {
            throw DgramErrors.notAString("groupAddress");
        }
        return check(inOrder(() -> DatagramGroup.all(this, h -> h.sourceMembership(source, group, iface, join))), syscall);
    }

    /** Node's {@code setRecvBufferSize(size)}: {@code SO_RCVBUF}; {@link #getRecvBufferSize()} then reports twice this (Linux). */
    public DatagramSocket setRecvBufferSize(int size) {
        bufferSize(true, size);
        return this;
    }

    /** Node's {@code setSendBufferSize(size)}: {@code SO_SNDBUF}. */
    public DatagramSocket setSendBufferSize(int size) {
        bufferSize(false, size);
        return this;
    }

    /** Node's {@code getRecvBufferSize()}: the kernel's {@code SO_RCVBUF}. */
    public int getRecvBufferSize() {
        return bufferSize(true, 0);
    }

    /** Node's {@code getSendBufferSize()}: the kernel's {@code SO_SNDBUF}. */
    public int getSendBufferSize() {
        return bufferSize(false, 0);
    }

    /** Node's {@code bufferSize()}: {@code ERR_SOCKET_BUFFER_SIZE} when the kernel refuses (or there is no descriptor yet). */
    private int bufferSize(boolean receive, int size) {
        healthCheck();
        if (size < 0) {
            throw DgramErrors.badBufferSize();
        }
        int r = inOrder(() -> size == 0 ? handle.bufferSize(receive, 0) : DatagramGroup.all(this, h -> h.bufferSize(receive, size)));
        if (r < 0) {
            throw DgramErrors.bufferSize(r, receive);
        }
        return r;
    }

    /** Node's {@code getSendQueueSize()}: bytes queued for sending, not yet taken by the kernel. */
    public long getSendQueueSize() {
        return callOnLoop(handle::sendQueueSize);
    }

    /** Node's {@code getSendQueueCount()}: datagrams queued for sending. */
    public int getSendQueueCount() {
        return callOnLoop(handle::sendQueueCount);
    }

    /**
     * Runs a socket option call on the loop, after the sends this thread made before it: a
     * {@code setMulticastInterface} between two sends must apply between them, as it does in
     * Node's single thread. On the loop thread it runs at once; elsewhere the caller waits (a
     * thread of another loop too: two loops must not wait on each other's sockets this way).
     */
    private int inOrder(IntSupplier option) {
        return loop().inLoop() ? option.getAsInt() : callOnLoop(option::getAsInt);
    }

    private DatagramSocket check(int r, String syscall) {
        if (r < 0) {
            healthCheck();   // closed meanwhile: say so rather than EBADF
            throw Errors.exception(r, syscall);
        }
        return this;
    }

    // ---- close, ref ------------------------------------------------------------------------

    /** Closes the socket; {@link #CLOSE} follows. */
    public DatagramSocket close() {
        return close(null);
    }

    /**
     * Node's {@code socket.close(callback)}: stops receiving and closes the descriptor; queued
     * datagrams complete with {@code ECANCELED}. While the socket is still binding, the close
     * waits behind the sends made before it, as in Node.
     *
     * @throws InvalidStateException {@code ERR_SOCKET_DGRAM_NOT_RUNNING} if already closed
     */
    public DatagramSocket close(Runnable onClose) {
        if (onClose != null) {
            on(CLOSE, onClose);
        }
        state.close();
        return this;
    }

    /** Node's {@code ref()}: a bound socket keeps the JVM alive (the default). */
    public DatagramSocket ref() {
        state.ref(true);
        return this;
    }

    /** Node's {@code unref()}: this socket alone no longer keeps the JVM alive. */
    public DatagramSocket unref() {
        state.ref(false);
        return this;
    }

    private void healthCheck() {
        state.healthCheck();
    }

    boolean isIPv6() {
        return handle.family() == SysConstants.AF_INET6;
    }

    /** For tests: an int socket option, or {@code -errno}. */
    int intOption(int level, int name) {
        return handle.intOption(level, name);
    }

    // ---- EventEmitter, typed to return this socket ---------------------------------------------

    @Override
    public <L> DatagramSocket on(Event<L> event, L listener) {
        super.on(event, listener);
        return this;
    }

    @Override
    public <L> DatagramSocket once(Event<L> event, L listener) {
        super.once(event, listener);
        return this;
    }

    @Override
    public <L> DatagramSocket off(Event<L> event, L listener) {
        super.off(event, listener);
        return this;
    }

    @Override
    public String toString() {
        return "DatagramSocket[" + type + ", " + handle + "]";
    }
}
