package io.ffmnet.internal.poll;

import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.SockAddr;
import io.ffmnet.internal.sys.Sockets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_INET;
import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Constants.SHUT_WR;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_STREAM;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINPROGRESS;
import static io.ffmnet.internal.poll.Poller.ERROR;
import static io.ffmnet.internal.poll.Poller.HANGUP;
import static io.ffmnet.internal.poll.Poller.READABLE;
import static io.ffmnet.internal.poll.Poller.WRITABLE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EpollPoller} on real socketpairs and TCP sockets: interest recorded and applied once
 * before the wait, ffm-net's readiness bits, level-triggered reporting, and events of a removed
 * handle dropped within the round they were collected in.
 */
@Timeout(60)
class EpollPollerTest {
    /** Bounds a wait for an event that must come; not a measurement. */
    private static final int READY_WAIT_MS = 10_000;

    private final Arena arena = Arena.ofConfined();
    private final List<Integer> fds = new ArrayList<>();
    private final EpollPoller poller = new EpollPoller();

    @AfterEach
    void closeEverything() {
        poller.close();
        for (int fd : fds) {
            assertEquals(0, Fds.close(fd), "close(" + fd + ")");
        }
        arena.close();
    }

    private static final class Handle extends PollHandle {
        Handle(int fd) {
            this.fd = fd;
        }

        @Override
        public void onReady(int events) {
            throw new AssertionError("the poller itself never dispatches");
        }
    }

    // ---- interest ----

