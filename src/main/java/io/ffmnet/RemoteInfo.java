package io.ffmnet;

/**
 * Where a datagram came from: Node's {@code rinfo}, the second argument of a
 * {@link DatagramSocket#MESSAGE} listener.
 *
 * @param address the sender's IP address ({@code "127.0.0.1"}, {@code "::1"}); an IPv4 sender
 *                seen by a dual-stack {@code udp6} socket appears as {@code "::ffff:127.0.0.1"}
 * @param family  {@code "IPv4"} or {@code "IPv6"}
 * @param port    the sender's port
 * @param size    the datagram's size in bytes as sent. It equals the message buffer's length,
 *                except for a datagram larger than the socket's
 *                {@link DatagramOptions#maxMessageSize(int) maxMessageSize}: that one is delivered
 *                truncated, and {@code msg.length() < rinfo.size()} is how to tell
 */
public record RemoteInfo(String address, String family, int port, int size) {
    /** Whether {@code msg}, delivered with this info, holds less than the datagram that was sent. */
    public boolean truncated(Buffer msg) {
        return msg.length() < size;
    }
}
