package io.ffmnet;

import io.ffmnet.internal.sys.SysConstants;
import io.ffmnet.testing.Processes;
import io.ffmnet.testing.Must;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DatagramOptions#loops(int)}: one {@code SO_REUSEPORT} socket per loop on one port; the
 * kernel spreads flows over them, each loop delivers what its socket received and answers
 * through it; options reach every socket; close closes them all, once.
 */
@Timeout(120)
class DgramLoopsTest {
    private static final int LOOPS = 4;

    /**
     * The group's extra loops live as long as the JVM, as the default loop does: started while
     * this field is initialized, before the leak check takes its baseline of descriptors.
     */
    @RegisterExtension
    static final Extension START_GROUP_FIRST = startGroup();

    private static Extension startGroup() {
        EventLoop.group(LOOPS);
        return new Extension() {};
    }

    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    @BeforeEach
    void failuresOnEveryLoopFailTheTest() {
        EventLoop.group(LOOPS).forEach(l -> l.setUncaughtExceptionHandler(Must::fail));
    }

    @AfterEach
    void closeSockets() {
        sockets.closeAll();
    }

    private DatagramSocket group(int loops) {
        return sockets.add(Dgram.createSocket(new DatagramOptions().type("udp4").loops(loops)));
    }

    private static boolean onGroupLoop() {
        return EventLoop.group(LOOPS).stream().anyMatch(EventLoop::inEventLoop);
    }

    @Test
    void whenALaterSocketOfTheGroupCannotBeMadeTheErrorIsEmittedOnceAndEverySocketCloses() throws Exception {
        assertEquals(List.of("error EMFILE bind", "close after 1 error", "leaked {}"),
                Processes.runJavaMain(DgramLoopsBindFailMain.class, 60));
    }

