package io.ffmnet.internal.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLERR;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLHUP;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLIN;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLOUT;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLLRDHUP;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CTL_ADD;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CTL_DEL;
import static io.ffmnet.bindings.linux_x86_64.Constants.EPOLL_CTL_MOD;
import static io.ffmnet.bindings.linux_x86_64.Constants.FD_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.F_GETFD;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_STREAM;
import static io.ffmnet.bindings.linux_x86_64.Errno.EBADF;
import static io.ffmnet.bindings.linux_x86_64.Errno.EEXIST;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOENT;
import static io.ffmnet.bindings.linux_x86_64.Errno.EPERM;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_EPOLL_EVENT_DATA;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_EPOLL_EVENT_EVENTS;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_EPOLL_EVENT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Epoll} against real descriptors: create, control and wait, the packed
 * {@code struct epoll_event} read at the generated offsets, and each call's errno paths.
 */
@Timeout(60)
class SysEpollTest {
    /** Bounds a wait for an event that must come; not a measurement. */
    private static final int READY_WAIT_MS = 10_000;

    private final Arena arena = Arena.ofConfined();
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        for (int fd : fds) {
            assertEquals(0, Fds.close(fd), "close(" + fd + ")");
        }
        arena.close();
    }

    @Test
    void theWrapperExportsTheGeneratedConstantsAndLayout() {
        assertEquals(EPOLLIN, Epoll.EPOLLIN);
        assertEquals(EPOLL_CTL_MOD, Epoll.EPOLL_CTL_MOD);
        // Packed on x86_64: the 64-bit data follows the 32-bit events with no padding.
        assertEquals(12, Epoll.EVENT_SIZE);
        assertEquals(OFFSETOF_EPOLL_EVENT_EVENTS, Epoll.EVENT_EVENTS);
        assertEquals(OFFSETOF_EPOLL_EVENT_DATA, Epoll.EVENT_DATA);
        assertEquals(4, Epoll.EVENT_DATA);
    }

    @Test
    void epollCreate1MakesACloseOnExecDescriptor() {
        int epfd = epoll();
        assertEquals(FD_CLOEXEC, Fds.fcntl(epfd, F_GETFD, 0) & FD_CLOEXEC);
    }

    @Test
    void epollCreate1AnswersEinvalForAnUnknownFlag() {
        assertEquals(-EINVAL, Epoll.epollCreate1(1));
    }

    @Test
    void epollWaitWithTimeoutZeroAnswersAtOnceWithNoEvents() {
        int epfd = epoll();
        int[] pair = socketpair();
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, pair[0], event(EPOLLIN, 1)));
        assertEquals(0, Epoll.epollWait(epfd, events(4).address(), 4, 0));
    }

    @Test
    void epollWaitReportsAReadableSocketWithItsSixtyFourBitData() {
        int epfd = epoll();
        int[] pair = socketpair();
        long data = 0x8765_4321_0fed_cba9L;
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, pair[0], event(EPOLLIN | EPOLLRDHUP, data)));
        assertEquals(1, Fds.write(pair[1], arena.allocateFrom(JAVA_BYTE, (byte) 'x').address(), 1));

        MemorySegment out = arena.allocate(SIZEOF_EPOLL_EVENT * 4);
        assertEquals(1, Epoll.epollWait(epfd, out.address(), 4, READY_WAIT_MS));
        assertEquals(EPOLLIN, out.get(JAVA_INT_UNALIGNED, Epoll.EVENT_EVENTS));
        assertEquals(data, out.get(JAVA_LONG_UNALIGNED, Epoll.EVENT_DATA));
    }

    @Test
    void epollWaitFillsOneEventPerReadyDescriptorUpToMaxevents() {
        int epfd = epoll();
        int[] a = socketpair();
        int[] b = socketpair();
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, a[0], event(EPOLLOUT, 10)));
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, b[0], event(EPOLLOUT, 20)));

        MemorySegment out = arena.allocate(SIZEOF_EPOLL_EVENT * 4);
        assertEquals(2, Epoll.epollWait(epfd, out.address(), 4, 0));
        long first = out.get(JAVA_LONG_UNALIGNED, Epoll.EVENT_DATA);
        long second = out.get(JAVA_LONG_UNALIGNED, Epoll.EVENT_SIZE + Epoll.EVENT_DATA);
        assertEquals(30, first + second);
        assertEquals(EPOLLOUT, out.get(JAVA_INT_UNALIGNED, Epoll.EVENT_SIZE + Epoll.EVENT_EVENTS));
        // Level-triggered: still writable, so still reported, one at a time when asked for one.
        assertEquals(1, Epoll.epollWait(epfd, out.address(), 1, 0));
    }

    @Test
    void epollWaitReportsHangupWhenThePeerCloses() {
        int epfd = epoll();
        int[] pair = socketpair();
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, pair[0], event(EPOLLIN | EPOLLRDHUP, 7)));
        closeNow(pair[1]);
        MemorySegment out = events(1);
        assertEquals(1, Epoll.epollWait(epfd, out.address(), 1, READY_WAIT_MS));
        int bits = out.get(JAVA_INT_UNALIGNED, Epoll.EVENT_EVENTS);
        assertEquals(EPOLLIN | EPOLLRDHUP | EPOLLHUP, bits & (EPOLLIN | EPOLLRDHUP | EPOLLHUP));
        assertEquals(0, bits & EPOLLERR);
    }

    @Test
    void epollCtlModChangesTheInterestAndDelForgetsTheDescriptor() {
        int epfd = epoll();
        int[] pair = socketpair();
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, pair[0], event(EPOLLIN, 1)));
        assertEquals(0, Epoll.epollWait(epfd, events(1).address(), 1, 0));
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_MOD, pair[0], event(EPOLLOUT, 2)));
        MemorySegment out = events(1);
        assertEquals(1, Epoll.epollWait(epfd, out.address(), 1, 0));
        assertEquals(EPOLLOUT, out.get(JAVA_INT_UNALIGNED, Epoll.EVENT_EVENTS));
        assertEquals(2, out.get(JAVA_LONG_UNALIGNED, Epoll.EVENT_DATA));
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_DEL, pair[0], 0));
        assertEquals(0, Epoll.epollWait(epfd, out.address(), 1, 0));
    }

    @Test
    void epollCtlAnswersEexistWhenAddingADescriptorTwice() {
        int epfd = epoll();
        int[] pair = socketpair();
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, pair[0], event(EPOLLIN, 1)));
        assertEquals(-EEXIST, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, pair[0], event(EPOLLIN, 1)));
    }

    @Test
    void epollCtlAnswersEnoentForADescriptorItDoesNotWatch() {
        int epfd = epoll();
        int[] pair = socketpair();
        assertEquals(-ENOENT, Epoll.epollCtl(epfd, EPOLL_CTL_MOD, pair[0], event(EPOLLIN, 1)));
        assertEquals(-ENOENT, Epoll.epollCtl(epfd, EPOLL_CTL_DEL, pair[0], 0));
    }

    @Test
    void epollCtlAnswersEbadfForADescriptorThatIsNotOpen() {
        int epfd = epoll();
        assertEquals(-EBADF, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, -1, event(EPOLLIN, 1)));
        int[] pair = socketpair();
        assertEquals(-EBADF, Epoll.epollCtl(-1, EPOLL_CTL_ADD, pair[0], event(EPOLLIN, 1)));
    }

    @Test
    void epollCtlAnswersEinvalForWatchingItself() {
        int epfd = epoll();
        assertEquals(-EINVAL, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, epfd, event(EPOLLIN, 1)));
    }

    @Test
    void epollCtlAnswersEpermForARegularFile() {
        // /proc/self/stat is a file epoll cannot watch: regular files are always ready.
        int epfd = epoll();
        int file = track(Fds.open(arena.allocateFrom("/proc/self/stat").address(), O_CLOEXEC, 0));
        assertEquals(-EPERM, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, file, event(EPOLLIN, 1)));
    }

    @Test
    void epollWatchesPipesAsWellAsSockets() {
        int epfd = epoll();
        MemorySegment ends = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Fds.pipe2(ends.address(), O_NONBLOCK | O_CLOEXEC));
        int readEnd = track(ends.getAtIndex(JAVA_INT, 0));
        int writeEnd = track(ends.getAtIndex(JAVA_INT, 1));
        assertEquals(0, Epoll.epollCtl(epfd, EPOLL_CTL_ADD, readEnd, event(EPOLLIN, 3)));
        assertEquals(0, Epoll.epollWait(epfd, events(1).address(), 1, 0));
        assertEquals(1, Fds.write(writeEnd, arena.allocateFrom(JAVA_BYTE, (byte) 1).address(), 1));
        MemorySegment out = events(1);
        assertEquals(1, Epoll.epollWait(epfd, out.address(), 1, READY_WAIT_MS));
        assertEquals(3, out.get(JAVA_LONG_UNALIGNED, Epoll.EVENT_DATA));
    }

    @Test
    void epollWaitAnswersEbadfOrEinvalForBadArguments() {
        MemorySegment out = events(1);
        assertEquals(-EBADF, Epoll.epollWait(-1, out.address(), 1, 0));
        int epfd = epoll();
        assertEquals(-EINVAL, Epoll.epollWait(epfd, out.address(), 0, 0));
        // Not an epoll descriptor.
        int[] pair = socketpair();
        assertEquals(-EINVAL, Epoll.epollWait(pair[0], out.address(), 1, 0));
        // The blocking handle (timeout other than 0) reports errors the same way.
        assertEquals(-EINVAL, Epoll.epollWait(epfd, out.address(), 0, 1));
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

    private int epoll() {
        return track(Epoll.epollCreate1(EPOLL_CLOEXEC));
    }

    private int[] socketpair() {
        MemorySegment sv = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Sockets.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv.address()));
        return new int[] {track(sv.getAtIndex(JAVA_INT, 0)), track(sv.getAtIndex(JAVA_INT, 1))};
    }

    /*
     * struct epoll_event { uint32_t events; epoll_data_t data; } __attribute__((packed));
     */
    private long event(int events, long data) {
        MemorySegment event = arena.allocate(SIZEOF_EPOLL_EVENT);
        event.set(JAVA_INT_UNALIGNED, Epoll.EVENT_EVENTS, events);
        event.set(JAVA_LONG_UNALIGNED, Epoll.EVENT_DATA, data);
        return event.address();
    }

    private MemorySegment events(int count) {
        return arena.allocate(SIZEOF_EPOLL_EVENT * count);
    }
}
