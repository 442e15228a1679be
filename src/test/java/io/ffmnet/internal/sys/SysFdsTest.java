package io.ffmnet.internal.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static io.ffmnet.bindings.linux_x86_64.Constants.AF_UNIX;
import static io.ffmnet.bindings.linux_x86_64.Constants.EFD_SEMAPHORE;
import static io.ffmnet.bindings.linux_x86_64.Constants.FD_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.FIONREAD;
import static io.ffmnet.bindings.linux_x86_64.Constants.F_GETFD;
import static io.ffmnet.bindings.linux_x86_64.Constants.F_GETFL;
import static io.ffmnet.bindings.linux_x86_64.Constants.F_SETFL;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_CREAT;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_RDONLY;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_TRUNC;
import static io.ffmnet.bindings.linux_x86_64.Constants.O_WRONLY;
import static io.ffmnet.bindings.linux_x86_64.Constants.RLIMIT_NOFILE;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_CLOEXEC;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Constants.SOCK_STREAM;
import static io.ffmnet.bindings.linux_x86_64.Constants.SPLICE_F_NONBLOCK;
import static io.ffmnet.bindings.linux_x86_64.Errno.EAGAIN;
import static io.ffmnet.bindings.linux_x86_64.Errno.EBADF;
import static io.ffmnet.bindings.linux_x86_64.Errno.EINVAL;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOENT;
import static io.ffmnet.bindings.linux_x86_64.Errno.ENOTTY;
import static io.ffmnet.bindings.linux_x86_64.Errno.EPIPE;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_IOVEC_IOV_BASE;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_IOVEC_IOV_LEN;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_RLIMIT_RLIM_CUR;
import static io.ffmnet.bindings.linux_x86_64.Structs.OFFSETOF_RLIMIT_RLIM_MAX;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_IOVEC;
import static io.ffmnet.bindings.linux_x86_64.Structs.SIZEOF_RLIMIT;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Fds} against real pipes, socketpairs, eventfds and files: each call's success path, and
 * for each an errno path with the exact {@code -errno} the wrapper must hand back.
 */
@Timeout(60)
class SysFdsTest {
    /*
     * F_DUPFD from <fcntl.h> (0 on every Linux architecture; not in the generated list). A
     * descriptor duplicated above a high floor is never the lowest free number, so after closing
     * it no other thread's open(2) or socket(2) reuses the number while a test still probes it.
     */
    private static final int F_DUPFD = 0;
    private static final int HIGH_FD_FLOOR = 900;

    private final Arena arena = Arena.ofConfined();
    private final List<Integer> fds = new ArrayList<>();

    @AfterEach
    void closeEverything() {
        for (int fd : fds) {
            assertEquals(0, Fds.close(fd), "close(" + fd + ")");
        }
        arena.close();
    }

    // ---- read, write ----

