package io.ffmnet.internal.dgram;

/**
 * The switches for UDP segmentation offload (udp(7), Linux 4.18+): {@code UDP_SEGMENT} lets one
 * {@code sendmsg} carry several datagrams of one size to one destination, which the kernel (or
 * the NIC) cuts apart; {@code UDP_GRO} lets one receive return several datagrams of one flow
 * coalesced, which {@link UdpHandle} cuts apart again so that each is its own {@code MESSAGE}.
 *
 * <p>Both save per-datagram work in the kernel's stack only where datagrams actually travel as
 * one unit: through a NIC that segments and coalesces. On loopback the measured effect is in
 * README.md; the defaults follow it. Read once, when the class loads.
 */
final class UdpOffload {
    /** {@code -Dio.ffmnet.udp.gso=true|false}: batch same-size datagrams to one peer with {@code UDP_SEGMENT}. */
    static final boolean GSO = Boolean.parseBoolean(System.getProperty("io.ffmnet.udp.gso", "false"));
    /** {@code -Dio.ffmnet.udp.gro=true|false}: accept coalesced datagrams with {@code UDP_GRO}. */
    static final boolean GRO = Boolean.parseBoolean(System.getProperty("io.ffmnet.udp.gro", "false"));

    private UdpOffload() {}
}
