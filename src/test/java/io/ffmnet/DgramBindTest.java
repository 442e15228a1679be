package io.ffmnet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.ffmnet.DgramTestKit.onLoop;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code socket.bind()} in every shape (test-dgram-bind*, test-dgram-address,
 * test-dgram-listen-after-bind, test-dgram-error-message-address): LISTENING comes later,
 * failures are ERROR events with Node's wording, wrong calls throw at once.
 */
@Timeout(120)
class DgramBindTest {
    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    @AfterEach
    void closeSockets() {
        sockets.closeAll();
    }

    @Test
    void bindWithNoArgumentsListensOnEveryAddressAndAKernelChosenPort() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.on(DatagramSocket.LISTENING, mustCall(() -> {
            AddressInfo a = s.address();
            assertEquals("0.0.0.0", a.address());
            assertEquals("IPv4", a.family());
            assertTrue(a.port() > 0, "port " + a.port());
        }));
        assertSame(s, s.bind());
        awaitCalls();
    }

    @Test
    void listeningIsEmittedAfterBindReturnsEvenOnTheLoopThread() {
        AtomicBoolean returned = new AtomicBoolean();
        Runnable listening = mustCall(() -> assertTrue(returned.get(), "LISTENING inside bind()"));
        onLoop(() -> {
            DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
            s.bind(0, "127.0.0.1", listening);
            returned.set(true);
        });
        awaitCalls();
    }

    @Test
    void bindToAnAddressReportsItInAddress() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.bind(0, "127.0.0.1", mustCall(() -> assertEquals("127.0.0.1", s.address().address())));
        awaitCalls();
    }

    @Test
    void bindWithOptionsTakesPortAndAddress() {
        DatagramSocket probe = sockets.bound4();
        int port = probe.address().port();
        probe.close();
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.bind(new BindOptions().port(port).address("127.0.0.1").exclusive(true),
                mustCall(() -> assertEquals(new AddressInfo("127.0.0.1", "IPv4", port), s.address())));
        awaitCalls();
    }

    @Test
    void aHostNameIsResolvedBeforeBinding() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.bind(0, "localhost", mustCall(() -> assertEquals("127.0.0.1", s.address().address())));
        awaitCalls();
    }

    @Test
    void aSecondBindThrowsAlreadyBoundEvenBeforeTheFirstFinished() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.bind(0, "127.0.0.1", mustCall(() -> {}));
        InvalidStateException e = assertThrows(InvalidStateException.class, () -> s.bind(0));
        assertEquals("ERR_SOCKET_ALREADY_BOUND", e.code());
        assertEquals("Socket is already bound", e.getMessage());
        awaitCalls();
        assertEquals("ERR_SOCKET_ALREADY_BOUND", assertThrows(InvalidStateException.class, s::bind).code());
    }

    @Test
    void aPortOutsideTheRangeThrowsBadPort() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> s.bind(65536));
        assertEquals("ERR_SOCKET_BAD_PORT", e.code());
        assertEquals("Port should be >= 0 and < 65536. Received type number (65536).", e.getMessage());
        assertEquals("ERR_SOCKET_BAD_PORT", assertThrows(InvalidArgumentException.class, () -> s.bind(-1)).code());
        s.bind(0, mustCall(() -> {}));   // the failed calls changed nothing
        awaitCalls();
    }

    @Test
    void aPortInUseIsAnErrorEventWithNodesMessageAndTheSocketCanBindAgain() {
        DatagramSocket taken = sockets.bound4();
        int port = taken.address().port();
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.on(DatagramSocket.ERROR, mustCall((NetException e) -> {
            assertEquals("EADDRINUSE", e.code());
            assertEquals(-98, e.errno());
            assertEquals("bind", e.syscall());
            assertEquals("127.0.0.1", e.address());
            assertEquals(port, e.port());
            assertEquals("bind EADDRINUSE 127.0.0.1:" + port, e.getMessage());
        }));
        s.bind(port, "127.0.0.1", mustNotCall());
        awaitCalls();
        assertEquals(0, s.listenerCount(DatagramSocket.LISTENING), "the bind callback was taken off");
        s.bind(0, "127.0.0.1", mustCall(() -> {}));
        awaitCalls();
    }

    @Test
    void anAddressNotOnThisHostIsEADDRNOTAVAILWithoutAPortInTheMessage() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.on(DatagramSocket.ERROR, mustCall((NetException e) -> {
            assertEquals("EADDRNOTAVAIL", e.code());
            assertEquals("bind EADDRNOTAVAIL 192.0.2.1", e.getMessage());
            assertEquals(-1, e.port());
        }));
        s.bind(0, "192.0.2.1");   // TEST-NET-1: never assigned to a host
        awaitCalls();
    }

    @Test
    void anAddressOfTheOtherFamilyIsEINVAL() {
        DatagramSocket v4 = sockets.add(Dgram.createSocket("udp4"));
        v4.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("bind EINVAL ::1:1234", e.getMessage())));
        v4.bind(1234, "::1");
        DatagramSocket v6 = sockets.add(Dgram.createSocket("udp6"));
        v6.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("bind EINVAL 127.0.0.1", e.getMessage())));
        v6.bind(0, "127.0.0.1");
        awaitCalls();
    }

    @Test
    void aNameThatDoesNotResolveIsAnENOTFOUNDErrorEvent() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.on(DatagramSocket.ERROR, mustCall((NetException e) -> {
            assertEquals("getaddrinfo", e.syscall());
            assertEquals("nonexistent.invalid", e.hostname());
            assertTrue(e.code().equals("ENOTFOUND") || e.code().equals("EAI_AGAIN"), e.code());
        }));
        s.bind(0, "nonexistent.invalid");
        awaitCalls();
    }

    @Test
    void anErrorWithNoListenerGoesToTheUncaughtHandlerAndClosesTheSocket() {
        DatagramSocket taken = sockets.bound4();
        List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
        Runnable closed = mustCall(() -> {});
        EventLoop.getDefault().setUncaughtExceptionHandler(uncaught::add);
        try {
            DatagramSocket s = Dgram.createSocket("udp4");
            s.on(DatagramSocket.CLOSE, closed);
            s.bind(taken.address().port(), "127.0.0.1");
            awaitCalls();
            assertEquals(1, uncaught.size(), uncaught.toString());
            assertEquals("EADDRINUSE", ((NetException) uncaught.get(0)).code());
            assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", assertThrows(InvalidStateException.class, s::close).code());
        } finally {
            EventLoop.getDefault().setUncaughtExceptionHandler(io.ffmnet.testing.Must::fail);
        }
    }

    @Test
    void reuseAddrLetsTwoSocketsBindTheSamePort() {
        DatagramSocket first = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").reuseAddr(true)));
        first.bind(0, "127.0.0.1", mustCall(() -> {}));
        awaitCalls();
        int port = first.address().port();
        DatagramSocket second = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").reuseAddr(true)));
        second.on(DatagramSocket.ERROR, mustNotCall());
        second.bind(port, "127.0.0.1", mustCall(() -> assertEquals(port, second.address().port())));
        awaitCalls();
    }

    @Test
    void reusePortLetsTwoSocketsBindTheSamePort() {
        DatagramSocket first = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").reusePort(true)));
        first.bind(0, "127.0.0.1", mustCall(() -> {}));
        awaitCalls();
        int port = first.address().port();
        DatagramSocket second = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").reusePort(true)));
        second.on(DatagramSocket.ERROR, mustNotCall());
        second.bind(port, "127.0.0.1", mustCall(() -> assertEquals(port, second.address().port())));
        awaitCalls();
    }

    @Test
    void withoutReuseTheSecondBindOfAPortFails() {
        DatagramSocket first = sockets.bound4();
        DatagramSocket second = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").reuseAddr(true)));
        second.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("EADDRINUSE", e.code())));
        second.bind(first.address().port(), "127.0.0.1");
        awaitCalls();
    }

    @Test
    void aBadTypeThrowsBadType() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Dgram.createSocket("udp5"));
        assertEquals("ERR_SOCKET_BAD_TYPE", e.code());
        assertEquals("Bad socket type specified. Valid types are: udp4, udp6", e.getMessage());
        assertEquals("ERR_SOCKET_BAD_TYPE",
                assertThrows(InvalidArgumentException.class, () -> Dgram.createSocket(new DatagramOptions())).code());
    }

    @Test
    void createSocketWithAListenerAddsItForMessages() {
        DatagramSocket receiver = sockets.add(Dgram.createSocket("udp4",
                mustCall((Buffer msg, RemoteInfo rinfo) -> assertEquals("hi", msg.toString()))));
        DgramTestKit.listening(receiver, "127.0.0.1");
        DatagramSocket sender = sockets.add(Dgram.createSocket("udp4"));
        sender.send("hi", receiver.address().port(), "127.0.0.1");
        awaitCalls();
    }

    @Test
    void bindAfterCloseThrowsNotRunning() {
        DatagramSocket s = Dgram.createSocket("udp4");
        s.close(mustCall(() -> {}));
        InvalidStateException e = assertThrows(InvalidStateException.class, () -> s.bind(0));
        assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", e.code());
        assertEquals("Not running", e.getMessage());
        awaitCalls();
    }

    @Test
    void closingWhileTheBindIsInFlightEmitsCloseAndNoListening() {
        DatagramSocket s = Dgram.createSocket("udp4");
        s.on(DatagramSocket.LISTENING, mustNotCall());
        s.on(DatagramSocket.ERROR, mustNotCall());
        onLoop(() -> {
            s.bind(0, "127.0.0.1");
            s.close(mustCall(() -> {}));
        });
        awaitCalls();
    }
}
