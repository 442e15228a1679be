package io.ffmnet;

import io.ffmnet.internal.sys.SysConstants;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.ffmnet.DgramNodePeer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real IP multicast between "hosts": this JVM and Node.js peers in two network namespaces, each
 * linked to this one by a veth pair ({@link DgramNetns}). Every multicast datagram the tests send
 * leaves through an interface chosen with {@code setMulticastInterface} (the veths), so nothing
 * goes beyond this machine's namespaces.
 *
 * <p>No test waits for something not to happen. A datagram that must not arrive is checked
 * against a later one on the same path: each Node peer acknowledges what it receives, in order,
 * to the member socket here, so once the acknowledgement of a later datagram has arrived, an
 * earlier one that was (wrongly) delivered would have arrived before it.
 */
@Timeout(180)
class DgramMulticastTest {
    private static DgramNetns netns;
    private static DgramNetns.Link a;
    private static DgramNetns.Link b;
    private static String group;

    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();
    private final List<DgramNodePeer> peers = new ArrayList<>();

    @BeforeAll
    static void makeNamespaces() throws IOException {
        String reason = DgramNetns.unavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(DgramNodePeer.available(), "node is not installed: the peers in the namespaces are Node.js");
        netns = new DgramNetns();
        a = netns.link('a', 213);
        b = netns.link('b', 214);
        group = "239.213." + netns.n() + ".1";   // administratively scoped (RFC 2365)
    }

    @AfterAll
    static void deleteNamespaces() {
        if (netns != null) {
            netns.close();
        }
    }

    @AfterEach
    void closeAll() {
        peers.forEach(DgramNodePeer::close);
        sockets.closeAll();
    }

    /** A socket here that queues the text of what it receives. */
    private final class Member {
        final DatagramSocket socket;
        final int port;
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<RemoteInfo> senders = new LinkedBlockingQueue<>();

