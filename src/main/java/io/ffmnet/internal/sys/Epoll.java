package io.ffmnet.internal.sys;

import io.ffmnet.bindings.linux_x86_64.Constants;
import io.ffmnet.bindings.linux_x86_64.Functions;
import io.ffmnet.bindings.linux_x86_64.Structs;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.ffmnet.bindings.linux_x86_64.Errno.EINTR;

/** epoll(7). Results are {@code >= 0} or {@code -errno}. */
public final class Epoll {
    private Epoll() {}

    public static final int EPOLLIN = Constants.EPOLLIN;
    public static final int EPOLLOUT = Constants.EPOLLOUT;
    public static final int EPOLLERR = Constants.EPOLLERR;
    public static final int EPOLLHUP = Constants.EPOLLHUP;
    public static final int EPOLLRDHUP = Constants.EPOLLRDHUP;
    public static final int EPOLL_CTL_ADD = Constants.EPOLL_CTL_ADD;
    public static final int EPOLL_CTL_MOD = Constants.EPOLL_CTL_MOD;
    public static final int EPOLL_CTL_DEL = Constants.EPOLL_CTL_DEL;
    public static final int EPOLL_CLOEXEC = Constants.EPOLL_CLOEXEC;

    /*
     * struct epoll_event { uint32_t events; epoll_data_t data; } __attribute__((packed));
     * packed on x86_64, so data sits at offset 4 and is read unaligned.
     */
    public static final long EVENT_SIZE = Structs.SIZEOF_EPOLL_EVENT;
    public static final long EVENT_EVENTS = Structs.OFFSETOF_EPOLL_EVENT_EVENTS;
    public static final long EVENT_DATA = Structs.OFFSETOF_EPOLL_EVENT_DATA;

    // int epoll_create1(int flags);
    private static final MethodHandle EPOLL_CREATE1 = Native.downcall("epoll_create1", Functions.EPOLL_CREATE1, true);
    // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event);
    private static final MethodHandle EPOLL_CTL = Native.downcall("epoll_ctl", Functions.EPOLL_CTL, true);
    // int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);  blocks
    private static final MethodHandle EPOLL_WAIT = Native.downcall("epoll_wait", Functions.EPOLL_WAIT, false);
    // int epoll_wait(...) with timeout 0 never blocks, so it may skip the thread-state transition.
    private static final MethodHandle EPOLL_WAIT_NOW = Native.downcall("epoll_wait", Functions.EPOLL_WAIT, true);

    public static int epollCreate1(int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) EPOLL_CREATE1.invokeExact(errno, flags);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param event the address of a {@code struct epoll_event}, or 0 for {@code EPOLL_CTL_DEL} */
    public static int epollCtl(int epfd, int op, int fd, long event) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) EPOLL_CTL.invokeExact(errno, epfd, op, fd, event);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /**
     * Waits for events. An interrupted wait answers 0 events rather than retrying with the
     * same timeout: the caller recomputes its timeout from its clock anyway.
     */
    public static int epollWait(int epfd, long events, int maxevents, int timeoutMs) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = timeoutMs == 0
                    ? (int) EPOLL_WAIT_NOW.invokeExact(errno, epfd, events, maxevents, 0)
                    : (int) EPOLL_WAIT.invokeExact(errno, epfd, events, maxevents, timeoutMs);
            if (r >= 0) {
                return r;
            }
            int e = Native.negErrno(errno);
            return e == -EINTR ? 0 : e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