    @Test
    void manyFlowsAreEchoedFromSeveralLoopThreadsWithoutAHop() throws Exception {
        DatagramSocket server = group(LOOPS);
        Set<String> receivedOn = ConcurrentHashMap.newKeySet();
        server.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            assertTrue(onGroupLoop(), "MESSAGE on " + Thread.currentThread().getName());
            String thread = Thread.currentThread().getName();
            receivedOn.add(thread);
            // Sent from a loop of the group: leaves by that loop's socket, so its callback runs there too.
            server.send(msg, rinfo.port(), rinfo.address(), (err, bytes) -> {
                if (err != null || !Thread.currentThread().getName().equals(thread)) {
                    Must.fail(new AssertionError("send callback " + err + " on "
                            + Thread.currentThread().getName() + ", received on " + thread));
                }
            });
        });
        DgramTestKit.listening(server, "127.0.0.1");
        int port = server.address().port();
        assertNotEquals(0, port);

        int flows = 32;
        CountDownLatch echoed = new CountDownLatch(flows);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < flows; i++) {
            String text = "flow " + i;
            DatagramSocket client = sockets.bound4();   // its own source port: its own flow
            client.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
                if (!msg.toString().equals(text) || rinfo.port() != port) {
                    synchronized (wrong) {
                        wrong.add(msg + " from " + rinfo);
                    }
                }
                echoed.countDown();
            });
            client.send(text, port, "127.0.0.1");
        }
        assertTrue(echoed.await(60, TimeUnit.SECONDS), "echoes missing: " + echoed.getCount());   // hang guard
        assertEquals(List.of(), wrong);
        assertTrue(receivedOn.size() > 1, "all 32 flows landed on one loop: " + receivedOn);
    }

    @Test
    void aUdp6GroupEchoesToo() throws Exception {
        DatagramSocket server = sockets.add(Dgram.createSocket(new DatagramOptions().type("udp6").loops(2)));
        server.on(DatagramSocket.MESSAGE, (msg, rinfo) -> server.send(msg, rinfo.port(), rinfo.address()));
        DgramTestKit.listening(server, "::1");
        assertEquals("IPv6", server.address().family());
        int flows = 8;
        CountDownLatch echoed = new CountDownLatch(flows);
        for (int i = 0; i < flows; i++) {
            String text = "six " + i;
            DatagramSocket client = sockets.bound("udp6", "::1");
            client.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
                if (msg.toString().equals(text)) {
                    echoed.countDown();
                }
            });
            client.send(text, server.address().port(), "::1");
        }
        assertTrue(echoed.await(60, TimeUnit.SECONDS), "echoes missing: " + echoed.getCount());   // hang guard
    }

    @Test
    void portZeroGivesEverySocketTheSamePortWithReusePort() {
        DatagramSocket server = group(LOOPS);
        DgramTestKit.listening(server, "127.0.0.1");
        assertNotEquals(0, server.address().port());
        assertEquals("127.0.0.1", server.address().address());
        int[] reuse = DatagramGroup.intOptions(server, SysConstants.SOL_SOCKET, SysConstants.SO_REUSEPORT);
        assertArrayEquals(new int[] {1, 1, 1, 1}, reuse);
        // A plain socket cannot take the port: the group holds it, reuseport or not.
        DatagramSocket other = sockets.add(Dgram.createSocket("udp4"));
        other.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("EADDRINUSE", e.code())));
        other.bind(server.address().port(), "127.0.0.1");
        awaitCalls();
    }

    @Test
    void socketOptionsReachEverySocketOfTheGroup() {
        DatagramSocket server = group(3);
        DgramTestKit.listening(server, "127.0.0.1");
        server.setBroadcast(true).setTTL(7).setMulticastTTL(3).setRecvBufferSize(65536);
        int[] three = new int[3];
        Arrays.fill(three, 1);
        assertArrayEquals(three, DatagramGroup.intOptions(server, SysConstants.SOL_SOCKET, SysConstants.SO_BROADCAST));
        Arrays.fill(three, 7);
        assertArrayEquals(three, DatagramGroup.intOptions(server, SysConstants.IPPROTO_IP, SysConstants.IP_TTL));
        Arrays.fill(three, 3);
        assertArrayEquals(three, DatagramGroup.intOptions(server, SysConstants.IPPROTO_IP, SysConstants.IP_MULTICAST_TTL));
        Arrays.fill(three, 2 * 65536);   // Linux doubles SO_RCVBUF (socket(7))
        assertArrayEquals(three, DatagramGroup.intOptions(server, SysConstants.SOL_SOCKET, SysConstants.SO_RCVBUF));
        assertEquals(2 * 65536, server.getRecvBufferSize());
    }

    @Test
    void bufferSizesFromTheOptionsReachEverySocket() {
        DatagramSocket server = sockets.add(Dgram.createSocket(
                new DatagramOptions().type("udp4").loops(2).sendBufferSize(32768)));
        DgramTestKit.listening(server, "127.0.0.1");
        assertArrayEquals(new int[] {65536, 65536},
                DatagramGroup.intOptions(server, SysConstants.SOL_SOCKET, SysConstants.SO_SNDBUF));
    }

    @Test
    void closeEmitsCloseOnceOnTheSocketsLoopAndClosesEverySocket() {
        DatagramSocket server = Dgram.createSocket(new DatagramOptions().type("udp4").loops(LOOPS));
        DgramTestKit.listening(server, "127.0.0.1");
        int port = server.address().port();
        server.close(mustCall(() -> assertTrue(EventLoop.getDefault().inEventLoop())));
        awaitCalls();
        // Every descriptor is gone once CLOSE ran: a plain socket can bind the port again.
        DatagramSocket again = sockets.add(Dgram.createSocket("udp4"));
        again.bind(port, "127.0.0.1", mustCall(() -> { }));
        awaitCalls();
    }

    @Test
    void sendsFromOtherThreadsGoThroughTheFirstSocket() throws Exception {
        DatagramSocket server = group(LOOPS);
        DgramTestKit.listening(server, "127.0.0.1");
        DatagramSocket client = sockets.bound4();
        CountDownLatch got = new CountDownLatch(1);
        client.on(DatagramSocket.MESSAGE, (msg, rinfo) -> got.countDown());
        server.send("hi", client.address().port(), "127.0.0.1",
                mustCall((NetException err, Integer bytes) -> {
                    assertEquals(2, bytes);
                    assertTrue(EventLoop.getDefault().inEventLoop(), Thread.currentThread().getName());
                }));
        awaitCalls();
        assertTrue(got.await(60, TimeUnit.SECONDS));
    }

    @Test
    void connectIsNotImplementedForAGroup() {
        DatagramSocket server = group(2);
        InvalidStateException e = assertThrows(InvalidStateException.class, () -> server.connect(1234));
        assertEquals("ERR_METHOD_NOT_IMPLEMENTED", e.code());
    }

    @Test
    void loopsOutsideOneTo256AreOutOfRange() {
        for (int n : new int[] {0, -1, 257}) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                    () -> new DatagramOptions().loops(n));
            assertEquals("ERR_OUT_OF_RANGE", e.code());
            assertThrows(InvalidArgumentException.class, () -> EventLoop.group(n));
        }
        assertEquals(256, new DatagramOptions().loops(256).loops());
        assertEquals(1, new DatagramOptions().loops());
    }

    @Test
    void groupIsSharedAndStartsWithTheDefaultLoop() {
        List<EventLoop> a = EventLoop.group(LOOPS);
        assertEquals(EventLoop.getDefault(), a.get(0));
        assertEquals(a.subList(0, 2), EventLoop.group(2));
        assertEquals("EventLoop[ffm-net-loop-3]", a.get(3).toString());
    }
}
