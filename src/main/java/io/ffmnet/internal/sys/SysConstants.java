package io.ffmnet.internal.sys;

import io.ffmnet.bindings.linux_x86_64.Constants;
import io.ffmnet.bindings.linux_x86_64.Errno;
import io.ffmnet.bindings.linux_x86_64.Structs;

/**
 * The C constants that the layers above sys need, passed through from the generated bindings so
 * that only this package depends on them. Error numbers are positive, as in C; the sys calls
 * return them negated.
 */
public final class SysConstants {
    private SysConstants() {}

    // Address families and socket types
    public static final int AF_INET = Constants.AF_INET;
    public static final int AF_INET6 = Constants.AF_INET6;
    public static final int AF_UNIX = Constants.AF_UNIX;
    public static final int AF_UNSPEC = Constants.AF_UNSPEC;
    public static final int SOCK_STREAM = Constants.SOCK_STREAM;
    public static final int SOCK_DGRAM = Constants.SOCK_DGRAM;
    public static final int SOCK_NONBLOCK = Constants.SOCK_NONBLOCK;
    public static final int SOCK_CLOEXEC = Constants.SOCK_CLOEXEC;

    // Socket options (setsockopt levels and names)
    public static final int SOL_SOCKET = Constants.SOL_SOCKET;
    public static final int SO_REUSEADDR = Constants.SO_REUSEADDR;
    public static final int SO_REUSEPORT = Constants.SO_REUSEPORT;
    public static final int SO_KEEPALIVE = Constants.SO_KEEPALIVE;
    public static final int SO_BROADCAST = Constants.SO_BROADCAST;
    public static final int SO_RCVBUF = Constants.SO_RCVBUF;
    public static final int SO_SNDBUF = Constants.SO_SNDBUF;
    public static final int SO_ERROR = Constants.SO_ERROR;
    /** Turns UDP checksums off; UDP_SEGMENT then refuses with EINVAL (tests use it to force a fallback). */
    public static final int SO_NO_CHECK = Constants.SO_NO_CHECK;
    public static final int SO_LINGER = Constants.SO_LINGER;
    public static final int SO_TYPE = Constants.SO_TYPE;
    public static final int IPPROTO_IP = Constants.IPPROTO_IP;
    public static final int IPPROTO_IPV6 = Constants.IPPROTO_IPV6;
    public static final int IPPROTO_TCP = Constants.IPPROTO_TCP;
    public static final int IPPROTO_UDP = Constants.IPPROTO_UDP;
    public static final int IP_TTL = Constants.IP_TTL;
    public static final int IP_MULTICAST_TTL = Constants.IP_MULTICAST_TTL;
    public static final int IP_MULTICAST_LOOP = Constants.IP_MULTICAST_LOOP;
    public static final int IP_MULTICAST_IF = Constants.IP_MULTICAST_IF;
    public static final int IP_ADD_MEMBERSHIP = Constants.IP_ADD_MEMBERSHIP;
    public static final int IP_DROP_MEMBERSHIP = Constants.IP_DROP_MEMBERSHIP;
    public static final int IP_ADD_SOURCE_MEMBERSHIP = Constants.IP_ADD_SOURCE_MEMBERSHIP;
    public static final int IP_DROP_SOURCE_MEMBERSHIP = Constants.IP_DROP_SOURCE_MEMBERSHIP;
    public static final int IPV6_V6ONLY = Constants.IPV6_V6ONLY;
    public static final int IPV6_UNICAST_HOPS = Constants.IPV6_UNICAST_HOPS;
    public static final int IPV6_MULTICAST_HOPS = Constants.IPV6_MULTICAST_HOPS;
    public static final int IPV6_MULTICAST_LOOP = Constants.IPV6_MULTICAST_LOOP;
    public static final int IPV6_MULTICAST_IF = Constants.IPV6_MULTICAST_IF;
    public static final int IPV6_JOIN_GROUP = Constants.IPV6_JOIN_GROUP;
    public static final int IPV6_LEAVE_GROUP = Constants.IPV6_LEAVE_GROUP;
    public static final int MCAST_JOIN_SOURCE_GROUP = Constants.MCAST_JOIN_SOURCE_GROUP;
    public static final int MCAST_LEAVE_SOURCE_GROUP = Constants.MCAST_LEAVE_SOURCE_GROUP;
    public static final int TCP_NODELAY = Constants.TCP_NODELAY;
    public static final int TCP_KEEPIDLE = Constants.TCP_KEEPIDLE;
    public static final int TCP_KEEPINTVL = Constants.TCP_KEEPINTVL;
    public static final int TCP_KEEPCNT = Constants.TCP_KEEPCNT;
    public static final int UDP_SEGMENT = Constants.UDP_SEGMENT;
    public static final int UDP_GRO = Constants.UDP_GRO;

