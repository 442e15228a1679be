package io.ffmnet.internal.sys;

import io.ffmnet.bindings.linux_x86_64.Functions;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.ffmnet.bindings.linux_x86_64.Errno.EINPROGRESS;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINTR;

/**
 * Socket system calls. Each returns {@code >= 0} or {@code -errno}, never throws for an errno,
 * and retries {@code EINTR}. Pointers are raw native addresses. Every socket ffm-net makes is
 * non-blocking, so all of these are linked as calls that cannot block.
 */
public final class Sockets {
    private Sockets() {}

    // int socket(int domain, int type, int protocol);
    private static final MethodHandle SOCKET = Native.downcall("socket", Functions.SOCKET, true);
    // int socketpair(int domain, int type, int protocol, int sv[2]);
    private static final MethodHandle SOCKETPAIR = Native.downcall("socketpair", Functions.SOCKETPAIR, true);
    // int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
    private static final MethodHandle BIND = Native.downcall("bind", Functions.BIND, true);
    // int listen(int sockfd, int backlog);
    private static final MethodHandle LISTEN = Native.downcall("listen", Functions.LISTEN, true);
    // int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
    private static final MethodHandle ACCEPT4 = Native.downcall("accept4", Functions.ACCEPT4, true);
    // int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
    private static final MethodHandle CONNECT = Native.downcall("connect", Functions.CONNECT, true);
    // int shutdown(int sockfd, int how);
    private static final MethodHandle SHUTDOWN = Native.downcall("shutdown", Functions.SHUTDOWN, true);
    // int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
    private static final MethodHandle SETSOCKOPT = Native.downcall("setsockopt", Functions.SETSOCKOPT, true);
    // int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
    private static final MethodHandle GETSOCKOPT = Native.downcall("getsockopt", Functions.GETSOCKOPT, true);
    // int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
    private static final MethodHandle GETSOCKNAME = Native.downcall("getsockname", Functions.GETSOCKNAME, true);
    // int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
    private static final MethodHandle GETPEERNAME = Native.downcall("getpeername", Functions.GETPEERNAME, true);
    // ssize_t recvfrom(int sockfd, void *buf, size_t len, int flags, struct sockaddr *src_addr, socklen_t *addrlen);
    private static final MethodHandle RECVFROM = Native.downcall("recvfrom", Functions.RECVFROM, true);
    // ssize_t sendto(int sockfd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr, socklen_t addrlen);
    private static final MethodHandle SENDTO = Native.downcall("sendto", Functions.SENDTO, true);
    // ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);
    private static final MethodHandle RECVMSG = Native.downcall("recvmsg", Functions.RECVMSG, true);
    // ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);
    private static final MethodHandle SENDMSG = Native.downcall("sendmsg", Functions.SENDMSG, true);
    // int recvmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags, struct timespec *timeout);
    private static final MethodHandle RECVMMSG = Native.downcall("recvmmsg", Functions.RECVMMSG, true);
    // int sendmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags);
    private static final MethodHandle SENDMMSG = Native.downcall("sendmmsg", Functions.SENDMMSG, true);
    // unsigned int if_nametoindex(const char *ifname);  reads the interface list: may block briefly
    private static final MethodHandle IF_NAMETOINDEX = Native.downcall("if_nametoindex", Functions.IF_NAMETOINDEX, false);

    public static int socket(int domain, int type, int protocol) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) SOCKET.invokeExact(errno, domain, type, protocol);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Writes the two connected descriptors at {@code sv} (an {@code int[2]}). */
    public static int socketpair(int domain, int type, int protocol, long sv) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) SOCKETPAIR.invokeExact(errno, domain, type, protocol, sv);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int bind(int fd, long addr, int addrlen) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) BIND.invokeExact(errno, fd, addr, addrlen);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int listen(int fd, int backlog) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) LISTEN.invokeExact(errno, fd, backlog);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param addr, addrlen where to store the peer's address, or both 0 */
    public static int accept4(int fd, long addr, long addrlen, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r;
            do {
                r = (int) ACCEPT4.invokeExact(errno, fd, addr, addrlen, flags);
            } while (r < 0 && Native.negErrno(errno) == -EINTR);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Starts a connection. On a non-blocking socket the usual answer is {@code -EINPROGRESS}.
     * EINTR is not retried: the connection goes on in the background and a second connect
     * would answer EALREADY, so it is reported as EINPROGRESS instead.
     */
    public static int connect(int fd, long addr, int addrlen) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) CONNECT.invokeExact(errno, fd, addr, addrlen);
            if (r >= 0) {
                return r;
            }
            int e = Native.negErrno(errno);
            return e == -EINTR ? -EINPROGRESS : e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int shutdown(int fd, int how) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) SHUTDOWN.invokeExact(errno, fd, how);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, long value, int length) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param length the address of a {@code socklen_t} holding the room at {@code value} */
    public static int getsockopt(int fd, int level, int name, long value, long length) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) GETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int getsockname(int fd, long addr, long addrlen) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) GETSOCKNAME.invokeExact(errno, fd, addr, addrlen);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int getpeername(int fd, long addr, long addrlen) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) GETPEERNAME.invokeExact(errno, fd, addr, addrlen);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlen) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) RECVFROM.invokeExact(errno, fd, buf, len, flags, addr, addrlen);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long sendto(int fd, long buf, long len, int flags, long addr, int addrlen) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) SENDTO.invokeExact(errno, fd, buf, len, flags, addr, addrlen);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long recvmsg(int fd, long msg, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) RECVMSG.invokeExact(errno, fd, msg, flags);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long sendmsg(int fd, long msg, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) SENDMSG.invokeExact(errno, fd, msg, flags);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Receives up to {@code vlen} datagrams into the {@code mmsghdr} array at {@code msgvec}. */
    public static int recvmmsg(int fd, long msgvec, int vlen, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r;
            do {
                r = (int) RECVMMSG.invokeExact(errno, fd, msgvec, vlen, flags, 0L);
            } while (r < 0 && Native.negErrno(errno) == -EINTR);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int sendmmsg(int fd, long msgvec, int vlen, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r;
            do {
                r = (int) SENDMMSG.invokeExact(errno, fd, msgvec, vlen, flags);
            } while (r < 0 && Native.negErrno(errno) == -EINTR);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The index of the interface named at {@code name} (NUL-terminated), or {@code -errno}. */
    public static int ifNametoindex(long name) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) IF_NAMETOINDEX.invokeExact(errno, name);
            return r != 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
