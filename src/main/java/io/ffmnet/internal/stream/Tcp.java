package io.ffmnet.internal.stream;

import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.Sockets;

import java.lang.foreign.MemorySegment;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;
import static io.ffmnet.internal.sys.SysConstants.AF_UNIX;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_TCP;
import static io.ffmnet.internal.sys.SysConstants.OFFSETOF_LINGER_L_LINGER;
import static io.ffmnet.internal.sys.SysConstants.OFFSETOF_LINGER_L_ONOFF;
import static io.ffmnet.internal.sys.SysConstants.SIZEOF_LINGER;
import static io.ffmnet.internal.sys.SysConstants.SOCK_CLOEXEC;
import static io.ffmnet.internal.sys.SysConstants.SOCK_NONBLOCK;
import static io.ffmnet.internal.sys.SysConstants.SOCK_STREAM;
import static io.ffmnet.internal.sys.SysConstants.SOL_SOCKET;
import static io.ffmnet.internal.sys.SysConstants.SO_KEEPALIVE;
import static io.ffmnet.internal.sys.SysConstants.SO_LINGER;
import static io.ffmnet.internal.sys.SysConstants.TCP_KEEPCNT;
import static io.ffmnet.internal.sys.SysConstants.TCP_KEEPIDLE;
import static io.ffmnet.internal.sys.SysConstants.TCP_KEEPINTVL;
import static io.ffmnet.internal.sys.SysConstants.TCP_NODELAY;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

/**
 * Socket setup and options for stream sockets, using the loop's scratch memory for arguments.
 * Loop thread only. Each returns 0 or a negative errno, as the sys layer does.
 */
public final class Tcp {
    private Tcp() {}

    /** Where in the scratch area a sockaddr goes; iovecs use the start. */
    static final int ADDR_OFFSET = 16 * 1024;
    /** Where a socklen_t (or an int option value) goes. */
    static final int LEN_OFFSET = ADDR_OFFSET + 256;

    /** A non-blocking, close-on-exec stream socket of {@code family}, or a negative errno. */
    public static int socket(int family) {
        return Sockets.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }

    static MemorySegment scratch(Loop loop) {
        return loop.scratchSegment();
    }

    /** Encodes an IP address and port into the scratch sockaddr: its length, or a negative errno. */
    public static int encode(Loop loop, String ip, int port) {
        return SockAddr.encode(scratch(loop).asSlice(ADDR_OFFSET, SockAddr.MAX_SIZE), ip, port);
    }

    /** Encodes a Unix socket path into the scratch sockaddr. */
    public static int encodeUnix(Loop loop, String path) {
        return SockAddr.encodeUnix(scratch(loop).asSlice(ADDR_OFFSET, SockAddr.MAX_SIZE), path);
    }

    /** The address of the scratch sockaddr that {@link #encode} filled. */
    public static long encodedAddress(Loop loop) {
        return loop.scratch() + ADDR_OFFSET;
    }

    public static int setIntOption(Loop loop, int fd, int level, int name, int value) {
        MemorySegment s = scratch(loop);
        s.set(JAVA_INT_UNALIGNED, LEN_OFFSET, value);
        return Sockets.setsockopt(fd, level, name, loop.scratch() + LEN_OFFSET, 4);
    }

    /** An int option's value, or a negative errno (no option used here is negative). */
    public static int getIntOption(Loop loop, int fd, int level, int name) {
        MemorySegment s = scratch(loop);
        s.set(JAVA_INT_UNALIGNED, LEN_OFFSET, 0);
        s.set(JAVA_INT_UNALIGNED, LEN_OFFSET + 8, 4);
        int r = Sockets.getsockopt(fd, level, name, loop.scratch() + LEN_OFFSET, loop.scratch() + LEN_OFFSET + 8);
        return r < 0 ? r : s.get(JAVA_INT_UNALIGNED, LEN_OFFSET);
    }

    public static int setNoDelay(Loop loop, int fd, boolean on) {
        return setIntOption(loop, fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
    }

    /**
     * SO_KEEPALIVE, and when enabling, the idle time before the first probe. Probes then go every
     * second, ten times, as libuv 1.49 (Node 22+) sets them.
     */
    public static int setKeepAlive(Loop loop, int fd, boolean on, long initialDelayMs) {
        int r = setIntOption(loop, fd, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0);
        if (r < 0 || !on) {
            return r;
        }
        int seconds = (int) Math.max(1, Math.min(initialDelayMs / 1000, Integer.MAX_VALUE));
        r = setIntOption(loop, fd, IPPROTO_TCP, TCP_KEEPIDLE, seconds);
        if (r == 0) {
            r = setIntOption(loop, fd, IPPROTO_TCP, TCP_KEEPINTVL, 1);
        }
        if (r == 0) {
            r = setIntOption(loop, fd, IPPROTO_TCP, TCP_KEEPCNT, 10);
        }
        return r;
    }

    /** SO_LINGER {on, 0}: close(2) then sends RST and drops unsent data (resetAndDestroy). */
    public static int setLingerZero(Loop loop, int fd) {
        MemorySegment s = scratch(loop);
        s.set(JAVA_INT_UNALIGNED, LEN_OFFSET + OFFSETOF_LINGER_L_ONOFF, 1);
        s.set(JAVA_INT_UNALIGNED, LEN_OFFSET + OFFSETOF_LINGER_L_LINGER, 0);
        return Sockets.setsockopt(fd, SOL_SOCKET, SO_LINGER, loop.scratch() + LEN_OFFSET, SIZEOF_LINGER);
    }

    /** The socket's own address, or null if it has none (or is closed). */
    public static Endpoint localEndpoint(Loop loop, int fd) {
        return endpoint(loop, fd, false);
    }

    /** The peer's address, or null if not connected. */
    public static Endpoint peerEndpoint(Loop loop, int fd) {
        return endpoint(loop, fd, true);
    }

    private static Endpoint endpoint(Loop loop, int fd, boolean peer) {
        if (fd < 0) {
            return null;
        }
        MemorySegment s = scratch(loop);
        s.set(JAVA_INT_UNALIGNED, LEN_OFFSET, SockAddr.MAX_SIZE);
        long addr = loop.scratch() + ADDR_OFFSET;
        long len = loop.scratch() + LEN_OFFSET;
        int r = peer ? Sockets.getpeername(fd, addr, len) : Sockets.getsockname(fd, addr, len);
        if (r < 0) {
            return null;
        }
        return decode(s.asSlice(ADDR_OFFSET, SockAddr.MAX_SIZE), s.get(JAVA_INT_UNALIGNED, LEN_OFFSET));
    }

    /** A sockaddr as an endpoint. */
    static Endpoint decode(MemorySegment sockaddr, int length) {
        int family = SockAddr.family(sockaddr);
        if (family == AF_UNIX) {
            return new Endpoint(SockAddr.address(sockaddr, length), "unix", -1);
        }
        if (family == AF_INET && length <= Endpoint.RAW_SIZE) {
            return Endpoint.ipv4(sockaddr);
        }
        return new Endpoint(SockAddr.address(sockaddr, length), SockAddr.familyName(family),
                SockAddr.port(sockaddr));
    }
}