    // Flags of send and receive calls, shutdown, files
    public static final int MSG_DONTWAIT = Constants.MSG_DONTWAIT;
    public static final int MSG_NOSIGNAL = Constants.MSG_NOSIGNAL;
    public static final int MSG_TRUNC = Constants.MSG_TRUNC;
    public static final int MSG_PEEK = Constants.MSG_PEEK;
    public static final int SHUT_RD = Constants.SHUT_RD;
    public static final int SHUT_WR = Constants.SHUT_WR;
    public static final int SHUT_RDWR = Constants.SHUT_RDWR;
    public static final int O_RDONLY = Constants.O_RDONLY;
    public static final int O_WRONLY = Constants.O_WRONLY;
    public static final int O_CREAT = Constants.O_CREAT;
    public static final int O_TRUNC = Constants.O_TRUNC;
    public static final int O_APPEND = Constants.O_APPEND;
    public static final int O_EXCL = Constants.O_EXCL;
    public static final int O_NONBLOCK = Constants.O_NONBLOCK;
    public static final int O_CLOEXEC = Constants.O_CLOEXEC;
    public static final int SEEK_SET = Constants.SEEK_SET;
    public static final int F_GETFL = Constants.F_GETFL;
    public static final int F_SETFL = Constants.F_SETFL;
    public static final int SPLICE_F_MOVE = Constants.SPLICE_F_MOVE;
    public static final int SPLICE_F_NONBLOCK = Constants.SPLICE_F_NONBLOCK;
    public static final int SPLICE_F_MORE = Constants.SPLICE_F_MORE;
    public static final int F_SETPIPE_SZ = Constants.F_SETPIPE_SZ;
    public static final int F_GETPIPE_SZ = Constants.F_GETPIPE_SZ;
    public static final int RLIMIT_NOFILE = Constants.RLIMIT_NOFILE;
    public static final int FIONREAD = Constants.FIONREAD;

    // struct iovec { void *iov_base; size_t iov_len; }
    public static final int SIZEOF_IOVEC = (int) Structs.SIZEOF_IOVEC;
    public static final int OFFSETOF_IOVEC_IOV_BASE = (int) Structs.OFFSETOF_IOVEC_IOV_BASE;
    public static final int OFFSETOF_IOVEC_IOV_LEN = (int) Structs.OFFSETOF_IOVEC_IOV_LEN;
    // struct linger { int l_onoff; int l_linger; }
    public static final int SIZEOF_LINGER = (int) Structs.SIZEOF_LINGER;
    public static final int OFFSETOF_LINGER_L_ONOFF = (int) Structs.OFFSETOF_LINGER_L_ONOFF;
    public static final int OFFSETOF_LINGER_L_LINGER = (int) Structs.OFFSETOF_LINGER_L_LINGER;

    // errno values
    public static final int EAGAIN = Errno.EAGAIN;
    public static final int EINTR = Errno.EINTR;
    public static final int EINPROGRESS = Errno.EINPROGRESS;
    public static final int EALREADY = Errno.EALREADY;
    public static final int EISCONN = Errno.EISCONN;
    public static final int ENOTCONN = Errno.ENOTCONN;
    public static final int ECONNREFUSED = Errno.ECONNREFUSED;
    public static final int ECONNRESET = Errno.ECONNRESET;
    public static final int ECONNABORTED = Errno.ECONNABORTED;
    public static final int EPIPE = Errno.EPIPE;
    public static final int ETIMEDOUT = Errno.ETIMEDOUT;
    public static final int EHOSTUNREACH = Errno.EHOSTUNREACH;
    public static final int ENETUNREACH = Errno.ENETUNREACH;
    public static final int EADDRINUSE = Errno.EADDRINUSE;
    public static final int EADDRNOTAVAIL = Errno.EADDRNOTAVAIL;
    public static final int EACCES = Errno.EACCES;
    public static final int EPERM = Errno.EPERM;
    public static final int EBADF = Errno.EBADF;
    public static final int EINVAL = Errno.EINVAL;
    public static final int EIO = Errno.EIO;
    public static final int EMFILE = Errno.EMFILE;
    public static final int ENFILE = Errno.ENFILE;
    public static final int ENOBUFS = Errno.ENOBUFS;
    public static final int ENOMEM = Errno.ENOMEM;
    public static final int EMSGSIZE = Errno.EMSGSIZE;
    public static final int ENOENT = Errno.ENOENT;
    public static final int ENODEV = Errno.ENODEV;
    public static final int ENOTSOCK = Errno.ENOTSOCK;
    public static final int ENOPROTOOPT = Errno.ENOPROTOOPT;
    public static final int EAFNOSUPPORT = Errno.EAFNOSUPPORT;
    public static final int ECANCELED = Errno.ECANCELED;
    public static final int ENOTSUP = Errno.ENOTSUP;
    public static final int ENAMETOOLONG = Errno.ENAMETOOLONG;
    public static final int EEXIST = Errno.EEXIST;
}
