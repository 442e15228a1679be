package io.ffmnet;

import io.ffmnet.internal.sys.Errors;

/** The errors of Node's {@code lib/dgram.js}, with its codes and messages. */
final class DgramErrors {
    private DgramErrors() {}

    /**
     * {@code ERR_SOCKET_BAD_PORT} as {@code validatePort(port, 'Port', allowZero)} words it: a
     * destination must be above 0, a port to bind may be 0.
     *
     * @param port the port given, or null when none was (Node's "Received undefined")
     */
    static InvalidArgumentException badPort(Integer port, boolean allowZero) {
        String received = port == null ? "undefined" : "type number (" + port + ")";
        return new InvalidArgumentException("ERR_SOCKET_BAD_PORT",
                "Port should be " + (allowZero ? ">=" : ">") + " 0 and < 65536. Received " + received + ".");
    }

    static void checkPort(int port, boolean allowZero) {
        if (port < (allowZero ? 0 : 1) || port > 65535) {
            throw badPort(port, allowZero);
        }
    }

    static InvalidStateException notRunning() {
        return new InvalidStateException("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running");
    }

    static InvalidStateException alreadyBound() {
        return new InvalidStateException("ERR_SOCKET_ALREADY_BOUND", "Socket is already bound");
    }

    static InvalidStateException isConnected() {
        return new InvalidStateException("ERR_SOCKET_DGRAM_IS_CONNECTED", "Already connected");
    }

    /** Node's wording for a method a class does not have: a group of sockets has no one peer. */
    static InvalidStateException groupConnect() {
        return new InvalidStateException("ERR_METHOD_NOT_IMPLEMENTED", "The connect() method is not implemented");
    }

    static InvalidStateException notConnected() {
        return new InvalidStateException("ERR_SOCKET_DGRAM_NOT_CONNECTED", "Not connected");
    }

    static InvalidArgumentException badType() {
        return new InvalidArgumentException("ERR_SOCKET_BAD_TYPE",
                "Bad socket type specified. Valid types are: udp4, udp6");
    }

    static InvalidArgumentException badBufferSize() {
        return new InvalidArgumentException("ERR_SOCKET_BAD_BUFFER_SIZE", "Buffer size must be a positive integer");
    }

    /** {@code ERR_BUFFER_OUT_OF_BOUNDS}: {@code "offset" is outside of buffer bounds}. */
    static InvalidArgumentException outOfBounds(String name) {
        return new InvalidArgumentException("ERR_BUFFER_OUT_OF_BOUNDS", "\"" + name + "\" is outside of buffer bounds");
    }

    /** {@code ERR_MISSING_ARGS}: {@code The "multicastAddress" argument must be specified}. */
    static InvalidArgumentException missingArgument(String name) {
        return new InvalidArgumentException("ERR_MISSING_ARGS", "The \"" + name + "\" argument must be specified");
    }

    /** {@code ERR_INVALID_ARG_TYPE} for a string argument that is null. */
    static InvalidArgumentException notAString(String name) {
        return InvalidArgumentException.invalidType(name, "of type string", null);
    }

    /** {@code ERR_INVALID_ARG_TYPE} for a message that is null. */
    static InvalidArgumentException badMessage(String name) {
        return InvalidArgumentException.invalidType(name,
                "of type string or an instance of Buffer, TypedArray, or DataView", null);
    }

    /**
     * {@code ERR_SOCKET_BUFFER_SIZE}, a Node {@code SystemError}: "Could not get or set buffer
     * size: uv_recv_buffer_size returned EBADF (bad file descriptor)", errno and syscall set.
     */
    static NetException bufferSize(int negErrno, boolean receive) {
        String syscall = receive ? "uv_recv_buffer_size" : "uv_send_buffer_size";
        return new NetException("ERR_SOCKET_BUFFER_SIZE", negErrno, syscall, null, -1,
                "Could not get or set buffer size: " + syscall + " returned " + Errors.code(negErrno)
                        + " (" + Errors.description(negErrno) + ")", null);
    }

    /** An error with Node's {@code ExceptionWithHostPort} wording; no port when it is 0 or less. */
    static NetException withHostPort(int negErrno, String syscall, String address, int port) {
        return Errors.exception(negErrno, syscall, address, port > 0 ? port : -1);
    }
}
