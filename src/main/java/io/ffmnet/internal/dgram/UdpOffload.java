package io.ffmnet.internal.dgram;

/**
 * The switches for UDP segmentation offload (udp(7), Linux 4.18+): {@code UDP_SEGMENT} lets one
 * {@code sendmsg} carry several datagrams of one size to one destination, which the kernel (or
 * the NIC) cuts apart; {@code UDP_GRO} lets one receive return several datagrams of one flow
 * coalesced, which {@link UdpHandle} cuts apart again so that each is its own {@code MESSAGE}.
 *
 * <p>{@code UDP_GRO} is on by default. It costs ordinary traffic nothing measurable: a datagram
 * not sent with {@code UDP_SEGMENT} arrives as before, and the room for the control message in
 * each receive header is allocated anyway ({@code bench/loadgen/udp_offload_micro.c 0 16 64 20000
 * 1} against {@code ... 0}, 16 x 64 B per batch over loopback: median ratio of CPU per datagram
 * 1.00 over 30 alternating pairs, from 0.75 to 1.24 on this shared machine). It takes no memory
 * of its own: only sockets whose receive slots already hold 64 KiB (the default) ask for it. And
 * where the peer sends with {@code UDP_SEGMENT} (QUIC stacks, another ffm-net) it halves the
 * kernel's work per datagram ({@code ... 1 16 64 20000 1} against {@code 0}: 0.51, sender
 * included). What could not be measured here: setting it turns on a kernel-wide static branch
 * ({@code udp_encap_needed_key}) under which a NIC's GRO looks up the socket of every UDP packet
 * while such a socket exists; {@code -Dio.ffmnet.udp.gro=false} opts out. {@code UDP_SEGMENT}
 * stays off by default: what it saves did not show through the
 * noise of an echo server's replies to a plain sender on this machine. Read once, when the class
 * loads.
 */
final class UdpOffload {
    /** {@code -Dio.ffmnet.udp.gso=true|false}: batch same-size datagrams to one peer with {@code UDP_SEGMENT}. */
    static final boolean GSO = Boolean.parseBoolean(System.getProperty("io.ffmnet.udp.gso", "false"));
    /** {@code -Dio.ffmnet.udp.gro=true|false}: accept coalesced datagrams with {@code UDP_GRO} (default true). */
    static final boolean GRO = Boolean.parseBoolean(System.getProperty("io.ffmnet.udp.gro", "true"));

    private UdpOffload() {}
}
