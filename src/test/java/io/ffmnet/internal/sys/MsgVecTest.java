package io.ffmnet.internal.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.MSG_TRUNC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_DGRAM;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Errno.EAGAIN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MsgVec}: several datagrams per sendmmsg/recvmmsg, gathered parts, senders, truncation. */
@Timeout(60)
class MsgVecTest {
    private final Arena arena = Arena.ofConfined();
    private int sender = -1;
    private int receiver = -1;

    @AfterEach
    void close() {
        if (sender >= 0) {
            Fds.close(sender);
        }
        if (receiver >= 0) {
            Fds.close(receiver);
        }
        arena.close();
    }

    /** Two UDP sockets on 127.0.0.1; returns the receiver's port. */
    private int pair() {
        sender = Sockets.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        receiver = Sockets.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
        assertEquals(0, Sockets.bind(receiver, sa.address(), SockAddr.encode(sa, "127.0.0.1", 0)));
        assertEquals(0, Sockets.bind(sender, sa.address(), SockAddr.encode(sa, "127.0.0.1", 0)));
        MemorySegment len = arena.allocateFrom(JAVA_INT, SockAddr.MAX_SIZE);
        assertEquals(0, Sockets.getsockname(receiver, sa.address(), len.address()));
        return SockAddr.port(sa);
    }

    private MemorySegment text(String s) {
        return arena.allocateFrom(s).asSlice(0, s.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void sendmmsgSendsSeveralGatheredDatagramsAndRecvmmsgTakesThemInOneCall() {
        int port = pair();
        try (MsgVec out = new MsgVec(4, 8); MsgVec in = new MsgVec(4, 4)) {
            MemorySegment hello = text("hello ");
            MemorySegment world = text("world");
            MemorySegment solo = text("solo");
            out.setIov(0, hello.address(), hello.byteSize());
            out.setIov(1, world.address(), world.byteSize());
            out.setIov(2, solo.address(), solo.byteSize());
            MemorySegment dest = arena.allocate(SockAddr.MAX_SIZE, 8);
            int destLength = SockAddr.encode(dest, "127.0.0.1", port);
            out.setName(0, dest, destLength);
            out.setName(1, dest, destLength);
            out.setMessage(0, 0, 2, destLength);
            out.setMessage(1, 2, 1, destLength);
            assertEquals(2, out.send(sender, 0, 2));
            assertEquals(11, out.length(0));
            assertEquals(4, out.length(1));

            MemorySegment slots = arena.allocate(4 * 64);
            for (int i = 0; i < 4; i++) {
                in.setIov(i, slots.address() + i * 64L, 64);
                in.setMessage(i, i, 1, SockAddr.MAX_SIZE);
            }
            assertEquals(2, in.receive(receiver, 4, 0));
            assertEquals("hello world", new String(slots.asSlice(0, in.length(0)).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals("solo", new String(slots.asSlice(64, in.length(1)).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            MemorySegment from = in.name(0);
            assertEquals("127.0.0.1", SockAddr.address(from, in.nameLength(0)));
            assertTrue(in.sameName(1, from, in.nameLength(0)), "both came from the same socket");
            assertEquals(-EAGAIN, in.receive(receiver, 4, 0));
        }
    }

    @Test
    void withMsgTruncTheFullLengthOfACutDatagramIsReported() {
        int port = pair();
        try (MsgVec out = new MsgVec(1, 1); MsgVec in = new MsgVec(1, 1)) {
            MemorySegment big = text("0123456789");
            out.setIov(0, big.address(), big.byteSize());
            MemorySegment dest = arena.allocate(SockAddr.MAX_SIZE, 8);
            int destLength = SockAddr.encode(dest, "127.0.0.1", port);
            out.setName(0, dest, destLength);
            out.setMessage(0, 0, 1, destLength);
            assertEquals(10, out.sendOne(sender, 0));
            MemorySegment slot = arena.allocate(4);
            in.setIov(0, slot.address(), 4);
            in.setMessage(0, 0, 1, SockAddr.MAX_SIZE);
            assertEquals(1, in.receive(receiver, 1, MSG_TRUNC));
            assertEquals(10, in.length(0));
            assertNotEquals(0, in.flags(0) & MSG_TRUNC);
            assertEquals("0123", new String(slot.toArray(JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    @Test
    void usingMoreHeadersThanItHasIsABugOfOurs() {
        MsgVec v = new MsgVec(2, 2);
        assertThrows(AssertionError.class, () -> v.send(0, 1, 2));
        v.close();
        v.close();   // idempotent
        assertThrows(AssertionError.class, () -> v.receive(0, 1, 0));
    }
}
