package io.ffmnet;

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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * ffm-net's dgram against Node.js's on loopback, both ways: Node servers answering ffm-net
 * clients and ffm-net servers answering Node clients, over IPv4 and IPv6, small and large.
 */
@Timeout(180)
class DgramInteropTest {
    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();
    private final List<DgramNodePeer> peers = new ArrayList<>();

    @BeforeAll
    static void needNode() {
        assumeTrue(DgramNodePeer.available(), "node is not installed");
    }

    @AfterEach
    void closeAll() {
        peers.forEach(DgramNodePeer::close);
        sockets.closeAll();
    }

    private DgramNodePeer nodeEcho(String type, String address) throws IOException {
        DgramNodePeer peer = new DgramNodePeer(null, "{\"type\":" + json(type) + ",\"bind\":{\"port\":0,\"address\":"
                + json(address) + "},\"ack\":\"sender\"}");
        peers.add(peer);
        return peer;
    }

    private DgramNodePeer nodeClient(String type, String bindAddress, String msg, int port, String address) throws IOException {
        DgramNodePeer peer = new DgramNodePeer(null, "{\"type\":" + json(type) + ",\"bind\":{\"port\":0,\"address\":"
                + json(bindAddress) + "},\"send\":[{\"msg\":" + json(msg) + ",\"port\":" + port + ",\"address\":" + json(address) + "}]}");
        peers.add(peer);
        return peer;
    }

    /** An ffm-net echo server: each datagram goes back to its sender, the received buffer as it is. */
    private DatagramSocket ffmEcho(String type, String address) {
        DatagramSocket server = sockets.add(Dgram.createSocket(type));
        server.on(DatagramSocket.MESSAGE, (msg, rinfo) -> server.send(msg, rinfo.port(), rinfo.address()));
        return DgramTestKit.listening(server, address);
    }

    @Test
    void aNodeServerAnswersAnFfmNetClient() throws IOException {
        DgramNodePeer node = nodeEcho("udp4", "127.0.0.1");
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        client.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            assertEquals("ping 你好", msg.toString());
            assertEquals(new RemoteInfo("127.0.0.1", "IPv4", node.port, 11), rinfo);
        }));
        client.send("ping 你好", node.port, "127.0.0.1");
        awaitCalls();
        assertEquals("ping 你好", node.nextReceived());
    }

    @Test
    void anFfmNetServerAnswersANodeClient() throws IOException {
        DatagramSocket server = ffmEcho("udp4", "127.0.0.1");
        DgramNodePeer node = nodeClient("udp4", "127.0.0.1", "from node", server.address().port(), "127.0.0.1");
        assertEquals("recv 127.0.0.1 " + server.address().port() + " 9 from node", node.nextMatching("recv "));
    }

    @Test
    void bothWaysOverIPv6() throws IOException {
        DgramNodePeer node = nodeEcho("udp6", "::1");
        DatagramSocket client = sockets.add(Dgram.createSocket("udp6"));
        client.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) ->
                assertEquals(new RemoteInfo("::1", "IPv6", node.port, 2), rinfo)));
        client.send("v6", node.port, "::1");
        awaitCalls();

        DatagramSocket server = ffmEcho("udp6", "::1");
        DgramNodePeer nodeClient = nodeClient("udp6", "::1", "node v6", server.address().port(), "::1");
        assertEquals("node v6", nodeClient.nextReceived());
    }

    @Test
    void aLargeDatagramCrossesWholeBothWays() throws IOException {
        String big = "0123456789".repeat(6_000);
        DgramNodePeer node = nodeEcho("udp4", "127.0.0.1");
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        client.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            assertEquals(60_000, rinfo.size());
            assertEquals(big, msg.toString());
        }));
        client.send(big, node.port, "127.0.0.1");
        awaitCalls();

        DatagramSocket server = ffmEcho("udp4", "127.0.0.1");
        DgramNodePeer nodeClient = nodeClient("udp4", "127.0.0.1", big, server.address().port(), "127.0.0.1");
        assertEquals(big, nodeClient.nextReceived());
    }

    @Test
    void aConnectedFfmNetSocketTalksToNode() throws IOException {
        DgramNodePeer node = nodeEcho("udp4", "127.0.0.1");
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        client.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> assertEquals("a list", msg.toString())));
        client.connect(node.port, "127.0.0.1", mustCall((NetException e) -> {
            Buffer a = Buffer.from("a ");
            Buffer b = Buffer.from("list");
            client.send(List.of(a, b));
            a.release();
            b.release();
        }));
        awaitCalls();
        assertEquals("a list", node.nextReceived());
    }

    @Test
    void manyDatagramsFromNodeAllArriveInOrderOnLoopback() throws IOException {
        DatagramSocket server = sockets.add(Dgram.createSocket("udp4"));
        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        int count = 100;   // a burst that fits the default receive buffer: UDP drops what does not
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> got.add(msg.toString()), count));
        DgramTestKit.listening(server, "127.0.0.1");
        StringBuilder sends = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sends.append(i == 0 ? "" : ",").append("{\"msg\":\"").append(i).append("\",\"port\":")
                    .append(server.address().port()).append(",\"address\":\"127.0.0.1\"}");
        }
        peers.add(new DgramNodePeer(null, "{\"type\":\"udp4\",\"send\":[" + sends + "]}"));
        awaitCalls();
        for (int i = 0; i < count; i++) {
            assertEquals(Integer.toString(i), got.get(i));
        }
    }
}
