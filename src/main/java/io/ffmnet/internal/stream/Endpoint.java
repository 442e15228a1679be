package io.ffmnet.internal.stream;

import io.ffmnet.internal.sys.SockAddr;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One end of a connection as Node describes it: the address as text, the family and the port.
 *
 * <p>An accepted connection's peer is an IPv4 sockaddr of 16 bytes, kept as two longs and turned
 * into text only when asked for: a server with 100,000 idle connections whose addresses nobody
 * reads keeps no strings for them, and accepting one makes none.
 */
public final class Endpoint {
    /** Bytes of a sockaddr kept raw: all of a sockaddr_in. */
    static final int RAW_SIZE = 2 * Long.BYTES;

    private final String family;
    private final int port;
    /** The address as text; null until first asked for when the sockaddr is kept raw. */
    private String address;
    private final long raw0;
    private final long raw1;

    /**
     * @param address the IP address as text, or a Unix socket path
     * @param family  {@code "IPv4"}, {@code "IPv6"} or {@code "unix"}
     * @param port    the port, or -1 for a Unix socket
     */
    public Endpoint(String address, String family, int port) {
        this(address, family, port, 0, 0);
    }

    private Endpoint(String address, String family, int port, long raw0, long raw1) {
        this.address = address;
        this.family = family;
        this.port = port;
        this.raw0 = raw0;
        this.raw1 = raw1;
    }

    /** An IPv4 sockaddr of at most {@link #RAW_SIZE} bytes, its address kept raw until asked for. */
    static Endpoint ipv4(MemorySegment sockaddr) {
        return new Endpoint(null, SockAddr.familyName(AF_INET), SockAddr.port(sockaddr),
                sockaddr.get(JAVA_LONG_UNALIGNED, 0), sockaddr.get(JAVA_LONG_UNALIGNED, Long.BYTES));
    }

    /** The IP address as text, or a Unix socket path. Any thread: the text is made at most a few times. */
    public String address() {
        String a = address;
        if (a == null) {
            a = SockAddr.address(MemorySegment.ofArray(new long[] {raw0, raw1}), RAW_SIZE);
            address = a;
        }
        return a;
    }

    /** {@code "IPv4"}, {@code "IPv6"} or {@code "unix"}. */
    public String family() {
        return family;
    }

    /** The port, or -1 for a Unix socket. */
    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && port == e.port && family.equals(e.family) && address().equals(e.address());
    }

    @Override
    public int hashCode() {
        return Objects.hash(address(), family, port);
    }

    @Override
    public String toString() {
        return "Endpoint[address=" + address() + ", family=" + family + ", port=" + port + "]";
    }
}
