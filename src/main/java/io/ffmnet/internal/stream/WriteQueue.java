package io.ffmnet.internal.stream;

import io.ffmnet.internal.sys.Fds;

import java.lang.foreign.MemorySegment;

import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.OFFSETOF_IOVEC_IOV_BASE;
import static io.ffmnet.internal.sys.SysConstants.OFFSETOF_IOVEC_IOV_LEN;
import static io.ffmnet.internal.sys.SysConstants.SIZEOF_IOVEC;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The bytes a stream could not write at once, in order, flushed with one gathering
 * {@code writev} per round.
 */
final class WriteQueue {
    /**
     * Requests gathered into one writev. Linux's IOV_MAX is 1024; 256 already moves more than
     * a socket buffer takes in one call for any realistic message size.
     */
    static final int MAX_IOV = 256;

    static final int FLUSHED = 0;
    static final int PARTIAL = 1;

    private WriteRequest head;
    private WriteRequest tail;
    private long bytes;

    boolean isEmpty() {
        return head == null;
    }

    /** Bytes queued and not yet written. */
    long bytes() {
        return bytes;
    }

    void add(WriteRequest request) {
        request.next = null;
        if (tail == null) {
            head = request;
        } else {
            tail.next = request;
        }
        tail = request;
        bytes += request.remaining;
    }

    /**
     * Writes as much as the kernel takes, completing each request whose last byte went out.
     *
     * @param iov scratch memory for {@link #MAX_IOV} iovecs
     * @return {@link #FLUSHED} when the queue is empty, {@link #PARTIAL} when the kernel's buffer
     *         is full, or a negative errno (the queue is left as it was for {@link #failAll})
     */
    int flush(int fd, long iov, MemorySegment iovView) {
        while (head != null) {
            int count = 0;
            long offered = 0;
            for (WriteRequest r = head; r != null && count < MAX_IOV; r = r.next) {
                long at = (long) count * SIZEOF_IOVEC;
                iovView.set(JAVA_LONG_UNALIGNED, at + OFFSETOF_IOVEC_IOV_BASE, r.address);
                iovView.set(JAVA_LONG_UNALIGNED, at + OFFSETOF_IOVEC_IOV_LEN, r.remaining);
                offered += r.remaining;
                count++;
            }
            long n = count == 1 ? Fds.write(fd, head.address, head.remaining) : Fds.writev(fd, iov, count);
            if (n < 0) {
                return n == -EAGAIN ? PARTIAL : (int) n;
            }
            consume(n);
            if (n < offered) {
                return PARTIAL;  // the socket buffer is full; wait for WRITABLE
            }
        }
        return FLUSHED;
    }

    /**
     * Advances past {@code n} written bytes, completing each request whose last byte went out.
     * {@link WriteRequest#complete} must not touch the queue (the api defers user callbacks).
     */
    private void consume(long n) {
        bytes -= n;
        while (head != null) {
            WriteRequest r = head;
            if (n < r.remaining) {
                r.address += n;
                r.remaining -= (int) n;
                return;
            }
            n -= r.remaining;
            r.remaining = 0;
            head = r.next;
            if (head == null) {
                tail = null;
            }
            r.next = null;
            r.complete(0);
        }
    }

    /** Completes every queued request with {@code status}, in order, and empties the queue. */
    void failAll(int status) {
        WriteRequest r = head;
        head = tail = null;
        bytes = 0;
        while (r != null) {
            WriteRequest next = r.next;
            r.next = null;
            r.complete(status);
            r = next;
        }
    }
}
