package io.ffmnet;

import java.util.function.BiConsumer;

/**
 * Node's {@code dgram} module: UDP sockets. {@code require('dgram').createSocket('udp4')} is
 * {@code Dgram.createSocket("udp4")}; see {@link DatagramSocket}.
 */
public final class Dgram {
    private Dgram() {}

    /**
     * Node's {@code dgram.createSocket(type)}: an unbound socket on the calling thread's loop (the
     * default loop from any other thread).
     *
     * @param type {@code "udp4"} or {@code "udp6"}
     * @throws InvalidArgumentException {@code ERR_SOCKET_BAD_TYPE} for any other type
     */
    public static DatagramSocket createSocket(String type) {
        return createSocket(new DatagramOptions().type(type), null);
    }

    /** Node's {@code dgram.createSocket(type, callback)}: {@code onMessage} is added as a {@code MESSAGE} listener. */
    public static DatagramSocket createSocket(String type, BiConsumer<Buffer, RemoteInfo> onMessage) {
        return createSocket(new DatagramOptions().type(type), onMessage);
    }

    /** Node's {@code dgram.createSocket(options)}. */
    public static DatagramSocket createSocket(DatagramOptions options) {
        return createSocket(options, null);
    }

    /**
     * Node's {@code dgram.createSocket(options, callback)}: a socket with the type, address reuse,
     * IPv6-only mode and buffer sizes of {@code options} (read now; later changes to
     * {@code options} do not affect it).
     */
    public static DatagramSocket createSocket(DatagramOptions options, BiConsumer<Buffer, RemoteInfo> onMessage) {
        if (options == null) {
            throw InvalidArgumentException.invalidType("options", "of type object", null);
        }
        String type = options.type();
        if (!"udp4".equals(type) && !"udp6".equals(type)) {
            throw DgramErrors.badType();
        }
        DatagramSocket socket = new DatagramSocket(options.copy());
        if (onMessage != null) {
            socket.on(DatagramSocket.MESSAGE, onMessage);
        }
        return socket;
    }
}
