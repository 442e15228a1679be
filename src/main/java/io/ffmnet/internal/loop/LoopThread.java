package io.ffmnet.internal.loop;

import io.ffmnet.internal.buffer.BufferPool;
import io.ffmnet.internal.sys.Native;

import java.lang.foreign.MemorySegment;

/**
 * The thread a {@link Loop} runs on. It carries the loop's errno slot and buffer pool in plain
 * fields, so the sys layer and the pool find them with a type check instead of a thread-local
 * lookup on every call.
 *
 * <p>Daemon: whether the JVM may exit is decided by {@link KeepAlive}, not by this thread.
 */
final class LoopThread extends Thread implements Native.NativeThread, BufferPool.Owner {
    private final MemorySegment errnoSlot = Native.newErrnoSlot();
    private final BufferPool pool;
    final Loop loop;

    LoopThread(Loop loop, Runnable body, String name) {
        super(null, body, name, 0, false);
        this.loop = loop;
        setDaemon(true);
        pool = BufferPool.forOwner(this);
    }

    @Override
    public MemorySegment errnoSlot() {
        return errnoSlot;
    }

    @Override
    public BufferPool bufferPool() {
        return pool;
    }
}
