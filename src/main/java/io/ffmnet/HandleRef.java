package io.ffmnet;

import io.ffmnet.internal.loop.Loop;

/**
 * Whether one handle keeps its loop, and through it the JVM, alive: Node's {@code ref()} and
 * {@code unref()}. A handle counts once while it is active (listening, connecting, open) and
 * referenced. Loop thread only.
 *
 * <p>The state is three bits in a byte, so a handle that exists by the ten thousand (a
 * {@link Socket}) keeps them in a field of its own through {@link #update} instead of holding an
 * instance of this class.
 */
final class HandleRef {
    /** Bits of the state: {@code ref()} is in force (the initial state, alone). */
    static final byte REFERENCED = 1;
    /** The handle is listening, connecting or open. */
    static final byte ACTIVE = 2;
    /** The handle counts in its loop's references now. */
    private static final byte HELD = 4;

    private final Loop loop;
    private byte state = REFERENCED;

    HandleRef(Loop loop) {
        this.loop = loop;
    }

    /** The handle started (true) or stopped (false) being something that keeps a process alive. */
    void active(boolean active) {
        state = update(loop, state, ACTIVE, active);
    }

    /** {@code ref()} (true) or {@code unref()} (false). */
    void referenced(boolean referenced) {
        state = update(loop, state, REFERENCED, referenced);
    }

    /**
     * Sets ({@code on}) or clears {@code bit} ({@link #ACTIVE} or {@link #REFERENCED}) in a
     * handle's {@code state}, takes or drops its one reference on {@code loop} when that changes
     * whether it should hold one, and returns the new state.
     */
    static byte update(Loop loop, byte state, byte bit, boolean on) {
        int s = on ? state | bit : state & ~bit;
        boolean want = (s & (ACTIVE | REFERENCED)) == (ACTIVE | REFERENCED);
        if (want != ((s & HELD) != 0)) {
            s ^= HELD;
            loop.adjustRefs(want ? 1 : -1);
        }
        return (byte) s;
    }
}
