package io.ffmnet;

/**
 * What {@code server.address()}, {@code socket.address()} and {@code dgramSocket.address()}
 * return: Node's {@code { address, family, port }}.
 *
 * @param address the IP address as text ({@code "127.0.0.1"}, {@code "::1"}), or the path of a
 *                Unix domain socket
 * @param family  {@code "IPv4"}, {@code "IPv6"}, or {@code "unix"} for a Unix domain socket
 * @param port    the port, or -1 for a Unix domain socket
 */
public record AddressInfo(String address, String family, int port) {
}
