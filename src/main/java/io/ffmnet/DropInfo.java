package io.ffmnet;

/**
 * The argument of {@code Server.DROP}: the connection that {@code maxConnections} turned away.
 * For a Unix domain server the addresses are null and the ports -1.
 */
public record DropInfo(String localAddress, int localPort, String localFamily,
                       String remoteAddress, int remotePort, String remoteFamily) {
}
