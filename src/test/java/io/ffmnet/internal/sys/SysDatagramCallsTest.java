package io.ffmnet.internal.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLIN;
import static io.ffmnet.bindings.linux_x86_64.Constants.MSG_TRUNC;
import static io.ffmnet.bindings.linux_x86_64.Errno.EAGAIN;
import static io.ffmnet.bindings.linux_x86_64.Errno.EBADF;
import static io.ffmnet.bindings.linux_x86_64.Errno.EDESTADDRREQ;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MMSGHDR_MSG_HDR;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MMSGHDR_MSG_LEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_FLAGS;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_MSGHDR_MSG_NAMELEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_MMSGHDR;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_MSGHDR;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_SOCKADDR_IN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The datagram calls of {@link Sockets} on loopback: {@code recvfrom}/{@code sendto},
 * {@code recvmsg}/{@code sendmsg} and {@code recvmmsg}/{@code sendmmsg}, success and errno paths.
 */
@Timeout(60)
class SysDatagramCallsTest extends SysSocketFixture {
    // ---- recvfrom, sendto ----

    @Test
    void sendtoAndRecvfromCarryADatagramAndItsSenderOverLoopback() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        MemorySegment buf = arena.allocate(64);
        assertEquals(-EAGAIN, Sockets.recvfrom(b, buf.address(), 64, 0, 0, 0));

        Addr to = ip("127.0.0.1", localPort(b));
        MemorySegment payload = bytes("ping");
        assertEquals(4, Sockets.sendto(a, payload.address(), 4, 0, to.segment.address(), to.length));

