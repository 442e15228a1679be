package io.ffmnet;

import io.ffmnet.internal.loop.Loop;

/**
 * Whether one handle keeps its loop, and through it the JVM, alive: Node's {@code ref()} and
 * {@code unref()}. A handle counts once while it is active (listening, connecting, open) and
 * referenced. Loop thread only.
 */
final class HandleRef {
    private final Loop loop;
    private boolean referenced = true;
    private boolean active;
    private boolean held;

    HandleRef(Loop loop) {
        this.loop = loop;
    }

    /** The handle started (true) or stopped (false) being something that keeps a process alive. */
    void active(boolean active) {
        this.active = active;
        update();
    }

    /** {@code ref()} (true) or {@code unref()} (false). */
    void referenced(boolean referenced) {
        this.referenced = referenced;
        update();
    }

    private void update() {
        boolean want = active && referenced;
        if (want != held) {
            held = want;
            loop.adjustRefs(want ? 1 : -1);
        }
    }
}
