package io.ffmnet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.ffmnet.DgramTestKit.onLoop;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Node's {@code socket.connect()}, {@code disconnect()} and {@code remoteAddress()}
 * (test-dgram-connect*, test-dgram-connect-send-*, test-dgram-address): state errors thrown at
 * once, connect failures reported later, the kernel's filtering of other peers.
 */
@Timeout(120)
class DgramConnectTest {
    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    @AfterEach
    void closeSockets() {
        sockets.closeAll();
    }

    @Test
    void aConnectedSocketSendsWithoutAnAddressAndKnowsItsPeer() {
        DatagramSocket server = sockets.bound4();
        int port = server.address().port();
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> assertEquals("to peer", msg.toString())));
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        client.on(DatagramSocket.CONNECT, mustCall(() -> {}));
        client.connect(port, "127.0.0.1", mustCall((NetException e) -> {
            assertNull(e);
            assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), client.remoteAddress());
            assertEquals("127.0.0.1", client.address().address());
            client.send("to peer", mustCall((NetException err, Integer n) -> assertEquals(7, n)));
        }));
        awaitCalls();
    }

    @Test
    void connectBeforeBindBindsFirstThenConnects() {
        DatagramSocket server = sockets.bound4();
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        client.on(DatagramSocket.LISTENING, mustCall(() -> order.add("listening")));
        client.on(DatagramSocket.CONNECT, mustCall(() -> order.add("connect")));
        client.connect(server.address().port());   // no address: the loopback address
        awaitCalls();
        assertEquals(List.of("listening", "connect"), order);
        assertEquals("127.0.0.1", client.remoteAddress().address());
    }

    @Test
    void aHostNameIsResolvedForConnect() {
        DatagramSocket server = sockets.bound4();
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        client.connect(server.address().port(), "localhost",
                mustCall((NetException e) -> assertEquals("127.0.0.1", client.remoteAddress().address())));
        awaitCalls();
    }

    @Test
    void stateErrorsAreThrownAtOnce() {
        DatagramSocket server = sockets.bound4();
        int port = server.address().port();
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", assertThrows(InvalidStateException.class, client::remoteAddress).code());
        InvalidStateException notConnected = assertThrows(InvalidStateException.class, client::disconnect);
        assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", notConnected.code());
        assertEquals("Not connected", notConnected.getMessage());
        InvalidArgumentException badPort = assertThrows(InvalidArgumentException.class, () -> client.connect(0));
        assertEquals("Port should be > 0 and < 65536. Received type number (0).", badPort.getMessage());

        client.connect(port, "127.0.0.1", mustCall((NetException e) -> {}));
        InvalidStateException connecting = assertThrows(InvalidStateException.class, () -> client.connect(port));
        assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED", connecting.code());
        assertEquals("Already connected", connecting.getMessage());
        awaitCalls();
        assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED",
                assertThrows(InvalidStateException.class, () -> client.send("x", port, "127.0.0.1")).code());
        assertEquals("ERR_SOCKET_DGRAM_IS_CONNECTED",
                assertThrows(InvalidStateException.class, () -> client.send("x", port)).code());
    }

    @Test
    void disconnectDissolvesTheAssociation() {
        DatagramSocket server = sockets.bound4();
        int port = server.address().port();
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        client.connect(port, "127.0.0.1", mustCall((NetException e) -> {}));
        awaitCalls();
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> assertEquals("after", msg.toString())));
        client.disconnect();
        assertEquals("ERR_SOCKET_DGRAM_NOT_CONNECTED", assertThrows(InvalidStateException.class, client::remoteAddress).code());
        assertEquals("ERR_SOCKET_BAD_PORT", assertThrows(InvalidArgumentException.class, () -> client.send("x")).code());
        client.send("after", port, "127.0.0.1");
        awaitCalls();
        client.connect(port, "127.0.0.1", mustCall((NetException e) -> assertNull(e)));   // and again
        awaitCalls();
    }

    @Test
    void theKernelDropsDatagramsFromOtherPeersOfAConnectedSocket() {
        DatagramSocket peer = sockets.bound4();
        DatagramSocket stranger = sockets.bound4();
        DatagramSocket client = sockets.bound4();
        client.connect(peer.address().port(), "127.0.0.1", mustCall((NetException e) -> {}));
        awaitCalls();
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        Runnable fromPeer = mustCall(() -> {});
        int peerPort = peer.address().port();
        client.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            got.add(msg.toString());
            if (rinfo.port() == peerPort) {
                fromPeer.run();
            }
        });
        int clientPort = client.address().port();
        stranger.send("stranger", clientPort, "127.0.0.1", mustCall((NetException e, Integer n) -> {
            peer.send("peer", clientPort, "127.0.0.1");   // after the stranger's datagram was sent
        }));
        awaitCalls();
        assertEquals(List.of("peer"), got);
    }

    @Test
    void aPortNobodyListensOnIsAnECONNREFUSEDErrorFromRecvmsg() {
        DatagramSocket gone = sockets.bound4();
        int port = gone.address().port();
        gone.close();
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        client.on(DatagramSocket.ERROR, mustCall((NetException e) -> {
            assertEquals("ECONNREFUSED", e.code());
            assertEquals("recvmsg", e.syscall());
            assertEquals("recvmsg ECONNREFUSED", e.getMessage());
        }));
        client.connect(port, "127.0.0.1", mustCall((NetException e) ->
                client.send("anyone?", mustCall((NetException err, Integer n) -> assertEquals(7, n)))));
        awaitCalls();
    }

    @Test
    void aConnectFailureGoesToTheCallbackOrElseToAnErrorEvent() {
        DatagramSocket withCallback = sockets.add(Dgram.createSocket("udp4"));
        withCallback.on(DatagramSocket.ERROR, mustNotCall());
        withCallback.on(DatagramSocket.CONNECT, mustNotCall());
        withCallback.connect(9, "::1", mustCall((NetException e) -> {
            assertEquals("EINVAL", e.code());
            assertEquals("connect EINVAL ::1:9", e.getMessage());
        }));
        awaitCalls();
        assertEquals(1, withCallback.listenerCount(DatagramSocket.CONNECT), "the callback was taken off CONNECT");

        DatagramSocket withoutCallback = sockets.add(Dgram.createSocket("udp4"));
        withoutCallback.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("EINVAL", e.code())));
        withoutCallback.connect(9, "::1");
        awaitCalls();
        withoutCallback.connect(9, "127.0.0.1", mustCall((NetException e) -> assertNull(e)));   // state is back to disconnected
        awaitCalls();
    }

    @Test
    void connectAndSendFromTheLoopThreadKeepTheirOrder() {
        DatagramSocket server = sockets.bound4();
        int port = server.address().port();
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> got.add(msg.toString()), 2));
        DatagramSocket client = sockets.add(Dgram.createSocket("udp4"));
        onLoop(() -> client.connect(port, "127.0.0.1", (NetException e) -> {
            client.send("first");
            client.send("second");
        }));
        awaitCalls();
        assertEquals(List.of("first", "second"), got);
    }

    @Test
    void connectOnAClosedSocketThrowsNotRunning() {
        DatagramSocket s = Dgram.createSocket("udp4");
        s.close(mustCall(() -> {}));
        assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", assertThrows(InvalidStateException.class, () -> s.connect(9)).code());
        assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", assertThrows(InvalidStateException.class, s::disconnect).code());
        assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", assertThrows(InvalidStateException.class, s::remoteAddress).code());
        awaitCalls();
    }
}
