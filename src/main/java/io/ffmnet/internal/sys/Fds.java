package io.ffmnet.internal.sys;

import io.ffmnet.bindings.linux_x86_64.Constants;
import io.ffmnet.bindings.linux_x86_64.Functions;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.ffmnet.bindings.linux_x86_64.Errno.EINTR;

/**
 * System calls on file descriptors of any kind. Each returns {@code >= 0} or {@code -errno},
 * never throws for an errno, and retries {@code EINTR} (except {@code close}: on Linux the
 * descriptor is gone even when close reports EINTR, so retrying could close a reused number).
 * Pointers are raw native addresses.
 */
public final class Fds {
    private Fds() {}

    /** eventfd(2) flags. */
    public static final int EFD_NONBLOCK = Constants.EFD_NONBLOCK;
    public static final int EFD_CLOEXEC = Constants.EFD_CLOEXEC;

    // ssize_t read(int fd, void *buf, size_t count);  non-blocking fds only
    private static final MethodHandle READ = Native.downcall("read", Functions.READ, true);
    // ssize_t write(int fd, const void *buf, size_t count);  non-blocking fds only
    private static final MethodHandle WRITE = Native.downcall("write", Functions.WRITE, true);
    // ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
    private static final MethodHandle READV = Native.downcall("readv", Functions.READV, true);
    // ssize_t writev(int fd, const struct iovec *iov, int iovcnt);
    private static final MethodHandle WRITEV = Native.downcall("writev", Functions.WRITEV, true);
    // ssize_t read(int fd, void *buf, size_t count);  may block: regular files, blocking pipes
    private static final MethodHandle READ_BLOCKING = Native.downcall("read", Functions.READ, false);
    // ssize_t write(int fd, const void *buf, size_t count);  may block
    private static final MethodHandle WRITE_BLOCKING = Native.downcall("write", Functions.WRITE, false);
    // int close(int fd);  may block (SO_LINGER, NFS)
    private static final MethodHandle CLOSE = Native.downcall("close", Functions.CLOSE, false);
    // int fcntl(int fd, int cmd, ... /* int arg */);
    private static final MethodHandle FCNTL = Native.downcall("fcntl", Functions.FCNTL, true,
            Linker.Option.firstVariadicArg(2));
    // int pipe2(int pipefd[2], int flags);
    private static final MethodHandle PIPE2 = Native.downcall("pipe2", Functions.PIPE2, true);
    // int eventfd(unsigned int initval, int flags);
    private static final MethodHandle EVENTFD = Native.downcall("eventfd", Functions.EVENTFD, true);
    // int open(const char *pathname, int flags, ... /* mode_t mode */);  may block
    private static final MethodHandle OPEN = Native.downcall("open", Functions.OPEN, false,
            Linker.Option.firstVariadicArg(2));
    // int dup(int oldfd);
    private static final MethodHandle DUP = Native.downcall("dup", Functions.DUP, true);
    // int unlink(const char *pathname);  may block
    private static final MethodHandle UNLINK = Native.downcall("unlink", Functions.UNLINK, false);
    // ssize_t splice(int fd_in, off_t *off_in, int fd_out, off_t *off_out, size_t len, unsigned int flags);
    private static final MethodHandle SPLICE = Native.downcall("splice", Functions.SPLICE, false);
    // off_t lseek(int fd, off_t offset, int whence);
    private static final MethodHandle LSEEK = Native.downcall("lseek", Functions.LSEEK, true);
    // ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count);  may block on the file
    private static final MethodHandle SENDFILE = Native.downcall("sendfile", Functions.SENDFILE, false);
    // int ioctl(int fd, unsigned long request, ... /* int *argp */);
    private static final MethodHandle IOCTL = Native.downcall("ioctl", Functions.IOCTL, true,
            Linker.Option.firstVariadicArg(2));
    // int getrlimit(int resource, struct rlimit *rlim);
    private static final MethodHandle GETRLIMIT = Native.downcall("getrlimit", Functions.GETRLIMIT, true);
    // int setrlimit(int resource, const struct rlimit *rlim);
    private static final MethodHandle SETRLIMIT = Native.downcall("setrlimit", Functions.SETRLIMIT, true);

    public static long read(int fd, long buf, long count) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) READ.invokeExact(errno, fd, buf, count);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long write(int fd, long buf, long count) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) WRITE.invokeExact(errno, fd, buf, count);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long readv(int fd, long iov, int iovcnt) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) READV.invokeExact(errno, fd, iov, iovcnt);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long writev(int fd, long iov, int iovcnt) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) WRITEV.invokeExact(errno, fd, iov, iovcnt);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code read} for descriptors that may block (regular files); run it off the loop. */
    public static long readBlocking(int fd, long buf, long count) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) READ_BLOCKING.invokeExact(errno, fd, buf, count);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code write} for descriptors that may block (regular files); run it off the loop. */
    public static long writeBlocking(int fd, long buf, long count) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) WRITE_BLOCKING.invokeExact(errno, fd, buf, count);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int close(int fd) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) CLOSE.invokeExact(errno, fd);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r;
            do {
                r = (int) FCNTL.invokeExact(errno, fd, cmd, arg);
            } while (r < 0 && Native.negErrno(errno) == -EINTR);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Writes the two new descriptors at {@code fds} (an {@code int[2]}). */
    public static int pipe2(long fds, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) PIPE2.invokeExact(errno, fds, flags);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) EVENTFD.invokeExact(errno, initval, flags);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param path the address of a NUL-terminated path */
    public static int open(long path, int flags, int mode) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r;
            do {
                r = (int) OPEN.invokeExact(errno, path, flags, mode);
            } while (r < 0 && Native.negErrno(errno) == -EINTR);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int dup(int fd) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) DUP.invokeExact(errno, fd);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param path the address of a NUL-terminated path */
    public static int unlink(long path) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) UNLINK.invokeExact(errno, path);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param offIn, offOut addresses of {@code off_t} offsets, or 0 for the fd's own position */
    public static long splice(int fdIn, long offIn, int fdOut, long offOut, long len, int flags) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) SPLICE.invokeExact(errno, fdIn, offIn, fdOut, offOut, len, flags);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Moves {@code fd}'s file offset; returns the new offset or {@code -errno}. */
    public static long lseek(int fd, long offset, int whence) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long r = (long) LSEEK.invokeExact(errno, fd, offset, whence);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param offset the address of an {@code off_t} that the kernel advances, or 0 */
    public static long sendfile(int outFd, int inFd, long offset, long count) {
        MemorySegment errno = Native.errnoSlot();
        try {
            long n;
            do {
                n = (long) SENDFILE.invokeExact(errno, outFd, inFd, offset, count);
            } while (n < 0 && Native.negErrno(errno) == -EINTR);
            return n >= 0 ? n : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** {@code ioctl} with a pointer argument, e.g. {@code FIONREAD} into an int at {@code argp}. */
    public static int ioctl(int fd, long request, long argp) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) IOCTL.invokeExact(errno, fd, request, argp);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param rlim the address of a {@code struct rlimit} to fill */
    public static int getrlimit(int resource, long rlim) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) GETRLIMIT.invokeExact(errno, resource, rlim);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** @param rlim the address of a {@code struct rlimit} holding the new limits */
    public static int setrlimit(int resource, long rlim) {
        MemorySegment errno = Native.errnoSlot();
        try {
            int r = (int) SETRLIMIT.invokeExact(errno, resource, rlim);
            return r >= 0 ? r : Native.negErrno(errno);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