    @Test
    void setInterestIsAppliedByTheNextPoll() {
        int[] pair = socketpair();
        write(pair[1], "x");
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE);
        assertEquals(1, poller.size());
        assertEquals(READABLE, h.interest());
        assertEquals(0, h.registered, "nothing is sent to the kernel before the poll");
        assertEquals(1, poller.poll(0));
        assertEquals(READABLE, h.registered);
        assertSame(h, poller.readyHandle(0));
        assertEquals(READABLE, poller.readyEvents(0));
        assertEquals(1, poller.readyCount());
    }

    @Test
    void aHandleWithNoInterestIsNotReported() {
        int[] pair = socketpair();
        write(pair[1], "x");
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, 0);
        assertEquals(1, poller.size());
        assertEquals(0, poller.poll(0));
    }

    @Test
    void theLastInterestBeforeThePollIsTheOneApplied() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE);
        poller.setInterest(h, WRITABLE);
        assertEquals(1, poller.poll(0));
        assertEquals(WRITABLE, poller.readyEvents(0));
    }

    @Test
    void anUnchangedInterestSendsNothingToTheKernel() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE);
        assertEquals(0, poller.poll(0));
        // Closing the fd drops the kernel's registration behind the poller's back: any epoll_ctl
        // for it from now on fails (EBADF), and the poller turns that into an AssertionError.
        closeNow(pair[0]);
        poller.setInterest(h, READABLE);
        assertEquals(0, poller.poll(0));
        // Changed and changed back within one round: still nothing to send.
        poller.setInterest(h, WRITABLE);
        poller.setInterest(h, READABLE);
        assertEquals(0, poller.poll(0));
        // The probe is sharp: a real change does reach the kernel, and fails there.
        poller.setInterest(h, WRITABLE);
        AssertionError e = assertThrows(AssertionError.class, () -> poller.poll(0));
        assertTrue(e.getMessage().startsWith("epoll_ctl("), e.getMessage());
    }

    @Test
    void droppingAllInterestUnregistersSoHangupsStopBeingReported() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE);
        closeNow(pair[1]);
        assertEquals(1, poller.poll(READY_WAIT_MS));
        assertEquals(READABLE | HANGUP, poller.readyEvents(0));
        // Level-triggered epoll would report HUP forever to a registered fd with no interest.
        poller.setInterest(h, 0);
        assertEquals(0, poller.poll(0));
        assertEquals(0, h.registered);
        poller.setInterest(h, READABLE);
        assertEquals(1, poller.poll(0));
        assertSame(h, poller.readyHandle(0));
    }

    // ---- readiness bits ----

    @Test
    void reportsWritableForASocketWithRoomToWrite() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE | WRITABLE);
        assertEquals(1, poller.poll(0));
        assertEquals(WRITABLE, poller.readyEvents(0));
        write(pair[1], "x");
        assertEquals(1, poller.poll(0));
        assertEquals(READABLE | WRITABLE, poller.readyEvents(0));
    }

    @Test
    void reportsReadableWithoutHangupWhenThePeerOnlyHalfCloses() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE);
        assertEquals(0, Sockets.shutdown(pair[1], SHUT_WR));
        assertEquals(1, poller.poll(READY_WAIT_MS));
        assertEquals(READABLE, poller.readyEvents(0));
    }

    @Test
    void reportsHangupWhenThePeerClosesBothDirections() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE);
        closeNow(pair[1]);
        assertEquals(1, poller.poll(READY_WAIT_MS));
        assertEquals(READABLE | HANGUP, poller.readyEvents(0));
    }

    @Test
    void reportsErrorAndHangupForARefusedConnect() {
        // A bound socket that does not listen holds the port and answers SYN with RST.
        int holder = tcpSocket();
        MemorySegment addr = arena.allocate(SockAddr.MAX_SIZE, 8);
        int length = SockAddr.encode(addr, "127.0.0.1", 0);
        assertEquals(0, Sockets.bind(holder, addr.address(), length));
        MemorySegment nameLength = arena.allocate(JAVA_INT);
        nameLength.set(JAVA_INT, 0, SockAddr.MAX_SIZE);
        assertEquals(0, Sockets.getsockname(holder, addr.address(), nameLength.address()));

        int client = tcpSocket();
        assertEquals(-EINPROGRESS, Sockets.connect(client, addr.address(), nameLength.get(JAVA_INT, 0)));
        Handle h = new Handle(client);
        poller.setInterest(h, WRITABLE);
        assertEquals(1, poller.poll(READY_WAIT_MS));
        int bits = poller.readyEvents(0);
        assertEquals(ERROR | HANGUP, bits & (ERROR | HANGUP), "bits " + bits);
    }

    // ---- level-triggered ----

    @Test
    void reportsUnreadDataAgainOnEveryPoll() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, READABLE);
        write(pair[1], "data");
        for (int round = 0; round < 3; round++) {
            assertEquals(1, poller.poll(0), "round " + round);
            assertSame(h, poller.readyHandle(0));
            assertEquals(READABLE, poller.readyEvents(0));
        }
        MemorySegment buf = arena.allocate(2);
        assertEquals(2, Fds.read(pair[0], buf.address(), 2));
        assertEquals(1, poller.poll(0), "two bytes are still unread");
        assertEquals(2, Fds.read(pair[0], buf.address(), 2));
        assertEquals(0, poller.poll(0));
    }

    // ---- removal ----

    @Test
    void removingAHandleDropsItsEventAlreadyCollectedThisRound() {
        int[] a = socketpair();
        int[] b = socketpair();
        Handle ha = new Handle(a[0]);
        Handle hb = new Handle(b[0]);
        poller.setInterest(ha, WRITABLE);
        poller.setInterest(hb, WRITABLE);
        assertEquals(2, poller.poll(0));

        // As a listener for the first event might: remove the other handle mid-round.
        int removedIndex = poller.readyHandle(0) == hb ? 0 : 1;
        poller.remove(hb);
        assertEquals(1, poller.size());
        assertNull(poller.readyHandle(removedIndex));
        assertSame(ha, poller.readyHandle(1 - removedIndex));

        assertEquals(1, poller.poll(0), "the kernel no longer watches the removed fd");
        assertSame(ha, poller.readyHandle(0));
    }

    @Test
    void aHandleReusingTheSlotOfARemovedOneDoesNotGetItsEvent() {
        int[] a = socketpair();
        int[] b = socketpair();
        Handle old = new Handle(a[0]);
        poller.setInterest(old, WRITABLE);
        assertEquals(1, poller.poll(0));
        int slot = old.slot;
        poller.remove(old);
        assertEquals(-1, old.slot);
        Handle reuser = new Handle(b[0]);
        poller.setInterest(reuser, READABLE);
        assertEquals(slot, reuser.slot, "the new handle took the freed slot");
        // The stale event names the slot, but its generation is the old handle's.
        assertNull(poller.readyHandle(0));
        assertEquals(0, poller.poll(0));
        write(b[1], "x");
        assertEquals(1, poller.poll(0));
        assertSame(reuser, poller.readyHandle(0));
    }

    @Test
    void aRemovedHandleCanBeAddedAgain() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, WRITABLE);
        assertEquals(1, poller.poll(0));
        poller.remove(h);
        assertEquals(0, poller.size());
        assertEquals(0, poller.poll(0));
        poller.setInterest(h, WRITABLE);
        assertEquals(1, poller.size());
        assertEquals(1, poller.poll(0));
        assertSame(h, poller.readyHandle(0));
    }

    @Test
    void removingAHandleWhoseChangeIsStillQueuedSendsNothing() {
        int[] pair = socketpair();
        Handle h = new Handle(pair[0]);
        poller.setInterest(h, WRITABLE);
        poller.remove(h);
        assertEquals(0, poller.size());
        assertEquals(0, poller.poll(0));
        // Removing a handle the poller does not know is a no-op.
        poller.remove(h);
        assertEquals(0, poller.size());
    }

    @Test
    void watchesManyHandlesAndGrowsItsTables() {
        int count = 100;
        List<Handle> handles = new ArrayList<>();
        for (int i = 0; i < count / 2; i++) {
            int[] pair = socketpair();
            handles.add(new Handle(pair[0]));
            handles.add(new Handle(pair[1]));
        }
        for (Handle h : handles) {
            poller.setInterest(h, WRITABLE);
        }
        assertEquals(count, poller.size());
        assertEquals(count, poller.poll(0));
        List<PollHandle> seen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seen.add(poller.readyHandle(i));
        }
        assertTrue(seen.containsAll(handles));
        for (Handle h : handles) {
            poller.remove(h);
        }
        assertEquals(0, poller.size());
    }

    // ---- helpers ----

    private int track(int fd) {
        assertTrue(fd >= 0, () -> "expected a descriptor, got " + Errors.code(fd));
        fds.add(fd);
        return fd;
    }

    private void closeNow(int fd) {
        assertTrue(fds.remove(Integer.valueOf(fd)));
        assertEquals(0, Fds.close(fd));
    }

    private int[] socketpair() {
        MemorySegment sv = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Sockets.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv.address()));
        return new int[] {track(sv.getAtIndex(JAVA_INT, 0)), track(sv.getAtIndex(JAVA_INT, 1))};
    }

    private int tcpSocket() {
        return track(Sockets.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    }

    private void write(int fd, String s) {
        MemorySegment bytes = arena.allocateFrom(JAVA_BYTE, s.getBytes(StandardCharsets.UTF_8));
        assertEquals(s.length(), Fds.write(fd, bytes.address(), bytes.byteSize()));
    }
}