    @Test
    void readAndWriteCarryBytesThroughAPipe() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        assertEquals(5, Fds.write(pipe[1], bytes("hello").address(), 5));
        MemorySegment buf = arena.allocate(16);
        assertEquals(5, Fds.read(pipe[0], buf.address(), 16));
        assertEquals("hello", string(buf, 5));
    }

    @Test
    void readAnswersEagainOnAnEmptyNonBlockingPipe() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        MemorySegment buf = arena.allocate(16);
        assertEquals(-EAGAIN, Fds.read(pipe[0], buf.address(), 16));
    }

    @Test
    void readAnswersZeroAtEndOfFileOnceTheWriterIsClosed() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        closeNow(pipe[1]);
        assertEquals(0, Fds.read(pipe[0], arena.allocate(16).address(), 16));
    }

    @Test
    void readAndWriteCarryBytesThroughASocketpair() {
        int[] pair = socketpair();
        assertEquals(4, Fds.write(pair[1], bytes("ping").address(), 4));
        MemorySegment buf = arena.allocate(16);
        assertEquals(4, Fds.read(pair[0], buf.address(), 16));
        assertEquals("ping", string(buf, 4));
        assertEquals(-EAGAIN, Fds.read(pair[0], buf.address(), 16));
    }

    @Test
    void writeToAPipeWithNoReaderAnswersEpipe() {
        // write(2) has no MSG_NOSIGNAL; the JVM does not die of SIGPIPE, so the errno comes back.
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        closeNow(pipe[0]);
        assertEquals(-EPIPE, Fds.write(pipe[1], bytes("x").address(), 1));
    }

    @Test
    void writeToASocketWhosePeerIsClosedAnswersEpipe() {
        int[] pair = socketpair();
        closeNow(pair[1]);
        assertEquals(-EPIPE, Fds.write(pair[0], bytes("x").address(), 1));
        assertEquals(-EPIPE, Fds.writev(pair[0], iovecs(bytes("y")).address(), 1));
    }

    @Test
    void readAndWriteAnswerEbadfOnAClosedDescriptor() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        int closed = closedHighFd(pipe[0]);
        MemorySegment buf = arena.allocate(8);
        assertEquals(-EBADF, Fds.read(closed, buf.address(), 8));
        assertEquals(-EBADF, Fds.write(closed, buf.address(), 8));
        assertEquals(-EBADF, Fds.readv(closed, iovecs(buf).address(), 1));
        assertEquals(-EBADF, Fds.writev(closed, iovecs(buf).address(), 1));
    }

    @Test
    void writeAnswersEbadfOnTheReadEndOfAPipe() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        assertEquals(-EBADF, Fds.write(pipe[0], bytes("x").address(), 1));
    }

    // ---- readv, writev ----

    @Test
    void writevGathersAndReadvScattersThroughAPipe() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        MemorySegment out = iovecs(bytes("abc"), bytes(""), bytes("defgh"));
        assertEquals(8, Fds.writev(pipe[1], out.address(), 3));
        MemorySegment first = arena.allocate(2);
        MemorySegment second = arena.allocate(4);
        MemorySegment third = arena.allocate(10);
        assertEquals(8, Fds.readv(pipe[0], iovecs(first, second, third).address(), 3));
        assertEquals("ab", string(first, 2));
        assertEquals("cdef", string(second, 4));
        assertEquals("gh", string(third, 2));
        assertEquals(-EAGAIN, Fds.readv(pipe[0], iovecs(first).address(), 1));
    }

    @Test
    void writevGathersAndReadvScattersThroughASocketpair() {
        int[] pair = socketpair();
        assertEquals(11, Fds.writev(pair[0], iovecs(bytes("hello"), bytes(" "), bytes("world")).address(), 3));
        MemorySegment first = arena.allocate(6);
        MemorySegment second = arena.allocate(6);
        assertEquals(11, Fds.readv(pair[1], iovecs(first, second).address(), 2));
        assertEquals("hello ", string(first, 6));
        assertEquals("world", string(second, 5));
    }

    @Test
    void writevAnswersEinvalForANegativeCount() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        assertEquals(-EINVAL, Fds.writev(pipe[1], iovecs(bytes("x")).address(), -1));
    }

    // ---- close ----

    @Test
    void closeAnswersEbadfTheSecondTime() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        int fd = Fds.fcntl(pipe[0], F_DUPFD, HIGH_FD_FLOOR);
        assertTrue(fd >= HIGH_FD_FLOOR, () -> "F_DUPFD: " + Errors.code(fd));
        assertEquals(0, Fds.close(fd));
        assertEquals(-EBADF, Fds.close(fd));
    }

    // ---- fcntl ----

    @Test
    void fcntlTurnsONonblockOnAndOff() {
        int[] pipe = pipe(O_CLOEXEC);
        assertEquals(0, Fds.fcntl(pipe[0], F_GETFL, 0) & O_NONBLOCK);
        int flags = Fds.fcntl(pipe[0], F_GETFL, 0);
        assertEquals(0, Fds.fcntl(pipe[0], F_SETFL, flags | O_NONBLOCK));
        assertEquals(O_NONBLOCK, Fds.fcntl(pipe[0], F_GETFL, 0) & O_NONBLOCK);
        // Non-blocking now: an empty pipe answers at once.
        assertEquals(-EAGAIN, Fds.read(pipe[0], arena.allocate(1).address(), 1));
        assertEquals(0, Fds.fcntl(pipe[0], F_SETFL, flags & ~O_NONBLOCK));
        assertEquals(0, Fds.fcntl(pipe[0], F_GETFL, 0) & O_NONBLOCK);
    }

    @Test
    void fcntlReportsCloseOnExecFromPipe2() {
        int[] pipe = pipe(O_CLOEXEC);
        assertEquals(FD_CLOEXEC, Fds.fcntl(pipe[0], F_GETFD, 0) & FD_CLOEXEC);
        assertEquals(FD_CLOEXEC, Fds.fcntl(pipe[1], F_GETFD, 0) & FD_CLOEXEC);
    }

    @Test
    void fcntlAnswersEbadfForADescriptorThatIsNotOpen() {
        assertEquals(-EBADF, Fds.fcntl(-1, F_GETFL, 0));
    }

    @Test
    void fcntlAnswersEinvalForAnUnknownCommand() {
        int[] pipe = pipe(O_CLOEXEC);
        assertEquals(-EINVAL, Fds.fcntl(pipe[0], 4242, 0));
    }

    // ---- pipe2 ----

    @Test
    void pipe2AnswersEinvalForAnUnknownFlag() {
        MemorySegment ends = arena.allocate(JAVA_INT, 2);
        assertEquals(-EINVAL, Fds.pipe2(ends.address(), 0x4000_0000));
    }

    // ---- eventfd ----

    @Test
    void eventfdAddsWritesAndResetsOnRead() {
        int efd = track(Fds.eventfd(0, Fds.EFD_NONBLOCK | Fds.EFD_CLOEXEC));
        MemorySegment value = arena.allocate(JAVA_LONG);
        assertEquals(-EAGAIN, Fds.read(efd, value.address(), 8));
        assertEquals(8, Fds.write(efd, counter(3).address(), 8));
        assertEquals(8, Fds.write(efd, counter(4).address(), 8));
        assertEquals(8, Fds.read(efd, value.address(), 8));
        assertEquals(7, value.get(JAVA_LONG, 0));
        assertEquals(-EAGAIN, Fds.read(efd, value.address(), 8));
    }

    @Test
    void eventfdStartsAtItsInitialValue() {
        int efd = track(Fds.eventfd(5, Fds.EFD_NONBLOCK | Fds.EFD_CLOEXEC));
        MemorySegment value = arena.allocate(JAVA_LONG);
        assertEquals(8, Fds.read(efd, value.address(), 8));
        assertEquals(5, value.get(JAVA_LONG, 0));
    }

    @Test
    void eventfdInSemaphoreModeCountsDownByOne() {
        int efd = track(Fds.eventfd(2, Fds.EFD_NONBLOCK | Fds.EFD_CLOEXEC | EFD_SEMAPHORE));
        MemorySegment value = arena.allocate(JAVA_LONG);
        assertEquals(8, Fds.read(efd, value.address(), 8));
        assertEquals(1, value.get(JAVA_LONG, 0));
        assertEquals(8, Fds.read(efd, value.address(), 8));
        assertEquals(1, value.get(JAVA_LONG, 0));
        assertEquals(-EAGAIN, Fds.read(efd, value.address(), 8));
    }

    @Test
    void eventfdAnswersEinvalForAShortBufferOrTheMaximumValue() {
        int efd = track(Fds.eventfd(0, Fds.EFD_NONBLOCK | Fds.EFD_CLOEXEC));
        assertEquals(-EINVAL, Fds.write(efd, counter(1).address(), 4));
        assertEquals(-EINVAL, Fds.read(efd, arena.allocate(JAVA_LONG).address(), 4));
        // 0xffffffffffffffff is the one value eventfd(2) refuses to add.
        assertEquals(-EINVAL, Fds.write(efd, counter(-1).address(), 8));
    }

    @Test
    void eventfdAnswersEinvalForAnUnknownFlag() {
        assertEquals(-EINVAL, Fds.eventfd(0, 0x4000_0000));
    }

    // ---- open, unlink, readBlocking, writeBlocking ----

    @Test
    void openWritesAndReadsBackARegularFileThenUnlinkRemovesIt(@TempDir Path dir) {
        Path path = dir.resolve("data.txt");
        long name = arena.allocateFrom(path.toString()).address();
        int out = track(Fds.open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        assertEquals(7, Fds.writeBlocking(out, bytes("content").address(), 7));
        closeNow(out);

        int in = track(Fds.open(name, O_RDONLY | O_CLOEXEC, 0));
        MemorySegment buf = arena.allocate(32);
        assertEquals(7, Fds.readBlocking(in, buf.address(), 32));
        assertEquals("content", string(buf, 7));
        assertEquals(0, Fds.readBlocking(in, buf.address(), 32));

        assertEquals(0, Fds.unlink(name));
        assertTrue(Files.notExists(path));
        assertEquals(-ENOENT, Fds.unlink(name));
    }

    @Test
    void openAnswersEnoentForAMissingFileWithoutOCreat(@TempDir Path dir) {
        long name = arena.allocateFrom(dir.resolve("missing").toString()).address();
        assertEquals(-ENOENT, Fds.open(name, O_RDONLY | O_CLOEXEC, 0));
    }

    @Test
    void openCreatesTheFileWithTheModeGiven(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("mode");
        track(Fds.open(arena.allocateFrom(path.toString()).address(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path)));
    }

    // ---- dup ----

    @Test
    void dupSharesTheOpenFileUnderANewNumber() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        int copy = track(Fds.dup(pipe[1]));
        assertTrue(copy != pipe[1]);
        assertEquals(3, Fds.write(copy, bytes("dup").address(), 3));
        MemorySegment buf = arena.allocate(8);
        assertEquals(3, Fds.read(pipe[0], buf.address(), 8));
        assertEquals("dup", string(buf, 3));
        // Shared open file description: the status flags are the same.
        assertEquals(Fds.fcntl(pipe[1], F_GETFL, 0), Fds.fcntl(copy, F_GETFL, 0));
    }

    @Test
    void dupAnswersEbadfForADescriptorThatIsNotOpen() {
        assertEquals(-EBADF, Fds.dup(-1));
    }

    // ---- splice ----

    @Test
    void spliceMovesBytesFromAPipeToASocketAndBack() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        int[] pair = socketpair();
        assertEquals(6, Fds.write(pipe[1], bytes("splice").address(), 6));
        assertEquals(6, Fds.splice(pipe[0], 0, pair[0], 0, 6, SPLICE_F_NONBLOCK));
        MemorySegment buf = arena.allocate(16);
        assertEquals(6, Fds.read(pair[1], buf.address(), 16));
        assertEquals("splice", string(buf, 6));

        assertEquals(4, Fds.write(pair[1], bytes("back").address(), 4));
        assertEquals(4, Fds.splice(pair[0], 0, pipe[1], 0, 16, SPLICE_F_NONBLOCK));
        assertEquals(4, Fds.read(pipe[0], buf.address(), 16));
        assertEquals("back", string(buf, 4));
    }

    @Test
    void spliceAnswersEagainFromAnEmptyPipe() {
        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        int[] pair = socketpair();
        assertEquals(-EAGAIN, Fds.splice(pipe[0], 0, pair[0], 0, 16, SPLICE_F_NONBLOCK));
    }

    @Test
    void spliceAnswersEinvalWhenNeitherEndIsAPipe() {
        int[] pair = socketpair();
        int[] other = socketpair();
        assertEquals(-EINVAL, Fds.splice(pair[0], 0, other[0], 0, 16, SPLICE_F_NONBLOCK));
    }

    // ---- sendfile ----

    @Test
    void sendfileCopiesAFileToASocketAndAdvancesTheOffset(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("payload");
        Files.writeString(path, "0123456789");
        int file = track(Fds.open(arena.allocateFrom(path.toString()).address(), O_RDONLY | O_CLOEXEC, 0));
        int[] pair = socketpair();
        MemorySegment offset = arena.allocate(JAVA_LONG);
        offset.set(JAVA_LONG, 0, 2);
        assertEquals(5, Fds.sendfile(pair[0], file, offset.address(), 5));
        assertEquals(7, offset.get(JAVA_LONG, 0));
        MemorySegment buf = arena.allocate(16);
        assertEquals(5, Fds.read(pair[1], buf.address(), 16));
        assertEquals("23456", string(buf, 5));

        // Without an offset, sendfile reads from and advances the file's own position.
        assertEquals(10, Fds.sendfile(pair[0], file, 0, 64));
        assertEquals(10, Fds.read(pair[1], buf.address(), 16));
        assertEquals("0123456789", string(buf, 10));
        assertEquals(0, Fds.sendfile(pair[0], file, 0, 64));
    }

    @Test
    void sendfileAnswersEbadfForAnInputNotOpenForReading(@TempDir Path dir) {
        int file = track(Fds.open(arena.allocateFrom(dir.resolve("w").toString()).address(),
                O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
        int[] pair = socketpair();
        assertEquals(-EBADF, Fds.sendfile(pair[0], file, 0, 16));
    }

    // ---- ioctl ----

    @Test
    void ioctlFionreadCountsTheBytesWaiting() {
        int[] pair = socketpair();
        MemorySegment count = arena.allocate(JAVA_INT);
        assertEquals(0, Fds.ioctl(pair[1], FIONREAD, count.address()));
        assertEquals(0, count.get(JAVA_INT, 0));
        assertEquals(5, Fds.write(pair[0], bytes("abcde").address(), 5));
        assertEquals(0, Fds.ioctl(pair[1], FIONREAD, count.address()));
        assertEquals(5, count.get(JAVA_INT, 0));

        int[] pipe = pipe(O_NONBLOCK | O_CLOEXEC);
        assertEquals(3, Fds.write(pipe[1], bytes("xyz").address(), 3));
        assertEquals(0, Fds.ioctl(pipe[0], FIONREAD, count.address()));
        assertEquals(3, count.get(JAVA_INT, 0));
    }

    @Test
    void ioctlAnswersEbadfOrEnottyWhereFionreadDoesNotApply() {
        MemorySegment count = arena.allocate(JAVA_INT);
        assertEquals(-EBADF, Fds.ioctl(-1, FIONREAD, count.address()));
        int efd = track(Fds.eventfd(0, Fds.EFD_NONBLOCK | Fds.EFD_CLOEXEC));
        assertEquals(-ENOTTY, Fds.ioctl(efd, FIONREAD, count.address()));
    }

    // ---- getrlimit, setrlimit ----

    @Test
    void rlimitNofileReadsAndSetsBackTheSameValue() {
        MemorySegment limit = arena.allocate(SIZEOF_RLIMIT, 8);
        assertEquals(0, Fds.getrlimit(RLIMIT_NOFILE, limit.address()));
        long soft = limit.get(JAVA_LONG, OFFSETOF_RLIMIT_RLIM_CUR);
        long hard = limit.get(JAVA_LONG, OFFSETOF_RLIMIT_RLIM_MAX);
        assertTrue(soft > 0 && Long.compareUnsigned(soft, hard) <= 0, soft + " / " + hard);

        assertEquals(0, Fds.setrlimit(RLIMIT_NOFILE, limit.address()));
        MemorySegment again = arena.allocate(SIZEOF_RLIMIT, 8);
        assertEquals(0, Fds.getrlimit(RLIMIT_NOFILE, again.address()));
        assertEquals(soft, again.get(JAVA_LONG, OFFSETOF_RLIMIT_RLIM_CUR));
        assertEquals(hard, again.get(JAVA_LONG, OFFSETOF_RLIMIT_RLIM_MAX));
    }

    @Test
    void setrlimitAnswersEinvalForASoftLimitAboveTheHardOne() {
        // The kernel checks cur <= max before anything else, so these small values change nothing.
        MemorySegment bad = arena.allocate(SIZEOF_RLIMIT, 8);
        bad.set(JAVA_LONG, OFFSETOF_RLIMIT_RLIM_CUR, 2);
        bad.set(JAVA_LONG, OFFSETOF_RLIMIT_RLIM_MAX, 1);
        assertEquals(-EINVAL, Fds.setrlimit(RLIMIT_NOFILE, bad.address()));
    }

    @Test
    void getrlimitAnswersEinvalForAnUnknownResource() {
        assertEquals(-EINVAL, Fds.getrlimit(4242, arena.allocate(SIZEOF_RLIMIT, 8).address()));
    }

    // ---- helpers ----

    private int track(int fd) {
        assertTrue(fd >= 0, () -> "expected a descriptor, got " + Errors.code(fd));
        fds.add(fd);
        return fd;
    }

    /** Closes a tracked descriptor now, so the test can probe its peer. */
    private void closeNow(int fd) {
        assertTrue(fds.remove(Integer.valueOf(fd)), "fd " + fd + " is tracked");
        assertEquals(0, Fds.close(fd));
    }

    /** A number that was a descriptor (a duplicate of {@code fd}) and is closed now. */
    private int closedHighFd(int fd) {
        int copy = Fds.fcntl(fd, F_DUPFD, HIGH_FD_FLOOR);
        assertTrue(copy >= HIGH_FD_FLOOR, () -> "F_DUPFD: " + Errors.code(copy));
        assertEquals(0, Fds.close(copy));
        return copy;
    }

    private int[] pipe(int flags) {
        MemorySegment ends = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Fds.pipe2(ends.address(), flags));
        return new int[] {track(ends.getAtIndex(JAVA_INT, 0)), track(ends.getAtIndex(JAVA_INT, 1))};
    }

    private int[] socketpair() {
        MemorySegment sv = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Sockets.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv.address()));
        return new int[] {track(sv.getAtIndex(JAVA_INT, 0)), track(sv.getAtIndex(JAVA_INT, 1))};
    }

    private MemorySegment bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        // allocateFrom with no elements would be a zero-length segment at an arbitrary address.
        return b.length == 0 ? arena.allocate(1).asSlice(0, 0) : arena.allocateFrom(JAVA_BYTE, b);
    }

    private MemorySegment counter(long value) {
        MemorySegment segment = arena.allocate(JAVA_LONG);
        segment.set(JAVA_LONG, 0, value);
        return segment;
    }

    private static String string(MemorySegment buf, long length) {
        return new String(buf.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /*
     * struct iovec { void *iov_base; size_t iov_len; };
     */
    private MemorySegment iovecs(MemorySegment... buffers) {
        MemorySegment iov = arena.allocate(SIZEOF_IOVEC * buffers.length, 8);
        for (int i = 0; i < buffers.length; i++) {
            iov.set(JAVA_LONG, i * SIZEOF_IOVEC + OFFSETOF_IOVEC_IOV_BASE, buffers[i].address());
            iov.set(JAVA_LONG, i * SIZEOF_IOVEC + OFFSETOF_IOVEC_IOV_LEN, buffers[i].byteSize());
        }
        return iov;
    }
}
