package io.ffmnet.internal.dgram;

import io.ffmnet.internal.sys.MsgVec;
import io.ffmnet.internal.sys.SockAddr;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Iterator;

import static io.ffmnet.internal.sys.SysConstants.EAGAIN;
import static io.ffmnet.internal.sys.SysConstants.EINVAL;
import static io.ffmnet.internal.sys.SysConstants.EIO;
import static io.ffmnet.internal.sys.SysConstants.EMSGSIZE;
import static io.ffmnet.internal.sys.SysConstants.ENOPROTOOPT;

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
    /** Datagrams per UDP_SEGMENT header at most: the kernel's {@code UDP_MAX_SEGMENTS} was 64 until Linux 6.9. */
    static final int MAX_SEGMENTS = 64;
    /**
     * Payload per UDP_SEGMENT header at most: the kernel refuses more than one IPv4 datagram could
     * carry (65,535 less the IP and UDP headers).
     */
    static final int MAX_SEGMENTED_BYTES = 65_507;
    /**
     * Datagrams this small fit any IPv4 path (576-byte minimum MTU, less 60 bytes of IP options
     * and 8 of UDP header): a segmented send of them that the kernel refuses was not refused
     * for its size.
     */
    static final int ALWAYS_FITS = 508;

    private final int family;
    private final ArrayDeque<SendRequest> queue = new ArrayDeque<>();
    private MsgVec vec;
    /** One batch's outcomes, taken off the queue before any callback runs. */
    private final int[] results = new int[MAX_WIDTH + IOV_CAPACITY];
    private final SendRequest[] done = new SendRequest[MAX_WIDTH + IOV_CAPACITY];
    /** How many datagrams each header of the batch carries (more than 1 with UDP_SEGMENT). */
    private final int[] segmentsOf = new int[MAX_WIDTH];
    /** The run {@link #joinRun} found, and the request after it. */
    private final SendRequest[] run = new SendRequest[MAX_SEGMENTS + 1];
    private boolean segmentation;
    /**
     * The largest datagram size that may be joined: lowered below a size the kernel refused to
     * segment (the segment and its headers must fit the route's MTU, unlike a plain datagram,
     * which the kernel fragments).
     */
    private int segmentLimit = Integer.MAX_VALUE;
    private long segmentedSends;
    private long segmentedDatagrams;

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
        if (request.parts() > IOV_CAPACITY) {
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
     * headers) or close the socket. With {@link #setSegmentation segmentation} on, a run of
     * datagrams to one destination goes as one header ({@link #joinRun}).
     *
     * @return how many datagrams completed, or {@code -EAGAIN}
     */
    private int sendBatch(int fd) {
        SendRequest head = queue.peek();
        if (head.parts() > IOV_CAPACITY) {
            return completeOne(sendAlone(fd, head));
        }
        MsgVec v = vec();
        int count = 0;
        int iov = 0;
        Iterator<SendRequest> it = queue.iterator();
        SendRequest r = it.next();
        while (r != null && count < MAX_WIDTH && iov + r.parts() <= IOV_CAPACITY) {
            int nameLength = fill(v, count, iov, r);
            if (nameLength < 0) {
                if (count == 0) {
                    return completeOne(nameLength);  // a bad destination fails alone
                }
                break;
            }
            int first = iov;
            iov += r.parts();
            SendRequest next = it.hasNext() ? it.next() : null;
            int segments = 1;
            if (segmentation && next != null) {
                segments = joinRun(v, r, next, it, iov);
                for (int s = 1; s < segments; s++) {
                    iov += run[s].parts();
                }
                next = segments > 1 ? run[segments] : next;
                if (segments > 1) {
                    v.setMessage(count, first, iov - first, nameLength);
                    v.setSegmentSize(count, r.bytes());
                }
            }
            segmentsOf[count++] = segments;
            r = next;
        }
        int sent = v.send(fd, 0, count);
        if (sent < 0) {
            if (segmentsOf[0] > 1 && refusedSegmentation(sent, head.bytes())) {
                return 0;   // sent again, unjoined or in smaller runs
            }
            return sent == -EAGAIN ? sent : completeOne(sent);
        }
        int k = 0;
        for (int e = 0; e < sent; e++) {
            if (segmentsOf[e] > 1) {
                segmentedSends++;
                segmentedDatagrams += segmentsOf[e];
            }
            for (int s = 0; s < segmentsOf[e]; s++) {
                SendRequest q = queue.poll();
                results[k] = segmentsOf[e] == 1 ? v.length(e) : q.bytes();
                done[k++] = q;
                queuedBytes -= q.bytes();
            }
        }
        for (int i = 0; i < k; i++) {
            SendRequest q = done[i];
            done[i] = null;
            q.complete(results[i]);
        }
        return k;
    }

    /**
     * Adds to the header just filled for {@code head} the datagrams after it that UDP_SEGMENT can
     * carry with it (udp(7)): same destination, each of {@code head}'s size but the last, which
     * may be shorter (and ends the run), at most {@link #MAX_SEGMENTS} and {@link #MAX_SEGMENTED_BYTES}
     * in all. Their iovecs follow {@code head}'s from {@code iov}. Leaves the run in {@link #run},
     * {@code head} first, and the request after it at {@code run[segments]} (null at the end).
     *
     * @return how many datagrams the header carries (1: no run)
     */
    private int joinRun(MsgVec v, SendRequest head, SendRequest next, Iterator<SendRequest> it, int iov) {
        long size = head.bytes();
        long total = size;
        int segments = 1;
        run[0] = head;
        while (next != null && size > 0 && size <= segmentLimit && segments < MAX_SEGMENTS && next.bytes() > 0 && next.bytes() <= size
                && total + next.bytes() <= MAX_SEGMENTED_BYTES && iov + next.parts() <= IOV_CAPACITY
                && sameDestination(head, next)) {
            for (int p = 0; p < next.parts(); p++) {
                v.setIov(iov + p, next.address(p), next.length(p));
            }
            iov += next.parts();
            total += next.bytes();
            run[segments++] = next;
            boolean shorter = next.bytes() < size;
            next = it.hasNext() ? it.next() : null;
            if (shorter) {
                break;
            }
        }
        run[segments] = next;
        return segments;
    }

    /**
     * A segmented header of {@code size}-byte datagrams failed with {@code -errno}: whether the
     * cause is the segmentation, in which case it is narrowed and the datagrams are resent.
     * {@code EMSGSIZE} (Linux 6.x) or {@code EINVAL} (older kernels) for segments too large for
     * the route's MTU stops joining datagrams of this size and larger; {@code EIO},
     * {@code ENOPROTOOPT}, or {@code EINVAL} for datagrams that fit any path, mean no
     * {@code UDP_SEGMENT} here (no offload, {@code SO_NO_CHECK}): one datagram per header from now on.
     */
    private boolean refusedSegmentation(int errno, int size) {
        boolean tooLarge = errno == -EMSGSIZE || errno == -EINVAL;
        if (tooLarge && size > ALWAYS_FITS) {
            segmentLimit = size - 1;
            return true;
        }
        if (errno == -EIO || errno == -EINVAL || errno == -ENOPROTOOPT) {
            segmentation = false;
            return true;
        }
        return false;
    }

    private static boolean sameDestination(SendRequest a, SendRequest b) {
        return a.ip() == null ? b.ip() == null : a.port() == b.port() && a.ip().equals(b.ip());
    }

    /** Turns {@code UDP_SEGMENT} batching on or off (off by default; see {@link UdpOffload}). */
    void setSegmentation(boolean on) {
        segmentation = on;
    }

    /** Headers sent with {@code UDP_SEGMENT}, each carrying several datagrams: for tests and diagnostics. */
    long segmentedSends() {
        return segmentedSends;
    }

    /** Datagrams those headers carried. */
    long segmentedDatagrams() {
        return segmentedDatagrams;
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
        try (MsgVec own = new MsgVec(1, request.parts())) {
            int r = fill(own, 0, 0, request);
            return r < 0 ? r : own.sendOne(fd, 0);
        }
    }

    /** Writes {@code request} into header {@code i}, its parts from iovec {@code iov} on: its name's length, or {@code -errno}. */
    private int fill(MsgVec v, int i, int iov, SendRequest request) {
        for (int p = 0; p < request.parts(); p++) {
            v.setIov(iov + p, request.address(p), request.length(p));
        }
        int nameLength = 0;
        if (request.ip() != null) {
            nameLength = encode(v, i, request.ip(), request.port());
            if (nameLength < 0) {
                return nameLength;
            }
        }
        v.setMessage(i, iov, request.parts(), nameLength);
        return nameLength;
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
