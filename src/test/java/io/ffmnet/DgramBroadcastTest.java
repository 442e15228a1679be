package io.ffmnet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.ffmnet.DgramNodePeer.json;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real broadcast to another "host": a Node.js peer in a network namespace linked to this one by
 * a veth pair ({@link DgramNetns}), listening on the wildcard address as broadcast receivers do.
 * The broadcast address is the veth subnet's ({@code 10.215.n.255}), never the limited broadcast
 * address {@code 255.255.255.255}, which would leave by the default route.
 */
@Timeout(180)
class DgramBroadcastTest {
    private static DgramNetns netns;
    private static DgramNetns.Link link;

    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();
    private final List<DgramNodePeer> peers = new ArrayList<>();

    @BeforeAll
    static void makeNamespace() throws IOException {
        String reason = DgramNetns.unavailableReason();
        assumeTrue(reason == null, reason);
        assumeTrue(DgramNodePeer.available(), "node is not installed: the peer in the namespace is Node.js");
        netns = new DgramNetns();
        link = netns.link('c', 215);
    }

    @AfterAll
    static void deleteNamespace() {
        if (netns != null) {
            netns.close();
        }
    }

    @AfterEach
    void closeAll() {
        peers.forEach(DgramNodePeer::close);
        sockets.closeAll();
    }

    /** A Node peer on the wildcard address in the namespace, answering each datagram to its sender. */
    private DgramNodePeer listener() throws IOException {
        DgramNodePeer peer = new DgramNodePeer(link.netns(),
                "{\"type\":\"udp4\",\"bind\":{\"port\":0,\"address\":\"0.0.0.0\"},\"ack\":\"sender\",\"prefix\":\"ack:\"}");
        peers.add(peer);
        return peer;
    }

    @Test
    void withSetBroadcastADatagramToTheSubnetBroadcastAddressReachesTheOtherHost() throws IOException {
        DgramNodePeer peer = listener();
        DatagramSocket s = sockets.bound("udp4", link.hostAddress());
        s.setBroadcast(true);
        s.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            assertEquals("ack:to everyone", msg.toString());
            assertEquals(link.peerAddress(), rinfo.address());
            assertEquals(peer.port, rinfo.port());
        }));
        s.send("to everyone", peer.port, link.broadcast(), mustCall((NetException e, Integer n) -> {
            assertNull(e);
            assertEquals(11, n);
        }));
        awaitCalls();
        assertEquals("to everyone", peer.nextReceived());
    }

    @Test
    void withoutSetBroadcastTheKernelRefusesWithEACCES() throws IOException {
        DgramNodePeer peer = listener();
        DatagramSocket s = sockets.bound("udp4", link.hostAddress());
        s.on(DatagramSocket.ERROR, (NetException e) -> { });   // the callback gets the error, not the socket
        s.send("refused", peer.port, link.broadcast(), mustCall((NetException e, Integer n) -> {
            assertNull(n);
            assertEquals("EACCES", e.code());
            assertEquals(-13, e.errno());
            assertEquals("send", e.syscall());
            assertEquals(link.broadcast(), e.address());
            assertEquals(peer.port, e.port());
            assertEquals("send EACCES " + link.broadcast() + ":" + peer.port, e.getMessage());
        }));
        awaitCalls();
        s.setBroadcast(true);
        s.setBroadcast(false);
        s.send("refused again", peer.port, link.broadcast(),
                mustCall((NetException e, Integer n) -> assertEquals("EACCES", e.code())));
        awaitCalls();
    }

    /**
     * The seed's broadcast pair (seed 003, section 2.7): a client on the other host sends to the
     * server, which answers by broadcast to the client's port on the subnet.
     */
    @Test
    void theSeedsBroadcastServerAnswersAClientByBroadcast() throws IOException {
        DatagramSocket server = sockets.add(Dgram.createSocket("udp4"));
        server.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            Buffer reply = Buffer.from("已经接收客户端发送的数据" + msg);
            server.setBroadcast(true);
            server.send(reply, 0, reply.length(), rinfo.port(), link.broadcast());
            reply.release();
        });
        DgramTestKit.listening(server, link.hostAddress());
        DgramNodePeer client = new DgramNodePeer(link.netns(), "{\"type\":\"udp4\",\"bind\":{\"port\":0,\"address\":\"0.0.0.0\"},"
                + "\"send\":[{\"msg\":\"hello\",\"port\":" + server.address().port() + ",\"address\":" + json(link.hostAddress()) + "}]}");
        peers.add(client);
        assertEquals("已经接收客户端发送的数据hello", client.nextReceived());
    }
}
