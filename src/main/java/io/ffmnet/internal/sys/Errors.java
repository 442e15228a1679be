package io.ffmnet.internal.sys;

import io.ffmnet.NetException;
import io.ffmnet.bindings.linux_x86_64.Errno;

import static io.ffmnet.bindings.linux_x86_64.Errno.*;

/**
 * The one funnel from {@code -errno} to {@link NetException}, with Node's fields and wording.
 * Called only on failure paths.
 *
 * <p>Node names and describes an errno through libuv's table ({@code UV_ERRNO_MAP}), not the C
 * library's: libuv's words differ from {@code strerror} ("address not available", not "Cannot
 * assign requested address"), and an errno libuv does not map (EADV) is
 * {@code Unknown system error -68} in Node, not its C name.
 */
public final class Errors {
    private Errors() {}

    /**
     * Node's code for an errno, as {@code util.getSystemErrorName} gives it: its name
     * ({@code ECONNREFUSED}), or {@code Unknown system error -N} for one libuv does not map.
     */
    public static String code(int negErrno) {
        String name = uvMessage(-negErrno) != null ? Errno.name(-negErrno) : null;
        return name != null ? name : "Unknown system error " + negErrno;
    }

    /** libuv's short description of an errno ({@code uv_strerror}), or {@code unknown error}. */
    public static String description(int negErrno) {
        String text = uvMessage(-negErrno);
        return text != null ? text : "unknown error";
    }

    /** {@code read ECONNRESET}: Node's {@code errnoException}. */
    public static NetException exception(int negErrno, String syscall) {
        return new NetException(code(negErrno), negErrno, syscall, null, -1,
                syscall + " " + code(negErrno), null);
    }

    /**
     * {@code connect ECONNREFUSED 127.0.0.1:8080}: Node's {@code exceptionWithHostPort}.
     *
     * @param port the port, or -1 (or 0, which Node leaves out too) to leave it out of the
     *             message and the error
     */
    public static NetException exception(int negErrno, String syscall, String address, int port) {
        return new NetException(code(negErrno), negErrno, syscall, address, port > 0 ? port : -1,
                syscall + " " + code(negErrno) + hostPort(address, port), null);
    }

    /**
     * {@code listen EADDRINUSE: address already in use 127.0.0.1:8080}: Node's
     * {@code uvExceptionWithHostPort}, used for listen and bind failures. An errno libuv does not
     * map is {@code UNKNOWN: unknown error} here, as in Node.
     */
    public static NetException uvException(int negErrno, String syscall, String address, int port) {
        String code = uvMessage(-negErrno) != null ? code(negErrno) : "UNKNOWN";
        return new NetException(code, negErrno, syscall, address, port > 0 ? port : -1,
                syscall + " " + code + ": " + description(negErrno) + hostPort(address, port),
                null);
    }

    /**
     * {@code getaddrinfo ENOTFOUND example.invalid}: Node's {@code dnsException}, with
     * {@code errno} the libuv code ({@code -3008}), {@code syscall} "getaddrinfo" and
     * {@code hostname} set.
     *
     * @param status a failed {@link Dns.Answer#status()}
     */
    public static NetException lookupException(int status, String host) {
        String code = Dns.codeName(status);
        return new NetException(code, status, "getaddrinfo", null, -1,
                "getaddrinfo " + code + " " + host, null).withHostname(host);
    }

    // Node: "if (port && port > 0) details = ` ${address}:${port}`; else if (address) ...".
    private static String hostPort(String address, int port) {
        if (address == null) {
            return "";
        }
        return port > 0 ? " " + address + ":" + port : " " + address;
    }

    /** libuv's message for an errno it maps on Linux (Node 20's {@code util.getSystemErrorMap()}), or null. */
    private static String uvMessage(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted";
            case ENOENT -> "no such file or directory";
            case ESRCH -> "no such process";
            case EINTR -> "interrupted system call";
            case EIO -> "i/o error";
            case ENXIO -> "no such device or address";
            case E2BIG -> "argument list too long";
            case EBADF -> "bad file descriptor";
            case EAGAIN -> "resource temporarily unavailable";
            case ENOMEM -> "not enough memory";
            case EACCES -> "permission denied";
            case EFAULT -> "bad address in system call argument";
            case EBUSY -> "resource busy or locked";
            case EEXIST -> "file already exists";
            case EXDEV -> "cross-device link not permitted";
            case ENODEV -> "no such device";
            case ENOTDIR -> "not a directory";
            case EISDIR -> "illegal operation on a directory";
            case EINVAL -> "invalid argument";
            case ENFILE -> "file table overflow";
            case EMFILE -> "too many open files";
            case ENOTTY -> "inappropriate ioctl for device";
            case ETXTBSY -> "text file is busy";
            case EFBIG -> "file too large";
            case ENOSPC -> "no space left on device";
            case ESPIPE -> "invalid seek";
            case EROFS -> "read-only file system";
            case EMLINK -> "too many links";
            case EPIPE -> "broken pipe";
            case ERANGE -> "result too large";
            case ENAMETOOLONG -> "name too long";
            case ENOSYS -> "function not implemented";
            case ENOTEMPTY -> "directory not empty";
            case ELOOP -> "too many symbolic links encountered";
            case EUNATCH -> "protocol driver not attached";
            case ENODATA -> "no data available";
            case ENONET -> "machine is not on the network";
            case EPROTO -> "protocol error";
            case EOVERFLOW -> "value too large for defined data type";
            case EILSEQ -> "illegal byte sequence";
            case ENOTSOCK -> "socket operation on non-socket";
            case EDESTADDRREQ -> "destination address required";
            case EMSGSIZE -> "message too long";
            case EPROTOTYPE -> "protocol wrong type for socket";
            case ENOPROTOOPT -> "protocol not available";
            case EPROTONOSUPPORT -> "protocol not supported";
            case ESOCKTNOSUPPORT -> "socket type not supported";
            case ENOTSUP -> "operation not supported on socket";
            case EAFNOSUPPORT -> "address family not supported";
            case EADDRINUSE -> "address already in use";
            case EADDRNOTAVAIL -> "address not available";
            case ENETDOWN -> "network is down";
            case ENETUNREACH -> "network is unreachable";
            case ECONNABORTED -> "software caused connection abort";
            case ECONNRESET -> "connection reset by peer";
            case ENOBUFS -> "no buffer space available";
            case EISCONN -> "socket is already connected";
            case ENOTCONN -> "socket is not connected";
            case ESHUTDOWN -> "cannot send after transport endpoint shutdown";
            case ETIMEDOUT -> "connection timed out";
            case ECONNREFUSED -> "connection refused";
            case EHOSTDOWN -> "host is down";
            case EHOSTUNREACH -> "host is unreachable";
            case EALREADY -> "connection already in progress";
            case EREMOTEIO -> "remote I/O error";
            case ECANCELED -> "operation canceled";
            default -> null;
        };
    }
}
