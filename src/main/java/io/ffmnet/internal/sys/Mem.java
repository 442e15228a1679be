package io.ffmnet.internal.sys;

import io.ffmnet.bindings.linux_x86_64.Functions;

import java.lang.invoke.MethodHandle;

/**
 * malloc and free, for memory whose lifetime the library tracks itself (pool slabs, buffers
 * larger than a pool chunk): no arena, no collector, freed exactly when its count reaches zero.
 */
public final class Mem {
    private Mem() {}

    // void *malloc(size_t size);
    private static final MethodHandle MALLOC = Native.plainDowncall("malloc", Functions.MALLOC, true);
    // void free(void *ptr);
    private static final MethodHandle FREE = Native.plainDowncall("free", Functions.FREE, true);

    /** The address of {@code size} new bytes; throws {@link OutOfMemoryError} when there are none. */
    public static long malloc(long size) {
        long address;
        try {
            address = (long) MALLOC.invokeExact(Math.max(size, 1L));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (address == 0) {
            throw new OutOfMemoryError("malloc(" + size + ") failed");
        }
        return address;
    }

    public static void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
