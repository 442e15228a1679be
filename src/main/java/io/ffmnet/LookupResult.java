package io.ffmnet;

/**
 * The argument of {@code Socket.LOOKUP}: Node's {@code (err, address, family, host)}.
 *
 * @param error   the lookup error, or null on success
 * @param address the address the socket connects to first, or null on error
 * @param family  {@code "IPv4"} or {@code "IPv6"}, or null on error
 * @param host    the host name that was looked up
 */
public record LookupResult(NetException error, String address, String family, String host) {
}
