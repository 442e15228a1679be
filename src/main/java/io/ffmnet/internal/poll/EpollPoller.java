package io.ffmnet.internal.poll;

import io.ffmnet.internal.sys.Epoll;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Fds;
import io.ffmnet.internal.sys.Mem;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * {@link Poller} on Linux epoll, level-triggered (as Netty 4.2 and libuv use it: a handle that
 * leaves data unread is simply reported again, so no read loop has to drain a socket dry).
 *
 * <p>Each handle gets a slot in {@link #handles}; the kernel's {@code epoll_data} carries the
 * slot and a generation number, so an event collected for a handle that was removed (and whose
 * slot was reused) during the same round is recognised and dropped.
 */
public final class EpollPoller implements Poller {
    /**
     * Events taken per wait. Level-triggered epoll reports what is left next time, so this only
     * bounds one round's batch (and the memory of the event array), not what can be served.
     */
    static final int MAX_EVENTS = 1024;

    private final int epfd;
    private final long events;         // struct epoll_event[MAX_EVENTS]
    private final long ctlEvent;       // one struct epoll_event for epoll_ctl
    private final MemorySegment eventView;
    private final MemorySegment ctlView;

    private PollHandle[] handles = new PollHandle[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextSlot;
    private int size;

    private PollHandle[] changes = new PollHandle[64];
    private int changeCount;

    private int readyCount;
    /** Numbers each attach, so a slot's generation differs from every earlier use of it. */
    private int attachCount;

    public EpollPoller() {
        int fd = Epoll.epollCreate1(Epoll.EPOLL_CLOEXEC);
        if (fd < 0) {
            throw Errors.exception(fd, "epoll_create1");
        }
        epfd = fd;
        events = Mem.malloc(MAX_EVENTS * Epoll.EVENT_SIZE);
        ctlEvent = Mem.malloc(Epoll.EVENT_SIZE);
        eventView = MemorySegment.ofAddress(events).reinterpret(MAX_EVENTS * Epoll.EVENT_SIZE);
        ctlView = MemorySegment.ofAddress(ctlEvent).reinterpret(Epoll.EVENT_SIZE);
    }

    @Override
    public void setInterest(PollHandle handle, int interest) {
        if (handle.slot < 0) {
            attach(handle);
        }
        handle.interest = interest;
        if (!handle.changeQueued && interest != handle.registered) {
            handle.changeQueued = true;
            if (changeCount == changes.length) {
                changes = Arrays.copyOf(changes, changeCount * 2);
            }
            changes[changeCount++] = handle;
        }
    }

    @Override
    public void remove(PollHandle handle) {
        if (handle.slot < 0) {
            return;
        }
        if (handle.registered != 0) {
            int r = Epoll.epollCtl(epfd, Epoll.EPOLL_CTL_DEL, handle.fd, 0);
            if (r < 0) {
                throw new AssertionError("epoll_ctl(DEL, " + handle.fd + ") " + Errors.code(r));
            }
        }
        handles[handle.slot] = null;
        pushFreeSlot(handle.slot);
        handle.slot = -1;
        handle.registered = 0;
        handle.interest = 0;
        size--;
        // A queued change for this handle is skipped in applyChanges (slot < 0).
    }

    @Override
    public int poll(int timeoutMs) {
        applyChanges();
        int n = Epoll.epollWait(epfd, events, MAX_EVENTS, timeoutMs);
        readyCount = Math.max(n, 0);
        return n;
    }

    @Override
    public PollHandle readyHandle(int i) {
        long data = eventView.get(JAVA_LONG_UNALIGNED, i * Epoll.EVENT_SIZE + Epoll.EVENT_DATA);
        PollHandle handle = handles[(int) data];
        return handle != null && handle.generation == (int) (data >>> 32) ? handle : null;
    }

    @Override
    public int readyEvents(int i) {
        int e = eventView.get(JAVA_INT_UNALIGNED, i * Epoll.EVENT_SIZE + Epoll.EVENT_EVENTS);
        int bits = 0;
        if ((e & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP)) != 0) {
            bits |= READABLE;
        }
        if ((e & Epoll.EPOLLOUT) != 0) {
            bits |= WRITABLE;
        }
        if ((e & Epoll.EPOLLHUP) != 0) {
            bits |= HANGUP;
        }
        if ((e & Epoll.EPOLLERR) != 0) {
            bits |= ERROR;
        }
        return bits;
    }

    /** How many events the last {@link #poll} returned. */
    public int readyCount() {
        return readyCount;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void close() {
        Fds.close(epfd);
        Mem.free(events);
        Mem.free(ctlEvent);
    }

    private void attach(PollHandle handle) {
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextSlot++;
        if (slot == handles.length) {
            handles = Arrays.copyOf(handles, slot * 2);
        }
        handles[slot] = handle;
        handle.slot = slot;
        handle.generation = ++attachCount;
        handle.registered = 0;
        size++;
    }

    private void pushFreeSlot(int slot) {
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    /**
     * Sends each recorded change to the kernel: ADD when the kernel does not know the fd, MOD
     * when the interest changed, DEL when nothing is wanted any more (a registered fd with no
     * interest would still report HUP and ERR forever, level-triggered).
     */
    private void applyChanges() {
        for (int i = 0; i < changeCount; i++) {
            PollHandle h = changes[i];
            changes[i] = null;
            h.changeQueued = false;
            if (h.slot < 0 || h.interest == h.registered) {
                continue;
            }
            int op = h.interest == 0 ? Epoll.EPOLL_CTL_DEL
                    : h.registered == 0 ? Epoll.EPOLL_CTL_ADD
                    : Epoll.EPOLL_CTL_MOD;
            ctlView.set(JAVA_INT_UNALIGNED, Epoll.EVENT_EVENTS, epollBits(h.interest));
            ctlView.set(JAVA_LONG_UNALIGNED, Epoll.EVENT_DATA, ((long) h.generation << 32) | h.slot);
            int r = Epoll.epollCtl(epfd, op, h.fd, ctlEvent);
            if (r < 0) {
                throw new AssertionError("epoll_ctl(" + op + ", " + h.fd + ") " + Errors.code(r));
            }
            h.registered = h.interest;
        }
        changeCount = 0;
    }

    private static int epollBits(int interest) {
        int bits = 0;
        if ((interest & READABLE) != 0) {
            bits |= Epoll.EPOLLIN | Epoll.EPOLLRDHUP;
        }
        if ((interest & WRITABLE) != 0) {
            bits |= Epoll.EPOLLOUT;
        }
        return bits;
    }
}
