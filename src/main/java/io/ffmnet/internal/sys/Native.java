package io.ffmnet.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Links libc functions and carries errno back from them. The other classes of this package call
 * {@link #downcall} once per function into a {@code static final} handle.
 *
 * <p>errno is captured by the linker ({@code Linker.Option.captureCallState("errno")}) into a
 * small per-thread slot: the JVM may itself call into libc between our call and a later read,
 * so errno has to be copied out as part of the call. Loop threads keep their slot in a field
 * ({@link NativeThread}); other threads use a thread-local slot.
 */
public final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /*
     * A slot lives as long as its thread and is a few bytes; an automatic arena is the one
     * place where the collector frees native memory, since nothing tells us a thread has ended.
     */
    private static final ThreadLocal<MemorySegment> SLOTS =
            ThreadLocal.withInitial(Native::newErrnoSlot);

    static {
        if (!Native.class.getModule().isNativeAccessEnabled()) {
            System.err.println("ffm-net: native access is not enabled. Start the JVM with "
                    + (Native.class.getModule().isNamed()
                            ? "--enable-native-access=io.ffmnet"
                            : "--enable-native-access=ALL-UNNAMED")
                    + " (the library calls libc through the FFM API).");
        }
    }

    private Native() {}

    /** A thread that keeps its own errno slot, so the hot path skips the thread-local lookup. */
    public interface NativeThread {
        MemorySegment errnoSlot();
    }

    /** Allocates an errno slot for a {@link NativeThread}. */
    public static MemorySegment newErrnoSlot() {
        return Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    }

    /**
     * A handle to {@code name} that takes an errno slot as its first argument.
     *
     * @param critical true only for calls that cannot block (non-blocking fds, socket options):
     *                 the JVM then skips the thread-state transition around the call
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean critical,
                                 Linker.Option... more) {
        Linker.Option[] options = Arrays.copyOf(more, more.length + (critical ? 2 : 1));
        options[more.length] = CAPTURE_ERRNO;
        if (critical) {
            options[more.length + 1] = Linker.Option.critical(false);
        }
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /** A handle to {@code name} that does not report errno (malloc, free, getpid). */
    static MethodHandle plainDowncall(String name, FunctionDescriptor descriptor, boolean critical) {
        return critical
                ? LINKER.downcallHandle(symbol(name), descriptor, Linker.Option.critical(false))
                : LINKER.downcallHandle(symbol(name), descriptor);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** This thread's errno slot. */
    static MemorySegment errnoSlot() {
        return Thread.currentThread() instanceof NativeThread t ? t.errnoSlot() : SLOTS.get();
    }

    /** The errno the last call through {@code slot} left, as a negative number. */
    static int negErrno(MemorySegment slot) {
        return -slot.get(JAVA_INT, ERRNO_OFFSET);
    }

    /**
     * What a downcall threw: downcalls throw no checked exception, so anything else is a bug of
     * ours (a wrong method type) and surfaces as an {@link AssertionError} naming it.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError("native call failed", t);
    }
}