        awaitReady(b, EPOLLIN);
        MemorySegment from = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment fromLength = socklen(SockAddr.MAX_SIZE);
        long n = Sockets.recvfrom(b, buf.address(), 64, 0, from.address(), fromLength.address());
        assertEquals(4, n);
        assertEquals("ping", string(buf, n));
        assertEquals("127.0.0.1", SockAddr.address(from, fromLength.get(JAVA_INT, 0)));
        assertEquals(localPort(a), SockAddr.port(from));
    }

    @Test
    void sendtoAnswersEdestaddrreqWithoutAnAddressOnAnUnconnectedSocket() {
        int a = udp("127.0.0.1");
        MemorySegment payload = bytes("x");
        assertEquals(-EDESTADDRREQ, Sockets.sendto(a, payload.address(), 1, 0, 0, 0));
    }

    @Test
    void sendtoAnswersEinvalForAnAddressLengthTooShort() {
        int a = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", 9);
        MemorySegment payload = bytes("x");
        assertEquals(-EINVAL, Sockets.sendto(a, payload.address(), 1, 0, to.segment.address(), 3));
    }

    // ---- recvmsg, sendmsg ----

    @Test
    void sendmsgGathersIovecsAndRecvmsgScattersThemWithTheSendersName() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", localPort(b));

        MemorySegment hello = bytes("hello, ");
        MemorySegment world = bytes("world");
        MemorySegment sendIov = iovecs(hello, world);
        MemorySegment sendHdr = msghdr(to.segment, to.length, sendIov, 2);
        assertEquals(12, Sockets.sendmsg(a, sendHdr.address(), 0));

        awaitReady(b, EPOLLIN);
        MemorySegment first = arena.allocate(5);
        MemorySegment rest = arena.allocate(32);
        MemorySegment name = arena.allocate(SockAddr.MAX_SIZE, 8);
        MemorySegment recvHdr = msghdr(name, SockAddr.MAX_SIZE, iovecs(first, rest), 2);
        assertEquals(12, Sockets.recvmsg(b, recvHdr.address(), 0));
        assertEquals("hello", string(first, 5));
        assertEquals(", world", string(rest, 7));
        int nameLength = recvHdr.get(JAVA_INT, OFFSETOF_MSGHDR_MSG_NAMELEN);
        assertEquals((int) SIZEOF_SOCKADDR_IN, nameLength);
        assertEquals("127.0.0.1", SockAddr.address(name, nameLength));
        assertEquals(localPort(a), SockAddr.port(name));
        assertEquals(0, recvHdr.get(JAVA_INT, OFFSETOF_MSGHDR_MSG_FLAGS));
    }

    @Test
    void recvmsgFlagsATruncatedDatagramWithMsgTrunc() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", localPort(b));
        MemorySegment payload = bytes("0123456789");
        assertEquals(10, Sockets.sendto(a, payload.address(), 10, 0, to.segment.address(), to.length));

        awaitReady(b, EPOLLIN);
        MemorySegment small = arena.allocate(4);
        MemorySegment hdr = msghdr(MemorySegment.NULL, 0, iovecs(small), 1);
        assertEquals(4, Sockets.recvmsg(b, hdr.address(), 0));
        assertEquals("0123", string(small, 4));
        assertEquals(MSG_TRUNC, hdr.get(JAVA_INT, OFFSETOF_MSGHDR_MSG_FLAGS) & MSG_TRUNC);
    }

    @Test
    void recvmsgAnswersEagainWhenNothingIsQueued() {
        int b = udp("127.0.0.1");
        MemorySegment hdr = msghdr(MemorySegment.NULL, 0, iovecs(arena.allocate(8)), 1);
        assertEquals(-EAGAIN, Sockets.recvmsg(b, hdr.address(), 0));
    }

    @Test
    void sendmsgAnswersEdestaddrreqWithoutANameOnAnUnconnectedSocket() {
        int a = udp("127.0.0.1");
        MemorySegment hdr = msghdr(MemorySegment.NULL, 0, iovecs(bytes("x")), 1);
        assertEquals(-EDESTADDRREQ, Sockets.sendmsg(a, hdr.address(), 0));
    }

    // ---- recvmmsg, sendmmsg ----

    @Test
    void sendmmsgAndRecvmmsgMoveSeveralDatagramsPerCall() {
        int a = udp("127.0.0.1");
        int b = udp("127.0.0.1");
        Addr to = ip("127.0.0.1", localPort(b));
        String[] words = {"one", "two!", "three"};

        MemorySegment out = arena.allocate(SIZEOF_MMSGHDR * words.length, 8);
        for (int i = 0; i < words.length; i++) {
            MemorySegment hdr = out.asSlice(i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR, SIZEOF_MSGHDR);
            fillMsghdr(hdr, to.segment, to.length, iovecs(bytes(words[i])), 1);
        }
        assertEquals(words.length, Sockets.sendmmsg(a, out.address(), words.length, 0));
        for (int i = 0; i < words.length; i++) {
            assertEquals(words[i].length(), out.get(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_LEN));
        }

        int batch = 8;
        MemorySegment in = arena.allocate(SIZEOF_MMSGHDR * batch, 8);
        MemorySegment[] buffers = new MemorySegment[batch];
        MemorySegment[] names = new MemorySegment[batch];
        for (int i = 0; i < batch; i++) {
            buffers[i] = arena.allocate(32);
            names[i] = arena.allocate(SockAddr.MAX_SIZE, 8);
            MemorySegment hdr = in.asSlice(i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR, SIZEOF_MSGHDR);
            fillMsghdr(hdr, names[i], SockAddr.MAX_SIZE, iovecs(buffers[i]), 1);
        }
        List<String> received = new ArrayList<>();
        while (received.size() < words.length) {
            awaitReady(b, EPOLLIN);
            int got = Sockets.recvmmsg(b, in.address(), batch, 0);
            assertTrue(got > 0, "recvmmsg = " + got);
            for (int i = 0; i < got; i++) {
                int length = in.get(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_LEN);
                received.add(string(buffers[i], length));
                int nameLength = in.get(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR
                        + OFFSETOF_MSGHDR_MSG_NAMELEN);
                assertEquals(localPort(a), SockAddr.port(names[i]));
                assertEquals("127.0.0.1", SockAddr.address(names[i], nameLength));
                // The kernel rewrote msg_namelen: restore the room for the next call.
                in.set(JAVA_INT, i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR + OFFSETOF_MSGHDR_MSG_NAMELEN,
                        SockAddr.MAX_SIZE);
            }
        }
        assertEquals(List.of(words), received);
        assertEquals(-EAGAIN, Sockets.recvmmsg(b, in.address(), batch, 0));
    }

    @Test
    void sendmmsgAnswersEbadfForADescriptorThatIsNotOpen() {
        MemorySegment out = arena.allocate(SIZEOF_MMSGHDR, 8);
        assertEquals(-EBADF, Sockets.sendmmsg(-1, out.address(), 1, 0));
        assertEquals(-EBADF, Sockets.recvmmsg(-1, out.address(), 1, 0));
    }
}
