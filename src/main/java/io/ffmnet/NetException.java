package io.ffmnet;

import java.io.Serial;

/**
 * A system or stream error, as Node reports it on an {@code 'error'} event or to a callback:
 * {@code err.code}, {@code err.errno}, {@code err.syscall}, {@code err.address}, {@code err.port},
 * with Node's message ({@code connect ECONNREFUSED 127.0.0.1:8080}).
 */
public class NetException extends RuntimeException implements CodedError {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int errno;
    private final String syscall;
    private final String address;
    private final int port;
    private String hostname;

    /** An error with a code and a message and no system call behind it ({@code ERR_STREAM_DESTROYED}). */
    public NetException(String code, String message) {
        this(code, 0, null, null, -1, message, null);
    }

    /**
     * An error with every field Node gives one.
     *
     * @param errno negative, as in Node; 0 when no system call failed
     * @param syscall the failed call, or null
     * @param address the address involved, or null
     * @param port the port involved, or -1
     */
    public NetException(String code, int errno, String syscall, String address, int port,
                        String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.errno = errno;
        this.syscall = syscall;
        this.address = address;
        this.port = port;
    }

    @Override
    public String code() {
        return code;
    }

    /** Node's {@code err.errno}: the negative errno, or 0 when no system call failed. */
    public int errno() {
        return errno;
    }

    /** Node's {@code err.syscall}, or null. */
    public String syscall() {
        return syscall;
    }

    /** Node's {@code err.address}, or null. */
    public String address() {
        return address;
    }

    /** Node's {@code err.port}, or -1. */
    public int port() {
        return port;
    }

    /** Node's {@code err.hostname} on lookup errors ({@code getaddrinfo ENOTFOUND example.invalid}), or null. */
    public String hostname() {
        return hostname;
    }

    /** Sets {@link #hostname()}; for the library's lookup errors. */
    public NetException withHostname(String hostname) {
        this.hostname = hostname;
        return this;
    }
}
