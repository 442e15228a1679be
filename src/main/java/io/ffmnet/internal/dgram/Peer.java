package io.ffmnet.internal.dgram;

/**
 * The address of a datagram's sender, or of a socket's own or connected end.
 *
 * @param address the IP address as text ({@code 127.0.0.1}, {@code ::1}, {@code fe80::1%2})
 * @param family  {@code AF_INET} or {@code AF_INET6}
 * @param port    the port
 */
public record Peer(String address, int family, int port) {
}