        Member() {
            socket = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").reuseAddr(true)));
            socket.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
                senders.add(rinfo);
                received.add(msg.toString());
            });
            DgramTestKit.listening(socket, "0.0.0.0");
            port = socket.address().port();
        }

        String next() {
            try {
                String text = received.poll(60, TimeUnit.SECONDS);   // a hang guard, not a measurement
                assertNotNull(text, "nothing arrived");
                return text;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        /** Everything received up to and including {@code last}. */
        List<String> until(String last) {
            List<String> got = new ArrayList<>();
            String text;
            do {
                text = next();
                got.add(text);
            } while (!text.equals(last));
            return got;
        }
    }

    /** A Node member of the group in {@code link}'s namespace, acknowledging to {@code ackPort} here. */
    private DgramNodePeer groupPeer(DgramNetns.Link link, int port, int ackPort, String prefix) throws IOException {
        DgramNodePeer peer = new DgramNodePeer(link.netns(), "{\"type\":\"udp4\",\"bind\":{\"port\":" + port
                + ",\"address\":\"0.0.0.0\"},\"join\":[{\"group\":" + json(group) + ",\"iface\":" + json(link.peerAddress())
                + "}],\"ack\":{\"port\":" + ackPort + ",\"address\":" + json(link.hostAddress()) + "},\"prefix\":" + json(prefix) + "}");
        peers.add(peer);
        return peer;
    }

    /** A socket here whose multicast leaves through {@code link}'s veth. */
    private DatagramSocket sender(DgramNetns.Link link) {
        DatagramSocket s = sockets.bound("udp4", "0.0.0.0");
        s.setMulticastInterface(link.hostAddress());
        return s;
    }

    @Test
    void aMemberReceivesWhatAnotherHostSendsToTheGroup() throws IOException {
        Member member = new Member();
        member.socket.addMembership(group, a.hostAddress());
        peers.add(new DgramNodePeer(a.netns(), "{\"type\":\"udp4\",\"multicastInterface\":" + json(a.peerAddress())
                + ",\"send\":[{\"msg\":\"from the namespace\",\"port\":" + member.port + ",\"address\":" + json(group) + "}]}"));
        assertEquals("from the namespace", member.next());
        RemoteInfo from = member.senders.poll();
        assertEquals(a.peerAddress(), from.address());
        assertEquals("IPv4", from.family());
    }

    @Test
    void withLoopbackOnTheSendersOwnHostReceivesItsGroupTrafficAndWithItOffNot() throws IOException {
        Member member = new Member();
        member.socket.addMembership(group, a.hostAddress());
        groupPeer(a, member.port, member.port, "a:");
        DatagramSocket sender = sender(a);

        sender.send("loop on", member.port, group);
        List<String> first = member.until("a:loop on");
        assertEquals(List.of("a:loop on", "loop on"), first.stream().sorted().toList());

        sender.setMulticastLoopback(false);
        sender.send("loop off", member.port, group);
        assertEquals(List.of("a:loop off"), member.until("a:loop off"),
                "the group copy for this host must not come before the peer's acknowledgement");
    }

    @Test
    void afterDropMembershipTheSocketNoLongerReceivesTheGroup() throws IOException {
        Member member = new Member();
        member.socket.addMembership(group, a.hostAddress());
        groupPeer(a, member.port, member.port, "a:");
        DatagramSocket sender = sender(a);

        sender.send("joined", member.port, group);
        assertEquals(List.of("a:joined", "joined"), member.until("a:joined").stream().sorted().toList());

        member.socket.dropMembership(group, a.hostAddress());
        sender.send("dropped", member.port, group);
        assertEquals(List.of("a:dropped"), member.until("a:dropped"));
    }

    @Test
    void theMulticastTtlIsAppliedAndZeroKeepsDatagramsOnThisHost() throws IOException {
        Member member = new Member();
        member.socket.addMembership(group, a.hostAddress());
        groupPeer(a, member.port, member.port, "a:");
        DatagramSocket sender = sender(a);

        sender.setMulticastTTL(0);
        assertEquals(0, sender.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_MULTICAST_TTL));
        sender.send("ttl 0", member.port, group);
        sender.setMulticastTTL(1);
        assertEquals(1, sender.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_MULTICAST_TTL));
        sender.send("ttl 1", member.port, group);

        List<String> got = member.until("a:ttl 1");
        assertFalse(got.contains("a:ttl 0"), "a datagram with TTL 0 left the host: " + got);
        assertEquals(List.of("a:ttl 1", "ttl 0", "ttl 1"), got.stream().sorted().toList());
    }

    @Test
    void setMulticastInterfaceChoosesWhichLinkTheGroupTrafficLeavesBy() throws IOException {
        Member member = new Member();
        groupPeer(a, member.port, member.port, "a:");
        groupPeer(b, member.port, member.port, "b:");
        DatagramSocket sender = sockets.bound("udp4", "0.0.0.0");
        sender.setMulticastLoopback(false);

        sender.setMulticastInterface(a.hostAddress());
        sender.send("via a", member.port, group);
        sender.setMulticastInterface(b.hostAddress());
        sender.send("via b", member.port, group);
        sender.setMulticastInterface(a.hostAddress());
        sender.send("end a", member.port, group);
        sender.setMulticastInterface(b.hostAddress());
        sender.send("end b", member.port, group);

        List<String> got = new ArrayList<>();
        while (!(got.contains("a:end a") && got.contains("b:end b"))) {
            got.add(member.next());
        }
        assertEquals(List.of("a:end a", "a:via a", "b:end b", "b:via b"), got.stream().sorted().toList(),
                "each peer heard only what left by its own link");
    }

    @Test
    void aMemberJoinedOnOneInterfaceDoesNotHearTheGroupOnAnother() throws IOException {
        Member member = new Member();
        member.socket.addMembership(group, b.hostAddress());
        // A peer in a's namespace sends to the group on link a, then to the member directly.
        peers.add(new DgramNodePeer(a.netns(), "{\"type\":\"udp4\",\"multicastInterface\":" + json(a.peerAddress())
                + ",\"send\":[{\"msg\":\"group on a\",\"port\":" + member.port + ",\"address\":" + json(group) + "},"
                + "{\"msg\":\"marker\",\"port\":" + member.port + ",\"address\":" + json(a.hostAddress()) + "}]}"));
        assertEquals("marker", member.next(), "the group datagram on link a reached a member joined on link b");
    }

    @Test
    void ipv6GroupsWorkBothWaysWithInterfacesNamedByZone() throws IOException {
        String group6 = "ff15::213:" + Integer.toHexString(netns.n());   // site-local scope
        String hostZone = "::%" + a.hostInterface();
        DatagramSocket member = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp6").reuseAddr(true)));
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        member.on(DatagramSocket.MESSAGE, (msg, rinfo) -> got.add(msg + " from " + rinfo.address() + " " + rinfo.family()));
        DgramTestKit.listening(member, "::");
        member.addMembership(group6, hostZone);
        peers.add(new DgramNodePeer(a.netns(), "{\"type\":\"udp6\",\"multicastInterface\":" + json("::%" + a.peerInterface())
                + ",\"send\":[{\"msg\":\"v6 in\",\"port\":" + member.address().port() + ",\"address\":" + json(group6) + "}]}"));
        assertEquals("v6 in from " + a.peerAddress6() + " IPv6", poll(got));

        DgramNodePeer peer = new DgramNodePeer(a.netns(), "{\"type\":\"udp6\",\"bind\":{\"port\":0,\"address\":\"::\"},"
                + "\"join\":[{\"group\":" + json(group6) + ",\"iface\":" + json("::%" + a.peerInterface()) + "}],"
                + "\"ack\":\"sender\",\"prefix\":\"ack:\"}");
        peers.add(peer);
        DatagramSocket sender = sockets.bound("udp6", "::");
        sender.on(DatagramSocket.MESSAGE, (msg, rinfo) -> got.add(msg.toString()));
        sender.setMulticastInterface(hostZone);
        sender.send("v6 out", peer.port, group6);
        assertEquals("ack:v6 out", poll(got));
        assertEquals("v6 out", peer.nextReceived());
    }

    private static String poll(LinkedBlockingQueue<String> queue) {
        try {
            String s = queue.poll(60, TimeUnit.SECONDS);   // a hang guard, not a measurement
            assertNotNull(s, "nothing arrived");
            return s;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
