package io.ffmnet.internal.sys;

import io.ffmnet.NetException;
import io.ffmnet.bindings.linux_x86_64.Errno;

/**
 * The one funnel from {@code -errno} to {@link NetException}, with Node's fields and wording.
 * Called only on failure paths.
 */
public final class Errors {
    private Errors() {}

    /** Node's code for an errno: its name ({@code ECONNREFUSED}), or {@code Unknown system error N}. */
    public static String code(int negErrno) {
        String name = Errno.name(-negErrno);
        return name != null ? name : "Unknown system error " + negErrno;
    }

    /** libuv's short description of an errno: the C library's text with a lower-case first letter. */
    public static String description(int negErrno) {
        String text = Errno.description(-negErrno);
        if (text == null || text.isEmpty()) {
            return "unknown error";
        }
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    /** {@code read ECONNRESET}: Node's {@code errnoException}. */
    public static NetException exception(int negErrno, String syscall) {
        return new NetException(code(negErrno), negErrno, syscall, null, -1,
                syscall + " " + code(negErrno), null);
    }

    /**
     * {@code connect ECONNREFUSED 127.0.0.1:8080}: Node's {@code exceptionWithHostPort}.
     *
     * @param port the port, or -1 to leave it out of the message and the error
     */
    public static NetException exception(int negErrno, String syscall, String address, int port) {
        return new NetException(code(negErrno), negErrno, syscall, address, port,
                syscall + " " + code(negErrno) + hostPort(address, port), null);
    }

    /**
     * {@code listen EADDRINUSE: address already in use 127.0.0.1:8080}: Node's
     * {@code uvExceptionWithHostPort}, used for listen and bind failures.
     */
    public static NetException uvException(int negErrno, String syscall, String address, int port) {
        return new NetException(code(negErrno), negErrno, syscall, address, port,
                syscall + " " + code(negErrno) + ": " + description(negErrno) + hostPort(address, port),
                null);
    }

    private static String hostPort(String address, int port) {
        if (address == null) {
            return "";
        }
        return port >= 0 ? " " + address + ":" + port : " " + address;
    }
}
