package io.ffmnet.internal.dgram;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.poll.PollHandle;
import io.ffmnet.internal.poll.Poller;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Ip;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.Sockets;
import io.ffmnet.internal.sys.UdpOptions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;
import static io.ffmnet.internal.sys.SysConstants.AF_INET6;
import static io.ffmnet.internal.sys.SysConstants.EAFNOSUPPORT;
import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.EBADF;
import static io.ffmnet.internal.sys.SysConstants.ECANCELED;
import static io.ffmnet.internal.sys.SysConstants.EINVAL;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_IP;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_IPV6;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_UDP;
import static io.ffmnet.internal.sys.SysConstants.UDP_GRO;
import static io.ffmnet.internal.sys.SysConstants.IPV6_MULTICAST_HOPS;
import static io.ffmnet.internal.sys.SysConstants.IPV6_MULTICAST_LOOP;
import static io.ffmnet.internal.sys.SysConstants.IPV6_UNICAST_HOPS;
import static io.ffmnet.internal.sys.SysConstants.IPV6_V6ONLY;
import static io.ffmnet.internal.sys.SysConstants.IP_MULTICAST_LOOP;
import static io.ffmnet.internal.sys.SysConstants.IP_MULTICAST_TTL;
import static io.ffmnet.internal.sys.SysConstants.IP_TTL;
import static io.ffmnet.internal.sys.SysConstants.SOCK_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.SOCK_DGRAM;
import static io.ffmnet.internal.sys.SysConstants.SOCK_NONBLOCK;
import static io.ffmnet.internal.sys.SysConstants.SOL_SOCKET;
import static io.ffmnet.internal.sys.SysConstants.SO_BROADCAST;
import static io.ffmnet.internal.sys.SysConstants.SO_ERROR;
import static io.ffmnet.internal.sys.SysConstants.SO_RCVBUF;
import static io.ffmnet.internal.sys.SysConstants.SO_REUSEADDR;
import static io.ffmnet.internal.sys.SysConstants.SO_REUSEPORT;
import static io.ffmnet.internal.sys.SysConstants.SO_SNDBUF;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A UDP socket's descriptor and its state machine, as libuv's {@code uv_udp_t}: the descriptor
 * is made lazily (by {@link #bind}, {@link #connect}, {@link #startReceiving} or a membership
 * call, which bind it to any address first, as libuv's {@code uv__udp_maybe_deferred_bind}
 * does), datagrams are received in batches ({@link ReceiveBatch}) and sent at once when nothing
 * waits, else queued and sent in batches ({@link SendQueue}). Results are {@code -errno} ints;
 * the layer above words them as Node does.
 *
 * <p>Threads: receiving, sending and closing happen on the loop thread. Socket options, address
 * queries and {@link #disconnect} may come from any thread: they hold this object's lock, which
 * the loop also takes to create and close the descriptor, so a descriptor number is never used
 * after it was closed (and perhaps reused).
 *
 * <p>Sends made while a receive batch is being delivered (an echo server answering each message)
 * are queued, not sent one by one, and go out together through {@code sendmmsg} when the batch
 * ends: one system call for the replies of one wake-up.
 */
public final class UdpHandle extends PollHandle {
    /** {@link #bind} flag: {@code SO_REUSEADDR} (Node's {@code reuseAddr}). */
    public static final int REUSEADDR = 1;
    /** {@link #bind} flag: {@code IPV6_V6ONLY} (Node's {@code ipv6Only}); IPv6 sockets only. */
    public static final int IPV6ONLY = 2;
    /** {@link #bind} flag: {@code SO_REUSEPORT} (Node's {@code reusePort}). */
    public static final int REUSEPORT = 4;
    /** What {@link #send} returns when the datagram was queued: its callback comes later. */
    public static final int PENDING = Integer.MIN_VALUE;

    /**
     * Datagrams delivered per wake-up at most. Level-triggered epoll reports the socket again if
     * more wait, so the cap only lets the loop serve its other handles and timers in between;
     * libuv stops after 32 receive calls. Checked between receive calls, each of which is
     * delivered whole: with {@code UDP_GRO} one buffer may hold up to 64 datagrams.
     */
    static final int MAX_DATAGRAMS_PER_WAKEUP = 128;
    /** Queued datagrams completed per wake-up at most, for the same fairness. */
    static final int MAX_SENDS_PER_WAKEUP = 256;

    /** What the handle reports, on the loop thread. */
    public interface Receiver {
        /**
         * A datagram arrived.
         *
         * @param chunk  its memory, one reference now owned by the receiver
         * @param offset where in {@code chunk} it starts (not 0 when one receive brought
         *               several coalesced datagrams: {@code UDP_GRO})
         * @param length its bytes in {@code chunk}
         * @param size   the datagram's size on the wire: more than {@code length} if it was
         *               truncated to fit the receive slot
         */
        void onMessage(Chunk chunk, int offset, int length, int size, Peer from);

        /** Receiving failed ({@code -ECONNREFUSED} on a connected socket, for one). */
        void onReceiveError(int negErrno);
    }

    private final Loop loop;
    private final int family;
    private final int slotSize;
    private final Receiver receiver;
    private final SendQueue sends;
    private final SenderCache senders = new SenderCache();
    private ReceiveBatch batch;
    private boolean receiving;
    private boolean corked;
    private volatile boolean closed;
    /** Whether to ask for {@code UDP_GRO} when receiving starts; see {@link UdpOffload}. */
    private boolean gro = UdpOffload.GRO;
    private long coalescedReceives;

    /**
     * @param family   {@code AF_INET} or {@code AF_INET6}
     * @param slotSize the largest datagram received whole (at most 64 KiB)
     */
    public UdpHandle(Loop loop, int family, int slotSize, Receiver receiver) {
        this.loop = loop;
        this.family = family;
        this.slotSize = slotSize;
        this.receiver = receiver;
        this.sends = new SendQueue(family);
        sends.setSegmentation(UdpOffload.GSO);
    }

    /**
     * Overrides the system properties of {@link UdpOffload} for this socket (tests,
     * benchmarks). Before receiving starts: {@code UDP_GRO} is set then.
     */
    public void setOffload(boolean gso, boolean gro) {
        sends.setSegmentation(gso);
        this.gro = gro;
    }

    /** Headers sent with {@code UDP_SEGMENT} (each several datagrams): for tests and diagnostics. Loop thread. */
    public long segmentedSends() {
        return sends.segmentedSends();
    }

    /** Datagrams those headers carried. Loop thread. */
    public long segmentedDatagrams() {
        return sends.segmentedDatagrams();
    }

    /** Receives that brought several coalesced datagrams ({@code UDP_GRO}): for tests and diagnostics. Loop thread. */
    public long coalescedReceives() {
        return coalescedReceives;
    }

    /** {@code AF_INET} or {@code AF_INET6}. */
    public int family() {
        return family;
    }

    /** Whether {@link #close} ran. */
    public boolean isClosed() {
        return closed;
    }

    // ---- the descriptor ------------------------------------------------------------------

    /**
     * Binds to {@code ip:port} (libuv's {@code uv__udp_bind}), making the descriptor first if
     * there is none. An address of the other family is {@code -EINVAL}.
     */
    public synchronized int bind(String ip, int port, int flags) {
        if (closed) {
            return -EBADF;
        }
        if ((flags & IPV6ONLY) != 0 && family != AF_INET6) {
            return -EINVAL;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            int length = encode(sa, ip, port);
            int r = length < 0 ? length : ensureSocket();
            if (r >= 0 && (flags & REUSEADDR) != 0) {
                r = UdpOptions.setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            }
            if (r >= 0 && (flags & REUSEPORT) != 0) {
                r = UdpOptions.setInt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
            }
            if (r >= 0 && (flags & IPV6ONLY) != 0) {
                r = UdpOptions.setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
            }
            if (r >= 0) {
                r = Sockets.bind(fd, sa.address(), length);
            }
            return r == -EAFNOSUPPORT ? -EINVAL : Math.min(r, 0);
        }
    }

    /** Sets the default destination and the only accepted source: UDP's connect. */
    public synchronized int connect(String ip, int port) {
        if (closed) {
            return -EBADF;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            int length = encode(sa, ip, port);
            int r = length < 0 ? length : bindIfUnbound(false);
            return r < 0 ? r : Math.min(Sockets.connect(fd, sa.address(), length), 0);
        }
    }

    /**
     * Dissolves the association: connect to an {@code AF_UNSPEC} address (udp(7)). Linux may
     * answer {@code EAFNOSUPPORT} while still dissolving it, which libuv takes as success.
     */
    public synchronized int disconnect() {
        if (fd < 0) {
            return -EBADF;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unspec = arena.allocate(SockAddr.MAX_SIZE, 8);   // zeroed: AF_UNSPEC
            int r = Sockets.connect(fd, unspec.address(), 28);
            return r == -EAFNOSUPPORT ? 0 : Math.min(r, 0);
        }
    }

    /** Encodes {@code ip:port}; {@code -EINVAL} for text that is no IP address of this family. */
    private int encode(MemorySegment sa, String ip, int port) {
        int length = SockAddr.encode(sa, ip, port);
        if (length >= 0 && SockAddr.family(sa) != family) {
            return -EINVAL;
        }
        return length;
    }

    private int ensureSocket() {
        if (fd >= 0) {
            return 0;
        }
        int r = Sockets.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (r >= 0) {
            fd = r;
        }
        return Math.min(r, 0);
    }

    /**
     * libuv's {@code uv__udp_maybe_deferred_bind}: a socket used before any bind gets a
     * descriptor bound to the wildcard address and a port the kernel picks.
     */
    private int bindIfUnbound(boolean reuseAddress) {
        if (fd >= 0) {
            return 0;
        }
        return bind(family == AF_INET6 ? "::" : "0.0.0.0", 0, reuseAddress ? REUSEADDR : 0);
    }

    /** The socket's own address; throws {@code getsockname EBADF} and the like. */
    public synchronized Peer localAddress() {
        return endpoint(false);
    }

    /** The connected peer; throws {@code getpeername ENOTCONN} and the like. */
    public synchronized Peer peerAddress() {
        return endpoint(true);
    }

    private Peer endpoint(boolean peer) {
        String syscall = peer ? "getpeername" : "getsockname";
        if (fd < 0) {
            throw Errors.exception(-EBADF, syscall);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            MemorySegment len = arena.allocateFrom(JAVA_INT, SockAddr.MAX_SIZE);
            int r = peer ? Sockets.getpeername(fd, sa.address(), len.address())
                    : Sockets.getsockname(fd, sa.address(), len.address());
            if (r < 0) {
                throw Errors.exception(r, syscall);
            }
            int length = len.get(JAVA_INT, 0);
            return new Peer(SockAddr.address(sa, length), SockAddr.family(sa), SockAddr.port(sa));
        }
    }

    // ---- socket options: any thread; an unbound socket has no descriptor, hence EBADF ------

    public synchronized int setBroadcast(boolean on) {
        return UdpOptions.setInt(fd, SOL_SOCKET, SO_BROADCAST, on ? 1 : 0);
    }

    /** {@code IP_TTL} or {@code IPV6_UNICAST_HOPS}; libuv accepts 1 to 255. */
    public synchronized int setTtl(int ttl) {
        if (ttl < 1 || ttl > 255) {
            return -EINVAL;
        }
        return ipOption(IP_TTL, IPV6_UNICAST_HOPS, ttl);
    }

    /** {@code IP_MULTICAST_TTL} or {@code IPV6_MULTICAST_HOPS}; libuv accepts 0 to 255. */
    public synchronized int setMulticastTtl(int ttl) {
        if (ttl < 0 || ttl > 255) {
            return -EINVAL;
        }
        return ipOption(IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, ttl);
    }

    public synchronized int setMulticastLoopback(boolean on) {
        return ipOption(IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, on ? 1 : 0);
    }

    private int ipOption(int v4, int v6, int value) {
        return family == AF_INET6 ? UdpOptions.setInt(fd, IPPROTO_IPV6, v6, value)
                : UdpOptions.setInt(fd, IPPROTO_IP, v4, value);
    }

    public synchronized int setMulticastInterface(String iface) {
        return UdpOptions.multicastInterface(fd, iface);
    }

    /** Joins or leaves {@code group} (IPv4 or IPv6 text); binds an unbound socket first, as libuv does. */
    public synchronized int membership(String group, String iface, boolean join) {
        if (closed) {
            return -EBADF;
        }
        boolean v4 = Ip.parseV4(group) >= 0;
        if (!v4 && Ip.parseV6(group) == null) {
            return -EINVAL;
        }
        int r = bindIfUnbound(true);
        if (r < 0) {
            return r;
        }
        return v4 ? UdpOptions.membership4(fd, group, iface, join) : UdpOptions.membership6(fd, group, iface, join);
    }

    /** Joins or leaves the channel ({@code source}, {@code group}); binds first, as libuv does. */
    public synchronized int sourceMembership(String source, String group, String iface, boolean join) {
        if (closed) {
            return -EBADF;
        }
        boolean v4 = Ip.parseV4(group) >= 0;
        if (v4 ? Ip.parseV4(source) < 0 : Ip.parseV6(group) == null || Ip.parseV6(source) == null) {
            return -EINVAL;
        }
        int r = bindIfUnbound(true);
        if (r < 0) {
            return r;
        }
        return v4 ? UdpOptions.sourceMembership4(fd, source, group, iface, join)
                : UdpOptions.sourceMembership6(fd, source, group, iface, join);
    }

    /**
     * libuv's {@code uv_recv_buffer_size}/{@code uv_send_buffer_size}: with {@code size} 0 reads
     * the value (Linux reports twice what was set: socket(7)), else sets it.
     *
     * @return the value read, 0 after setting, or {@code -errno}
     */
    public synchronized int bufferSize(boolean receive, int size) {
        int name = receive ? SO_RCVBUF : SO_SNDBUF;
        return size == 0 ? UdpOptions.getInt(fd, SOL_SOCKET, name) : UdpOptions.setInt(fd, SOL_SOCKET, name, size);
    }

    /** An int option's value, or {@code -errno}: for tests and diagnostics. */
    public synchronized int intOption(int level, int name) {
        return UdpOptions.getInt(fd, level, name);
    }

    // ---- receiving: loop thread ------------------------------------------------------------

    /** Starts delivering datagrams to the receiver (binding first if unbound). */
    public int startReceiving() {
        int r = bindIfUnbound(false);
        if (r < 0) {
            return r;
        }
        if (batch == null) {
            batch = new ReceiveBatch(slotSize, gro && enableGro());
        }
        receiving = true;
        updateInterest();
        return 0;
    }

    /**
     * {@code UDP_GRO} (Linux 5.0): the kernel may then hand over several datagrams of one flow in
     * one buffer of up to 64 KiB, so only a socket whose slots hold 64 KiB may take it (a smaller
     * slot would cut coalesced datagrams off). A kernel without it says {@code ENOPROTOOPT}.
     */
    private boolean enableGro() {
        return slotSize >= 64 * 1024 && UdpOptions.setInt(fd, IPPROTO_UDP, UDP_GRO, 1) == 0;
    }

    @Override
    public void onReady(int events) {
        if (closed) {
            return;
        }
        if ((events & (Poller.READABLE | Poller.ERROR | Poller.HANGUP)) != 0) {
            if (receiving) {
                receive();
            } else {
                UdpOptions.getInt(fd, SOL_SOCKET, SO_ERROR);   // clears a pending error, which would be reported again and again
            }
        }
        if (!closed && (events & Poller.WRITABLE) != 0) {
            flush();
        }
    }

    /**
     * Receives and delivers up to {@link #MAX_DATAGRAMS_PER_WAKEUP} datagrams, stopping early
     * when the socket is drained or a listener closed it, then sends what the listeners queued.
     */
    private void receive() {
        int budget = MAX_DATAGRAMS_PER_WAKEUP;
        corked = true;
        try {
            while (budget > 0 && receiving && !closed) {
                int asked = batch.width();
                int n = batch.receive(fd, loop.bufferPool());
                if (n < 0) {
                    if (n != -EAGAIN) {
                        receiver.onReceiveError(n);
                    }
                    break;
                }
                budget -= deliver(n);   // datagrams, not buffers: with UDP_GRO one buffer may hold 64
                if (n < asked) {
                    break;   // drained: the kernel had fewer than asked for
                }
            }
        } finally {
            corked = false;
            batch.releaseSpare();   // still allocated: close frees it in the close phase
        }
        if (!closed && !sends.isEmpty()) {
            flush();
        }
    }

    /** Delivers the {@code n} buffers of the last receive; returns how many datagrams they held. */
    private int deliver(int n) {
        int datagrams = 0;
        for (int i = 0; i < n && receiving && !closed; i++) {
            Peer from = senders.sender(batch.vec(), i);
            int size = batch.size(i);
            int length = batch.received(i);
            int segment = batch.segmentSize(i);
            if (segment > 0 && size > segment) {
                deliverSegments(batch.take(i), length, size, segment, from);
                datagrams += (size + segment - 1) / segment;
            } else {
                receiver.onMessage(batch.take(i), 0, length, size, from);
                datagrams++;
            }
        }
        return datagrams;
    }

    /**
     * One buffer of coalesced datagrams ({@code UDP_GRO}): each {@code segment} bytes but the
     * last is one datagram, delivered as its own message, as if received one by one. Each message
     * takes its own reference to the chunk; the one we hold goes with the last.
     */
    private void deliverSegments(Chunk chunk, int length, int size, int segment, Peer from) {
        coalescedReceives++;
        int generation = chunk.generation();
        for (int offset = 0; offset < size; offset += segment) {
            boolean last = offset + segment >= size || offset + segment >= length;
            if (!last) {
                chunk.retain(generation);
            }
            int wire = Math.min(segment, size - offset);
            receiver.onMessage(chunk, offset, Math.min(wire, length - offset), wire, from);
            if (last) {
                return;
            }
            if (!receiving || closed) {
                chunk.release(generation);   // a listener closed the socket: the rest is dropped, as unread datagrams are
                return;
            }
        }
    }

    // ---- sending: loop thread --------------------------------------------------------------

    /**
     * Sends {@code request} now if nothing waits before it, else queues it.
     *
     * @return the bytes sent, {@code -errno} if it failed at once (the request is then done and
     *         its callback not called), or {@link #PENDING}: its callback will report
     */
    public int send(SendRequest request) {
        if (closed || fd < 0) {
            request.release();
            return -EBADF;
        }
        if (corked || !sends.isEmpty()) {
            sends.add(request);
            updateInterest();
            return PENDING;
        }
        long r = sends.sendNow(fd, request);
        if (r == -EAGAIN) {
            sends.add(request);
            updateInterest();
            return PENDING;
        }
        request.release();
        return (int) r;
    }

    private void flush() {
        sends.flush(fd, MAX_SENDS_PER_WAKEUP, this);
        if (!closed) {
            updateInterest();
        }
    }

    /** Datagrams queued, not yet sent: Node's {@code getSendQueueCount()}. Loop thread. */
    public int sendQueueCount() {
        return sends.count();
    }

    /** Bytes queued, not yet sent: Node's {@code getSendQueueSize()}. Loop thread. */
    public long sendQueueSize() {
        return sends.bytes();
    }

    /** Readable while receiving, writable while datagrams wait (not while corked: they go at the batch's end). */
    private void updateInterest() {
        int want = (receiving ? Poller.READABLE : 0) | (!corked && !sends.isEmpty() ? Poller.WRITABLE : 0);
        if (want != interest() && fd >= 0) {
            loop.poller().setInterest(this, want);
        }
    }

    // ---- closing: loop thread --------------------------------------------------------------

    /**
     * Closes the descriptor at once; queued datagrams complete with {@code -ECANCELED} and the
     * native memory is freed in the loop's close phase, after the callback that may be running
     * now has finished with it (libuv completes cancelled requests in its close phase too).
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        receiving = false;
        loop.poller().remove(this);
        synchronized (this) {
            if (fd >= 0) {
                Fds.close(fd);
                fd = -1;
            }
        }
        SendRequest[] cancelled = sends.drain();
        loop.onClose(() -> finishClose(cancelled));
    }

    private void finishClose(SendRequest[] cancelled) {
        if (batch != null) {
            batch.close();
        }
        sends.close();
        for (SendRequest r : cancelled) {
            try {
                r.complete(-ECANCELED);
            } catch (Throwable t) {
                loop.reportUncaught(t);
            }
        }
    }

    @Override
    public String toString() {
        return "UdpHandle[fd=" + fd + (family == AF_INET ? ", udp4" : ", udp6") + (closed ? ", closed]" : "]");
    }
}
