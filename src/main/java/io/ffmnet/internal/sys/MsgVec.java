package io.ffmnet.internal.sys;

import java.lang.foreign.MemorySegment;

import static io.ffmnet.bindings.linux_x86_64.Structs.*;
import static io.ffmnet.internal.sys.SysConstants.IPPROTO_UDP;
import static io.ffmnet.internal.sys.SysConstants.UDP_GRO;
import static io.ffmnet.internal.sys.SysConstants.UDP_SEGMENT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An array of {@code struct mmsghdr} for {@code recvmmsg}/{@code sendmmsg}, with the
 * {@code iovec}s and address slots its headers point into, in one block of malloc'd memory that
 * lives as long as its owner (freed by {@link #close}). Several datagrams then cost one system
 * call, and nothing is allocated per datagram.
 *
 * <pre>
 * struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; };
 * struct msghdr  { void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov; size_t msg_iovlen;
 *                  void *msg_control; size_t msg_controllen; int msg_flags; };
 * struct iovec   { void *iov_base; size_t iov_len; };
 * </pre>
 * Layout: {@code capacity} headers, then {@code iovCapacity} iovecs, then {@code capacity}
 * address slots of {@link SockAddr#MAX_SIZE} bytes each, then {@code capacity} control slots of
 * {@link #CONTROL_SIZE} bytes for the one UDP control message a header may carry
 * ({@code UDP_SEGMENT} on send, {@code UDP_GRO} on receive: udp(7)):
 * <pre>
 * struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; unsigned char cmsg_data[]; };
 * </pre>
 * Not thread-safe: one loop thread uses it.
 */
public final class MsgVec implements AutoCloseable {
    private static final long NAME_SIZE = SockAddr.MAX_SIZE;
    /** {@code CMSG_SPACE(sizeof(int))}: room for one cmsghdr and an int, 8-aligned. */
    static final long CONTROL_SIZE = CMSG_DATA_OFFSET + 8;

    private final int capacity;
    private final int iovCapacity;
    private final long base;
    private final long iovs;
    private final long names;
    private final long controls;
    private final MemorySegment memory;
    private boolean closed;

    /**
     * @param capacity    how many datagrams one call can carry
     * @param iovCapacity how many buffers all of them together can point to
     */
    public MsgVec(int capacity, int iovCapacity) {
        if (capacity < 1 || iovCapacity < 0) {
            throw new IllegalArgumentException("capacity " + capacity + ", iovCapacity " + iovCapacity);
        }
        this.capacity = capacity;
        this.iovCapacity = iovCapacity;
        long size = capacity * SIZEOF_MMSGHDR + iovCapacity * SIZEOF_IOVEC + capacity * (NAME_SIZE + CONTROL_SIZE);
        this.base = Mem.malloc(size);
        this.iovs = base + capacity * SIZEOF_MMSGHDR;
        this.names = iovs + iovCapacity * SIZEOF_IOVEC;
        this.controls = names + capacity * NAME_SIZE;
        this.memory = MemorySegment.ofAddress(base).reinterpret(size);
        memory.fill((byte) 0);
    }

    /** How many datagrams one call can carry. */
    public int capacity() {
        return capacity;
    }

    /** How many iovecs the block holds. */
    public int iovCapacity() {
        return iovCapacity;
    }

    /**
     * Points header {@code i} at iovecs {@code iovFirst .. iovFirst + iovCount - 1} and, unless
     * {@code nameLength} is 0, at its own address slot with that length (for receiving, the room
     * in the slot; for sending, the length of the destination written with {@link #name}). A
     * {@code nameLength} of 0 sends to the connected peer, or receives without the sender.
     */
    public void setMessage(int i, int iovFirst, int iovCount, int nameLength) {
        long h = header(i);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_NAME, nameLength == 0 ? 0L : names + i * NAME_SIZE);
        memory.set(JAVA_INT, h + OFFSETOF_MSGHDR_MSG_NAMELEN, nameLength);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_IOV, iovs + iovFirst * SIZEOF_IOVEC);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_IOVLEN, iovCount);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_CONTROL, 0L);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_CONTROLLEN, 0L);
        memory.set(JAVA_INT, h + OFFSETOF_MSGHDR_MSG_FLAGS, 0);
        memory.set(JAVA_INT, h + OFFSETOF_MMSGHDR_MSG_LEN, 0);
    }

    /**
     * Makes header {@code i} (set with {@link #setMessage} first) carry {@code UDP_SEGMENT}: the
     * kernel cuts its payload into datagrams of {@code segmentSize} bytes, the last one possibly
     * shorter (udp(7), Linux 4.18). The kernel wants {@code cmsg_len == CMSG_LEN(sizeof(__u16))}.
     */
    public void setSegmentSize(int i, int segmentSize) {
        long c = controls - base + i * CONTROL_SIZE;
        memory.set(JAVA_LONG, c + OFFSETOF_CMSGHDR_CMSG_LEN, CMSG_DATA_OFFSET + 2);
        memory.set(JAVA_INT, c + OFFSETOF_CMSGHDR_CMSG_LEVEL, IPPROTO_UDP);   // SOL_UDP
        memory.set(JAVA_INT, c + OFFSETOF_CMSGHDR_CMSG_TYPE, UDP_SEGMENT);
        memory.set(JAVA_SHORT, c + CMSG_DATA_OFFSET, (short) segmentSize);
        long h = header(i);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_CONTROL, controls + i * CONTROL_SIZE);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_CONTROLLEN, CONTROL_SIZE);
    }

    /** Gives header {@code i} (set with {@link #setMessage} first) room to receive a control message. */
    public void setControlRoom(int i) {
        long h = header(i);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_CONTROL, controls + i * CONTROL_SIZE);
        memory.set(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_CONTROLLEN, CONTROL_SIZE);
    }

    /**
     * The {@code UDP_GRO} control message of received header {@code i}: the size of each datagram
     * the kernel coalesced into this one buffer ({@code int gso_size}), or 0 when there is none.
     */
    public int groSegmentSize(int i) {
        long h = header(i);
        long length = memory.get(JAVA_LONG, h + OFFSETOF_MSGHDR_MSG_CONTROLLEN);
        if (length < CMSG_DATA_OFFSET + 4) {
            return 0;
        }
        long c = controls - base + i * CONTROL_SIZE;
        if (memory.get(JAVA_INT, c + OFFSETOF_CMSGHDR_CMSG_LEVEL) != IPPROTO_UDP
                || memory.get(JAVA_INT, c + OFFSETOF_CMSGHDR_CMSG_TYPE) != UDP_GRO) {
            return 0;
        }
        return memory.get(JAVA_INT, c + CMSG_DATA_OFFSET);
    }

    /** Sets iovec {@code j} to {@code length} bytes at native address {@code address}. */
    public void setIov(int j, long address, long length) {
        long v = iovs - base + j * SIZEOF_IOVEC;
        memory.set(JAVA_LONG, v + OFFSETOF_IOVEC_IOV_BASE, address);
        memory.set(JAVA_LONG, v + OFFSETOF_IOVEC_IOV_LEN, length);
    }

    /** The address slot of header {@code i}: write a destination here, or read a sender. */
    public MemorySegment name(int i) {
        return memory.asSlice(names - base + i * NAME_SIZE, NAME_SIZE);
    }

    /** Whether the address in slot {@code i} is the {@code length} bytes at the start of {@code other}. */
    public boolean sameName(int i, MemorySegment other, int length) {
        long from = names - base + i * NAME_SIZE;
        return MemorySegment.mismatch(memory, from, from + length, other, 0, length) < 0;
    }

    /** Copies the first {@code length} bytes of {@code from} into slot {@code i}: a destination. */
    public void setName(int i, MemorySegment from, int length) {
        MemorySegment.copy(from, 0, memory, names - base + i * NAME_SIZE, length);
    }

    /** Copies the first {@code length} bytes of slot {@code i} to the start of {@code to}. */
    public void copyName(int i, MemorySegment to, int length) {
        MemorySegment.copy(memory, names - base + i * NAME_SIZE, to, 0, length);
    }

    /** The length the kernel wrote back for the address of header {@code i}. */
    public int nameLength(int i) {
        return memory.get(JAVA_INT, header(i) + OFFSETOF_MSGHDR_MSG_NAMELEN);
    }

    /**
     * {@code msg_len} of header {@code i}: bytes sent, or bytes received; with {@code MSG_TRUNC}
     * passed to {@link #receive}, the datagram's full length even when it did not fit.
     */
    public int length(int i) {
        return memory.get(JAVA_INT, header(i) + OFFSETOF_MMSGHDR_MSG_LEN);
    }

    /** {@code msg_flags} the kernel set on header {@code i} ({@code MSG_TRUNC} when cut short). */
    public int flags(int i) {
        return memory.get(JAVA_INT, header(i) + OFFSETOF_MSGHDR_MSG_FLAGS);
    }

    /** {@code recvmmsg} into headers {@code 0 .. count - 1}: how many arrived, or {@code -errno}. */
    public int receive(int fd, int count, int flags) {
        checkCount(count);
        return Sockets.recvmmsg(fd, base, count, flags);
    }

    /** {@code sendmmsg} of headers {@code from .. from + count - 1}: how many went out, or {@code -errno}. */
    public int send(int fd, int from, int count) {
        checkCount(from + count);
        return Sockets.sendmmsg(fd, base + from * SIZEOF_MMSGHDR, count, 0);
    }

    /** {@code sendmsg} of header {@code i} alone: bytes sent, or {@code -errno}. */
    public long sendOne(int fd, int i) {
        checkCount(i + 1);
        return Sockets.sendmsg(fd, base + i * SIZEOF_MMSGHDR + OFFSETOF_MMSGHDR_MSG_HDR, 0);
    }

    /** Frees the block; later use is a bug of ours. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Mem.free(base);
        }
    }

    private long header(int i) {
        return i * SIZEOF_MMSGHDR;
    }

    private void checkCount(int end) {
        if (closed || end > capacity) {
            throw new AssertionError(closed ? "MsgVec used after close" : "MsgVec overrun: " + end);
        }
    }
}
