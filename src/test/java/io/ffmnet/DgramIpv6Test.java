package io.ffmnet;

import io.ffmnet.internal.sys.SysConstants;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code udp6} sockets on {@code ::1} (test-dgram-ipv6only, test-dgram-udp6-send-default-host,
 * test-dgram-address): IPv6 addresses and families everywhere, dual stack on {@code ::}, and the
 * IPv6 options of the TTL setters.
 */
@Timeout(120)
class DgramIpv6Test {
    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    @AfterEach
    void closeSockets() {
        sockets.closeAll();
    }

    @Test
    void aDatagramTravelsOverIPv6Loopback() {
        DatagramSocket server = sockets.bound("udp6", "::1");
        assertEquals(new AddressInfo("::1", "IPv6", server.address().port()), server.address());
        DatagramSocket client = sockets.bound("udp6", "::1");
        int clientPort = client.address().port();
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            assertEquals("over v6", msg.toString());
            assertEquals(new RemoteInfo("::1", "IPv6", clientPort, 7), rinfo);
            server.send(msg, rinfo.port(), rinfo.address());
        }));
        client.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> assertEquals("over v6", msg.toString())));
        client.send("over v6", server.address().port(), "::1", mustCall((NetException e, Integer n) -> assertEquals(7, n)));
        awaitCalls();
    }

    @Test
    void theDefaultDestinationOfUdp6IsTheIPv6LoopbackAddress() {
        DatagramSocket server = sockets.bound("udp6", "::1");
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> assertEquals("::1", rinfo.address())));
        DatagramSocket client = sockets.add(Dgram.createSocket("udp6"));
        client.send("default", server.address().port());
        awaitCalls();
        assertEquals("::", client.address().address(), "the implicit bind of udp6 takes ::");
    }

    @Test
    void aDualStackSocketSeesIPv4SendersAsMappedAddresses() {
        DatagramSocket server = sockets.bound("udp6", "::");
        DatagramSocket v4 = sockets.bound4();
        int v4Port = v4.address().port();
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            assertEquals("::ffff:127.0.0.1", rinfo.address());
            assertEquals("IPv6", rinfo.family());
            assertEquals(v4Port, rinfo.port());
        }));
        v4.send("mapped", server.address().port(), "127.0.0.1");
        awaitCalls();
    }

    @Test
    void anIpv6OnlySocketTakesNoIPv4() {
        DatagramSocket server = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp6").ipv6Only(true)));
        DgramTestKit.listening(server, "::");
        assertEquals(1, server.intOption(SysConstants.IPPROTO_IPV6, SysConstants.IPV6_V6ONLY));
        // Nothing listens on the IPv4 side of the port, so the kernel refuses the datagram.
        DatagramSocket v4 = sockets.add(Dgram.createSocket("udp4"));
        v4.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("ECONNREFUSED", e.code())));
        v4.connect(server.address().port(), "127.0.0.1", mustCall((NetException e) -> v4.send("refused")));
        awaitCalls();
    }

    @Test
    void ipv6OnlyOnAUdp4SocketIsEINVAL() {
        DatagramSocket s = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").ipv6Only(true)));
        s.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("EINVAL", e.code())));
        s.bind(0, "127.0.0.1");
        awaitCalls();
    }

    @Test
    void anIPv4DestinationFromUdp6IsEINVALAsInNode() {
        DatagramSocket s = sockets.bound("udp6", "::1");
        s.send("x", 9, "127.0.0.1", mustCall((NetException e, Integer n) -> assertEquals("send EINVAL 127.0.0.1:9", e.getMessage())));
        awaitCalls();
    }

    @Test
    void theTtlSettersSetTheIPv6HopLimits() {
        DatagramSocket s = sockets.bound("udp6", "::1");
        s.setTTL(33);
        assertEquals(33, s.intOption(SysConstants.IPPROTO_IPV6, SysConstants.IPV6_UNICAST_HOPS));
        s.setMulticastTTL(9);
        assertEquals(9, s.intOption(SysConstants.IPPROTO_IPV6, SysConstants.IPV6_MULTICAST_HOPS));
        s.setMulticastLoopback(false);
        assertEquals(0, s.intOption(SysConstants.IPPROTO_IPV6, SysConstants.IPV6_MULTICAST_LOOP));
        assertEquals("setTTL EINVAL", assertThrows(NetException.class, () -> s.setTTL(0)).getMessage());
    }

    @Test
    void theMulticastInterfaceOfUdp6IsNamedByAZone() {
        DatagramSocket s = sockets.bound("udp6", "::1");
        s.setMulticastInterface("::%lo");
        assertEquals(1, s.intOption(SysConstants.IPPROTO_IPV6, SysConstants.IPV6_MULTICAST_IF), "lo is interface 1");
        s.setMulticastInterface("::");
        assertEquals(0, s.intOption(SysConstants.IPPROTO_IPV6, SysConstants.IPV6_MULTICAST_IF));
        assertEquals("setMulticastInterface ENODEV",
                assertThrows(NetException.class, () -> s.setMulticastInterface("::%no-such-if")).getMessage());
    }

    @Test
    void anIPv6GroupCanBeJoinedOnANamedInterface() {
        DatagramSocket s = sockets.bound("udp6", "::");
        s.addMembership("ff02::1:ff00:1234", "::%lo");
        s.dropMembership("ff02::1:ff00:1234", "::%lo");
        assertEquals("addMembership EINVAL", assertThrows(NetException.class, () -> s.addMembership("ff02::1", "lo")).getMessage());
    }
}
