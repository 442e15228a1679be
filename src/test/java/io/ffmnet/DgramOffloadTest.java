package io.ffmnet;

import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.MsgVec;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.Sockets;
import io.ffmnet.internal.sys.SysConstants;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * UDP segmentation offload (udp(7)): datagrams sent with {@code UDP_SEGMENT} and received with
 * {@code UDP_GRO} still arrive one {@code MESSAGE} per datagram, each intact with its own
 * {@link RemoteInfo#size()}, as Node delivers them. On loopback a segmented send reaches a socket
 * with {@code UDP_GRO} on as one coalesced buffer, which exercises the splitting.
 */
@Timeout(120)
class DgramOffloadTest {
    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    @AfterEach
    void closeSockets() {
        sockets.closeAll();
    }

    private record Received(String text, int length, RemoteInfo info) {}

    /** A loopback socket with the given offloads that queues what it receives. */
    private final class Receiver {
        final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();
        final DatagramSocket socket;
        final int port;

        Receiver(boolean gro) {
            this(new DatagramOptions().type("udp4"), false, gro);
        }

        Receiver(DatagramOptions options, boolean gso, boolean gro) {
            socket = sockets.add(Dgram.createSocket(options));
            socket.handle.setOffload(gso, gro);
            socket.on(DatagramSocket.MESSAGE, (msg, rinfo) -> queue.add(new Received(msg.toString(), msg.length(), rinfo)));
            DgramTestKit.listening(socket, "127.0.0.1");
            port = socket.address().port();
        }

        Received next() throws InterruptedException {
            Received r = queue.poll(60, TimeUnit.SECONDS);   // a hang guard, not a measurement
            assertNotNull(r, "no datagram arrived");
            return r;
        }
    }

    /** Datagram {@code i} of a test: {@code size} bytes of one letter, so a mix-up shows. */
    private static String datagram(int i, int size) {
        return String.valueOf((char) ('a' + i % 26)).repeat(size);
    }

    /**
     * Sends {@code sizes.length} datagrams in one {@code sendmsg} with {@code UDP_SEGMENT} of
     * {@code sizes[0]}, straight through the sys layer; returns the sender's port.
     */
    private static int segmentedSend(int port, int... sizes) {
        return DgramTestKit.call(() -> {
            int fd = Sockets.socket(SysConstants.AF_INET, SysConstants.SOCK_DGRAM | SysConstants.SOCK_CLOEXEC, 0);
            assertTrue(fd >= 0, "socket " + fd);
            try (Arena arena = Arena.ofConfined(); MsgVec v = new MsgVec(1, sizes.length)) {
                int total = 0;
                for (int i = 0; i < sizes.length; i++) {
                    MemorySegment part = arena.allocateFrom(datagram(i, sizes[i]));   // NUL-terminated: length given below
                    v.setIov(i, part.address(), sizes[i]);
                    total += sizes[i];
                }
                int nameLength = SockAddr.encode(v.name(0), "127.0.0.1", port);
                v.setMessage(0, 0, sizes.length, nameLength);
                v.setSegmentSize(0, sizes[0]);
                long r = v.sendOne(fd, 0);
                Assumptions.assumeFalse(r == -SysConstants.EIO || r == -SysConstants.ENOPROTOOPT,
                        "this kernel has no UDP_SEGMENT: " + r);
                assertEquals(total, r, "sendmsg with UDP_SEGMENT");
                MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE);
                MemorySegment len = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, SockAddr.MAX_SIZE);
                assertEquals(0, Sockets.getsockname(fd, sa.address(), len.address()));
                return SockAddr.port(sa);
            } finally {
                Fds.close(fd);
            }
        });
    }

    private static void expect(Receiver receiver, int fromPort, int... sizes) throws InterruptedException {
        for (int i = 0; i < sizes.length; i++) {
            Received r = receiver.next();
            assertEquals(datagram(i, sizes[i]), r.text(), "datagram " + i);
            assertEquals(sizes[i], r.length());
            assertEquals(sizes[i], r.info().size());
            assertEquals("127.0.0.1", r.info().address());
            assertEquals(fromPort, r.info().port());
        }
        assertTrue(receiver.queue.isEmpty(), "more than sent: " + receiver.queue);
    }

    private static long coalesced(DatagramSocket s) {
        return DgramTestKit.call(() -> s.handle.coalescedReceives());
    }

    @Test
    void aCoalescedReceiveIsSplitIntoOneMessagePerDatagram() throws Exception {
        Receiver receiver = new Receiver(true);
        int[] sizes = {100, 100, 100, 100, 37};
        int from = segmentedSend(receiver.port, sizes);
        expect(receiver, from, sizes);
        assertEquals(1, coalesced(receiver.socket), "the kernel handed the segmented send over as one buffer");
    }

    /**
     * The largest segmented send the kernel takes (64 datagrams, at most 65,507 bytes) arrives as
     * one coalesced buffer of nearly 64 KiB: the default receive slot holds it whole, so no
     * datagram is cut off or lost.
     */
    @Test
    void aCoalescedReceiveOfNearly64KiBLosesNothing() throws Exception {
        Receiver receiver = new Receiver(true);
        int[] sizes = new int[64];
        java.util.Arrays.fill(sizes, 1023);   // 65,472 bytes
        int from = segmentedSend(receiver.port, sizes);
        expect(receiver, from, sizes);
        assertEquals(1, coalesced(receiver.socket));
    }

    /**
     * A socket whose slots are smaller than 64 KiB does not take UDP_GRO even when asked (a
     * coalesced buffer would not fit), so a segmented send reaches it split by the kernel, each
     * datagram whole.
     */
    @Test
    void aSocketWithSmallSlotsStaysOffGroAndGetsEveryDatagramWhole() throws Exception {
        Receiver receiver = new Receiver(new DatagramOptions().type("udp4").maxMessageSize(2048), false, true);
        assertEquals(0, DgramTestKit.call(() -> receiver.socket.handle.intOption(SysConstants.IPPROTO_UDP, SysConstants.UDP_GRO)));
        int[] sizes = {1500, 1500, 1500, 1500, 700};
        int from = segmentedSend(receiver.port, sizes);
        expect(receiver, from, sizes);
        assertEquals(0, coalesced(receiver.socket));
    }

    /**
     * The benchmark's case: a peer that sends with UDP_SEGMENT and receives with UDP_GRO (here an
     * ffm-net socket with both on, bursting from a listener), and an echo server with both on. The
     * server gets the burst as one buffer and answers each datagram on its own; its replies to the
     * one peer leave joined again and reach the peer as one buffer; every datagram arrives, in
     * order and intact, at both ends.
     */
    @Test
    void anEchoServerAnswersAGsoPeerDatagramByDatagram() throws Exception {
        int[] sizes = new int[16];
        java.util.Arrays.fill(sizes, 1200);
        Receiver server = new Receiver(new DatagramOptions().type("udp4"), true, true);
        server.socket.on(DatagramSocket.MESSAGE, (msg, rinfo) -> server.socket.send(msg, rinfo.port(), rinfo.address()));
        Receiver peer = new Receiver(new DatagramOptions().type("udp4"), true, true);
        peer.socket.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            if (msg.toString().equals("go")) {
                for (int i = 0; i < sizes.length; i++) {
                    peer.socket.send(datagram(i, sizes[i]), server.port, "127.0.0.1");
                }
            }
        }, 1 + sizes.length));
        sockets.add(Dgram.createSocket("udp4")).send("go", peer.port, "127.0.0.1");
        assertEquals("go", peer.next().text());
        expect(server, peer.port, sizes);
        expect(peer, server.port, sizes);
        assertEquals(1L, DgramTestKit.call(() -> peer.socket.handle.segmentedSends()), "the burst left as one send");
        assertEquals(1, coalesced(server.socket), "and reached the server as one buffer");
        assertEquals(1L, DgramTestKit.call(() -> server.socket.handle.segmentedSends()), "the replies left as one send");
        assertEquals((long) sizes.length, DgramTestKit.call(() -> server.socket.handle.segmentedDatagrams()));
        assertEquals(1, coalesced(peer.socket), "and came back as one buffer");
        awaitCalls();
    }

    /**
     * UDP_GRO is on by default (unless {@code -Dio.ffmnet.udp.gro=false}): a socket made the
     * ordinary way takes a segmented send as one buffer and still emits one message per datagram.
     */
    @Test
    void aDefaultSocketTakesASegmentedSendAsOneBuffer() throws Exception {
        Assumptions.assumeTrue(Boolean.parseBoolean(System.getProperty("io.ffmnet.udp.gro", "true")),
                "UDP_GRO switched off for this JVM");
        DatagramSocket socket = sockets.add(Dgram.createSocket("udp4"));
        LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();
        socket.on(DatagramSocket.MESSAGE, (msg, rinfo) -> queue.add(new Received(msg.toString(), msg.length(), rinfo)));
        DgramTestKit.listening(socket, "127.0.0.1");
        int gro = DgramTestKit.call(() -> socket.handle.intOption(SysConstants.IPPROTO_UDP, SysConstants.UDP_GRO));
        Assumptions.assumeTrue(gro >= 0, "this kernel has no UDP_GRO: " + gro);
        assertEquals(1, gro);
        int[] sizes = {64, 64, 64, 64, 64, 64, 64, 64};
        int from = segmentedSend(socket.address().port(), sizes);
        for (int i = 0; i < sizes.length; i++) {
            Received r = queue.poll(60, TimeUnit.SECONDS);
            assertNotNull(r, "no datagram arrived");
            assertEquals(datagram(i, 64), r.text());
            assertEquals(64, r.info().size());
            assertEquals(from, r.info().port());
        }
        assertEquals(1, coalesced(socket));
    }

    @Test
    void withoutGroTheKernelSplitsTheSegmentedSendItself() throws Exception {
        Receiver receiver = new Receiver(false);
        int[] sizes = {1000, 1000, 1000};
        int from = segmentedSend(receiver.port, sizes);
        expect(receiver, from, sizes);
        assertEquals(0, coalesced(receiver.socket));
    }

    /**
     * A server with UDP_SEGMENT answers a trigger with a burst made in one listener call, so it
     * leaves in one flush: equal sizes join one header, a shorter one ends the run, a larger one
     * starts the next; every datagram still gets its own callback with its own byte count.
     */
    private void burst(boolean gro) throws Exception {
        int[] sizes = {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 50, 300, 300, 300};
        DatagramSocket server = sockets.add(Dgram.createSocket("udp4"));
        server.handle.setOffload(true, false);
        List<Integer> sent = new ArrayList<>();
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            for (int i = 0; i < sizes.length; i++) {
                int expected = sizes[i];
                server.send(datagram(i, sizes[i]), rinfo.port(), rinfo.address(), mustCall((NetException err, Integer bytes) -> {
                    assertEquals(null, err);
                    assertEquals(expected, bytes);
                    sent.add(bytes);
                }));
            }
        }));
        DgramTestKit.listening(server, "127.0.0.1");
        Receiver client = new Receiver(gro);
        client.socket.send("go", server.address().port(), "127.0.0.1");
        expect(client, server.address().port(), sizes);
        awaitCalls();
        assertEquals(sizes.length, sent.size());
        assertEquals(2L, DgramTestKit.call(() -> server.handle.segmentedSends()), "two runs: 10x200+50, 3x300");
        assertEquals(14L, DgramTestKit.call(() -> server.handle.segmentedDatagrams()), "every datagram in a run");
        if (gro) {
            assertEquals(2, coalesced(client.socket));
        }
    }

    @Test
    void segmentedRepliesArriveOneMessageEach() throws Exception {
        burst(false);
    }

    /**
     * A socket whose segmented send the kernel refuses falls back to one datagram per header for
     * good, resending what was refused: udp(7) says {@code UDP_SEGMENT} fails with {@code EINVAL}
     * on a socket with {@code SO_NO_CHECK} (no UDP checksum, which segmentation needs).
     */
    @Test
    void aRefusedSegmentedSendFallsBackWithoutLosingADatagram() throws Exception {
        int[] sizes = {100, 100, 100, 100, 100, 100};
        DatagramSocket server = sockets.add(Dgram.createSocket("udp4"));
        server.handle.setOffload(true, false);
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            for (int i = 0; i < sizes.length; i++) {
                server.send(datagram(i, sizes[i]), rinfo.port(), rinfo.address(),
                        mustCall((NetException err, Integer bytes) -> assertEquals(100, bytes)));
            }
        }));
        DgramTestKit.listening(server, "127.0.0.1");
        assertEquals(0, DgramTestKit.call(() -> io.ffmnet.internal.sys.UdpOptions.setInt(
                server.handle.fd(), SysConstants.SOL_SOCKET, SysConstants.SO_NO_CHECK, 1)));
        Receiver client = new Receiver(false);
        client.socket.send("go", server.address().port(), "127.0.0.1");
        expect(client, server.address().port(), sizes);
        awaitCalls();
        assertEquals(0L, DgramTestKit.call(() -> server.handle.segmentedSends()));
    }

    /**
     * Segments too large for the route's MTU: the kernel refuses the segmented send
     * ({@code EMSGSIZE} on Linux 6.x, {@code EINVAL} before) where it would fragment a plain
     * datagram, so those datagrams leave one per header, each callback with its full size, while a
     * later run of smaller ones to the same peer is still joined. Over a veth pair (MTU 1500) to a
     * namespace of the test's own; nothing listens there, which a sender does not notice.
     */
    @Test
    void segmentsTooLargeForTheMtuLeaveUnjoinedAndSmallerRunsStillJoin() throws Exception {
        String reason = DgramNetns.unavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        try (DgramNetns netns = new DgramNetns()) {
            DgramNetns.Link link = netns.link('g', 216);
            DatagramSocket server = sockets.add(Dgram.createSocket("udp4"));
            server.handle.setOffload(true, false);
            int[] sizes = {2000, 2000, 2000, 2000, 2000, 2000, 1000, 1000, 1000, 1000, 1000, 1000};
            server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
                for (int i = 0; i < sizes.length; i++) {
                    int size = sizes[i];
                    server.send(datagram(i, size), 9, link.peerAddress(), mustCall((NetException err, Integer bytes) -> {
                        assertNull(err);
                        assertEquals(size, bytes);
                    }));
                }
            }));
            DgramTestKit.listening(server, "0.0.0.0");
            Receiver client = new Receiver(false);
            client.socket.send("go", server.address().port(), "127.0.0.1");
            awaitCalls();
            assertEquals(1L, DgramTestKit.call(() -> server.handle.segmentedSends()), "the 1,000-byte run");
            assertEquals(6L, DgramTestKit.call(() -> server.handle.segmentedDatagrams()));
        }
    }

    @Test
    void segmentedRepliesToAGroReceiverArriveOneMessageEach() throws Exception {
        burst(true);
    }

    @Test
    void datagramsToDifferentPeersAreNotJoined() throws Exception {
        DatagramSocket server = sockets.add(Dgram.createSocket("udp4"));
        server.handle.setOffload(true, false);
        Receiver a = new Receiver(true);
        Receiver b = new Receiver(true);
        server.on(DatagramSocket.MESSAGE, mustCall((Buffer msg, RemoteInfo rinfo) -> {
            for (int i = 0; i < 6; i++) {
                server.send(datagram(i / 2, 100), i % 2 == 0 ? a.port : b.port, "127.0.0.1");
            }
        }));
        DgramTestKit.listening(server, "127.0.0.1");
        a.socket.send("go", server.address().port(), "127.0.0.1");
        int port = server.address().port();
        expect(a, port, 100, 100, 100);
        for (int i = 0; i < 3; i++) {
            assertEquals(datagram(i, 100), b.next().text());
        }
        assertEquals(0L, DgramTestKit.call(() -> server.handle.segmentedSends()));
        awaitCalls();
    }
}
