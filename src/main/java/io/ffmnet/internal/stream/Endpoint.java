package io.ffmnet.internal.stream;

/**
 * One end of a connection as Node describes it.
 *
 * @param address the IP address as text, or a Unix socket path
 * @param family  {@code "IPv4"}, {@code "IPv6"} or {@code "unix"}
 * @param port    the port, or -1 for a Unix socket
 */
public record Endpoint(String address, String family, int port) {
}
