package io.ffmnet;

import io.ffmnet.internal.sys.SysConstants;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Node's socket options on a datagram socket (test-dgram-setTTL, test-dgram-multicast-setTTL,
 * test-dgram-setBroadcast, test-dgram-socket-buffer-size, test-dgram-membership,
 * test-dgram-multicast-set-interface): each reaches the kernel (read back with getsockopt), an
 * unbound socket has no descriptor yet ({@code setTTL EBADF}), a closed one is not running.
 */
@Timeout(120)
class DgramOptionsTest {
    private final DgramTestKit.Sockets sockets = new DgramTestKit.Sockets();

    @AfterEach
    void closeSockets() {
        sockets.closeAll();
    }

    private static NetException systemError(String message, Executable call) {
        NetException e = assertThrows(NetException.class, call);
        assertEquals(message, e.getMessage());
        return e;
    }

    @Test
    void optionsOfASocketNotBoundYetFailWithEBADFAsInNode() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        NetException ttl = systemError("setTTL EBADF", () -> s.setTTL(5));
        assertEquals("EBADF", ttl.code());
        assertEquals(-9, ttl.errno());
        assertEquals("setTTL", ttl.syscall());
        systemError("setBroadcast EBADF", () -> s.setBroadcast(true));
        systemError("setMulticastTTL EBADF", () -> s.setMulticastTTL(5));
        systemError("setMulticastLoopback EBADF", () -> s.setMulticastLoopback(true));
        systemError("setMulticastInterface EBADF", () -> s.setMulticastInterface("127.0.0.1"));
        systemError("getsockname EBADF", s::address);
        NetException size = assertThrows(NetException.class, s::getRecvBufferSize);
        assertEquals("ERR_SOCKET_BUFFER_SIZE", size.code());
        assertEquals(-9, size.errno());
        assertEquals("uv_recv_buffer_size", size.syscall());
        assertEquals("Could not get or set buffer size: uv_recv_buffer_size returned EBADF (bad file descriptor)",
                size.getMessage());
        assertEquals("uv_send_buffer_size", assertThrows(NetException.class, () -> s.setSendBufferSize(4096)).syscall());
    }

    @Test
    void optionsOfAClosedSocketThrowNotRunning() {
        DatagramSocket s = sockets.bound4();
        s.close(mustCall(() -> {}));
        for (Executable call : new Executable[] {
                () -> s.setTTL(5), () -> s.setBroadcast(true), () -> s.setMulticastTTL(1),
                () -> s.setMulticastLoopback(false), () -> s.setMulticastInterface("127.0.0.1"),
                () -> s.addMembership("239.1.2.3"), () -> s.dropMembership("239.1.2.3"),
                () -> s.addSourceSpecificMembership("127.0.0.1", "232.1.2.3"),
                s::getRecvBufferSize, () -> s.setSendBufferSize(1024), s::address, s::close}) {
            InvalidStateException e = assertThrows(InvalidStateException.class, call);
            assertEquals("ERR_SOCKET_DGRAM_NOT_RUNNING", e.code());
        }
        assertSame(s, s.ref(), "ref and unref of a closed socket are no-ops, as in Node");
        assertSame(s, s.unref());
        awaitCalls();
    }

    @Test
    void setTTLReachesTheKernelAndOutOfRangeIsEINVAL() {
        DatagramSocket s = sockets.bound4();
        assertSame(s, s.setTTL(128));
        assertEquals(128, s.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_TTL));
        s.setTTL(255);
        assertEquals(255, s.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_TTL));
        systemError("setTTL EINVAL", () -> s.setTTL(0));
        systemError("setTTL EINVAL", () -> s.setTTL(256));
    }

    @Test
    void setMulticastTTLReachesTheKernelFromZeroTo255() {
        DatagramSocket s = sockets.bound4();
        s.setMulticastTTL(0);
        assertEquals(0, s.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_MULTICAST_TTL));
        s.setMulticastTTL(64);
        assertEquals(64, s.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_MULTICAST_TTL));
        systemError("setMulticastTTL EINVAL", () -> s.setMulticastTTL(256));
        systemError("setMulticastTTL EINVAL", () -> s.setMulticastTTL(-1));
    }

    @Test
    void broadcastAndMulticastLoopbackAreSocketFlags() {
        DatagramSocket s = sockets.bound4();
        assertEquals(0, s.intOption(SysConstants.SOL_SOCKET, SysConstants.SO_BROADCAST));
        s.setBroadcast(true);
        assertEquals(1, s.intOption(SysConstants.SOL_SOCKET, SysConstants.SO_BROADCAST));
        s.setBroadcast(false);
        assertEquals(0, s.intOption(SysConstants.SOL_SOCKET, SysConstants.SO_BROADCAST));
        s.setMulticastLoopback(false);
        assertEquals(0, s.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_MULTICAST_LOOP));
        s.setMulticastLoopback(true);
        assertEquals(1, s.intOption(SysConstants.IPPROTO_IP, SysConstants.IP_MULTICAST_LOOP));
    }

    @Test
    void bufferSizesReportTheKernelsDoubledValue() {
        DatagramSocket s = sockets.bound4();
        s.setRecvBufferSize(10_000);
        assertEquals(20_000, s.getRecvBufferSize(), "Linux doubles SO_RCVBUF for its bookkeeping (socket(7))");
        s.setSendBufferSize(10_000);
        assertEquals(20_000, s.getSendBufferSize());
        InvalidArgumentException bad = assertThrows(InvalidArgumentException.class, () -> s.setRecvBufferSize(-1));
        assertEquals("ERR_SOCKET_BAD_BUFFER_SIZE", bad.code());
        assertEquals("Buffer size must be a positive integer", bad.getMessage());
    }

    @Test
    void bufferSizesGivenAtCreationAreSetOnceBound() {
        DatagramSocket s = sockets.add(Dgram.createSocket(
                new DatagramOptions().type("udp4").recvBufferSize(12_000).sendBufferSize(14_000)));
        s.bind(0, "127.0.0.1", mustCall(() -> {
            assertEquals(24_000, s.getRecvBufferSize());
            assertEquals(28_000, s.getSendBufferSize());
        }));
        awaitCalls();
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> new DatagramOptions().recvBufferSize(-5));
        assertEquals("ERR_OUT_OF_RANGE", e.code());
        assertEquals("The value of \"options.recvBufferSize\" is out of range. It must be >= 0 && <= 4294967295. Received -5",
                e.getMessage());
    }

    @Test
    void aMulticastInterfaceMustBeAnAddressOfTheSocketsFamily() {
        DatagramSocket s = sockets.bound4();
        assertSame(s, s.setMulticastInterface("127.0.0.1"));
        systemError("setMulticastInterface EINVAL", () -> s.setMulticastInterface("not an address"));
        systemError("setMulticastInterface ENOPROTOOPT", () -> s.setMulticastInterface("::1"));
        assertEquals("ERR_INVALID_ARG_TYPE",
                assertThrows(InvalidArgumentException.class, () -> s.setMulticastInterface(null)).code());
    }

    @Test
    void membershipErrorsAreNodesSystemErrors() {
        DatagramSocket s = sockets.bound4();
        systemError("addMembership EINVAL", () -> s.addMembership("not a group"));
        systemError("addMembership EINVAL", () -> s.addMembership("127.0.0.1"));
        systemError("addMembership EINVAL", () -> s.addMembership("239.1.2.3", "not an interface"));
        systemError("dropMembership EADDRNOTAVAIL", () -> s.dropMembership("239.1.2.3"));
        s.addMembership("239.1.2.3");
        systemError("addMembership EADDRINUSE", () -> s.addMembership("239.1.2.3"));
        s.dropMembership("239.1.2.3");
        InvalidArgumentException missing = assertThrows(InvalidArgumentException.class, () -> s.addMembership(null));
        assertEquals("ERR_MISSING_ARGS", missing.code());
        assertEquals("The \"multicastAddress\" argument must be specified", missing.getMessage());
        assertEquals("ERR_INVALID_ARG_TYPE",
                assertThrows(InvalidArgumentException.class, () -> s.addSourceSpecificMembership(null, "232.1.1.1")).code());
        systemError("addSourceSpecificMembership EINVAL", () -> s.addSourceSpecificMembership("nope", "232.1.1.1"));
        s.addSourceSpecificMembership("127.0.0.1", "232.1.1.1");
        s.dropSourceSpecificMembership("127.0.0.1", "232.1.1.1");
    }

    @Test
    void joiningBeforeBindBindsAsLibuvDoesSoALaterBindIsEINVAL() {
        DatagramSocket s = sockets.add(Dgram.createSocket("udp4"));
        s.addMembership("239.1.2.4");
        assertEquals("0.0.0.0", s.address().address());
        s.setTTL(7);   // there is a descriptor now
        s.on(DatagramSocket.ERROR, mustCall((NetException e) -> assertEquals("bind EINVAL 0.0.0.0", e.getMessage())));
        s.bind();
        awaitCalls();
    }

    @Test
    void theSendQueueIsEmptyWhenIdle() {
        DatagramSocket s = sockets.bound4();
        assertEquals(0, s.getSendQueueCount());
        assertEquals(0, s.getSendQueueSize());
    }
}
