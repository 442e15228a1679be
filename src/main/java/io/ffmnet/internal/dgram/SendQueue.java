package io.ffmnet.internal.dgram;

import io.ffmnet.internal.sys.MsgVec;
import io.ffmnet.internal.sys.SockAddr;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.EINVAL;

/**
 * The send side of a UDP socket: datagrams the kernel could not take at once, sent later with
 * {@code sendmmsg}, many per system call, each still completing on its own.
 *
 * <p>A datagram's parts become iovecs of one {@code mmsghdr}; its destination is encoded into
 * the header's address slot (the last destination is remembered, since a socket usually sends to
 * few peers, and a zone name would cost an {@code if_nametoindex} each time). A datagram with more
 * parts than the iovec area holds goes out alone through a block of its own.
 */
final class SendQueue implements AutoCloseable {
    /** The most datagrams one {@code sendmmsg} carries; libuv uses 20 ({@code UV__MMSG_MAXWIDTH}). */
    static final int MAX_WIDTH = 32;
    /** Iovecs shared by one call's datagrams: room for 32 datagrams of 4 parts. */
    static final int IOV_CAPACITY = 128;

    private final int family;
    private final ArrayDeque<SendRequest> queue = new ArrayDeque<>();
    private MsgVec vec;
    /** One batch's outcomes, taken off the queue before any callback runs. */
    private final int[] results = new int[MAX_WIDTH];
    private final SendRequest[] done = new SendRequest[MAX_WIDTH];

    /** The destination {@link #encode} wrote last, to skip parsing it again. */
    private String lastIp;
    private int lastPort = -1;
    private int lastLength;
    private final MemorySegment lastName = MemorySegment.ofArray(new byte[SockAddr.MAX_SIZE]);

    private long queuedBytes;

    SendQueue(int family) {
        this.family = family;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int count() {
        return queue.size();
    }

    long bytes() {
        return queuedBytes;
    }

    void add(SendRequest request) {
        queue.add(request);
        queuedBytes += request.bytes();
    }

    /**
     * Sends {@code request} now, ahead of nothing (the queue must be empty).
     *
     * @return the bytes sent, or {@code -errno} ({@code -EAGAIN}: queue it)
     */
    long sendNow(int fd, SendRequest request) {
        if (request.parts > IOV_CAPACITY) {
            return sendAlone(fd, request);
        }
        MsgVec v = vec();
        int r = fill(v, 0, 0, request);
        return r < 0 ? r : v.sendOne(fd, 0);
    }

    /**
     * Sends queued datagrams until the queue is empty, the kernel pushes back, the socket closes
     * under a callback, or {@code budget} datagrams have completed.
     *
     * @return true when the queue is empty
     */
    boolean flush(int fd, int budget, UdpHandle handle) {
        while (!queue.isEmpty() && budget > 0 && !handle.isClosed()) {
            int n = sendBatch(fd);
            if (n == -EAGAIN) {
                return false;
            }
            budget -= Math.max(n, 1);
        }
        return queue.isEmpty();
    }

    /**
     * One {@code sendmmsg}, then each datagram it took (or the first one it refused) completes.
     * The results are copied out before any callback runs: a callback may send (which reuses the
     * headers) or close the socket.
     *
     * @return how many datagrams completed, or {@code -EAGAIN}
     */
    private int sendBatch(int fd) {
        SendRequest head = queue.peek();
        if (head.parts > IOV_CAPACITY) {
            return completeOne(sendAlone(fd, head));
        }
        MsgVec v = vec();
        int count = 0;
        int iov = 0;
        for (SendRequest r : queue) {
            if (count == MAX_WIDTH || iov + r.parts > IOV_CAPACITY) {
                break;
            }
            int e = fill(v, count, iov, r);
            if (e < 0) {
                if (count == 0) {
                    return completeOne(e);  // a bad destination fails alone
                }
                break;
            }
            iov += r.parts;
            count++;
        }
        int sent = v.send(fd, 0, count);
        if (sent < 0) {
            return sent == -EAGAIN ? sent : completeOne(sent);
        }
        for (int i = 0; i < sent; i++) {
            results[i] = v.length(i);
            done[i] = queue.poll();
            queuedBytes -= done[i].bytes();
        }
        for (int i = 0; i < sent; i++) {
            SendRequest r = done[i];
            done[i] = null;
            r.complete(results[i]);
        }
        return sent;
    }

    private int completeOne(long result) {
        if (result == -EAGAIN) {
            return -EAGAIN;
        }
        complete((int) result);
        return 1;
    }

    private void complete(int result) {
        SendRequest r = queue.poll();
        queuedBytes -= r.bytes();
        r.complete(result);
    }

    /** A datagram of more parts than the shared iovecs hold, through a block of its own. */
    private long sendAlone(int fd, SendRequest request) {
        try (MsgVec own = new MsgVec(1, request.parts)) {
            int r = fill(own, 0, 0, request);
            return r < 0 ? r : own.sendOne(fd, 0);
        }
    }

    /** Writes {@code request} into header {@code i}, its parts from iovec {@code iov} on. */
    private int fill(MsgVec v, int i, int iov, SendRequest request) {
        for (int p = 0; p < request.parts; p++) {
            v.setIov(iov + p, request.addresses[p], request.lengths[p]);
        }
        int nameLength = 0;
        if (request.ip != null) {
            nameLength = encode(v, i, request.ip, request.port);
            if (nameLength < 0) {
                return nameLength;
            }
        }
        v.setMessage(i, iov, request.parts, nameLength);
        return 0;
    }

    /**
     * Writes the destination into slot {@code i}. An address of the other family is
     * {@code -EINVAL}, as Node reports sending to {@code ::1} from a {@code udp4} socket.
     */
    private int encode(MsgVec v, int i, String ip, int port) {
        if (port != lastPort || !ip.equals(lastIp)) {
            int length = SockAddr.encode(lastName, ip, port);
            if (length < 0) {
                lastIp = null;
                return length;
            }
            if (SockAddr.family(lastName) != family) {
                lastIp = null;
                return -EINVAL;
            }
            lastIp = ip;
            lastPort = port;
            lastLength = length;
        }
        v.setName(i, lastName, lastLength);
        return lastLength;
    }

    private MsgVec vec() {
        if (vec == null) {
            vec = new MsgVec(MAX_WIDTH, IOV_CAPACITY);
        }
        return vec;
    }

    /** Takes every queued request out (for cancelling them); the caller completes them. */
    SendRequest[] drain() {
        SendRequest[] all = queue.toArray(new SendRequest[0]);
        queue.clear();
        queuedBytes = 0;
        return all;
    }

    @Override
    public void close() {
        if (vec != null) {
            vec.close();
            vec = null;
        }
    }
}
