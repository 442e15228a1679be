package io.ffmnet;

import io.ffmnet.internal.loop.Loop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Node's {@code EventEmitter}: listeners by event, called in the order they were added.
 *
 * <p>Adding and removing listeners is safe from any thread; events are emitted on the emitter's
 * loop thread. All listeners of all events are one flat array of (event, listener) pairs in the
 * order they were added, replaced on every change, so emitting takes no lock and a listener that
 * adds or removes listeners does not disturb the emission in progress (Node behaves the same: it
 * emits over a copy). One array, not one per event: a socket that listens to three events keeps
 * one small array instead of a table and three lists, which matters with 100,000 idle sockets.
 *
 * <p>A listener that throws does not stop the others or the loop: the throwable goes to the
 * loop's uncaught-exception handler. An {@code error} event with no listener goes there too.
 */
public class EventEmitter {
    private static final Object[] NONE = new Object[0];

    /** A listener added with {@code once}, as Node wraps {@code once} listeners. */
    private static final class Once {
        final Object fn;

        Once(Object fn) {
            this.fn = fn;
        }
    }

    final EventLoop eventLoop;
    /**
     * {@code event, listener} pairs in call order; a once-listener is a {@link Once}. Guarded by
     * {@code this} for writes, read without a lock.
     */
    private volatile Object[] entries = NONE;

    /** An emitter on the calling loop, or on the default loop when called from another thread. */
    public EventEmitter() {
        this(EventLoop.current());
    }

    EventEmitter(EventLoop eventLoop) {
        this.eventLoop = eventLoop;
    }

    /** Adds {@code listener} for {@code event}: Node's {@code emitter.on(name, fn)}. */
    public <L> EventEmitter on(Event<L> event, L listener) {
        add(event, listener, false, false);
        return this;
    }

    /** Adds a listener removed before its first call: Node's {@code emitter.once}. */
    public <L> EventEmitter once(Event<L> event, L listener) {
        add(event, listener, true, false);
        return this;
    }

    /** Node's {@code emitter.prependListener}: added before the existing ones. */
    public <L> EventEmitter prependListener(Event<L> event, L listener) {
        add(event, listener, false, true);
        return this;
    }

    /** Node's {@code emitter.prependOnceListener}. */
    public <L> EventEmitter prependOnceListener(Event<L> event, L listener) {
        add(event, listener, true, true);
        return this;
    }

    /** Same as {@link #on}: Node's {@code emitter.addListener}. */
    public <L> EventEmitter addListener(Event<L> event, L listener) {
        return on(event, listener);
    }

    /**
     * Removes the most recently added registration of {@code listener} for {@code event}:
     * Node's {@code emitter.off}/{@code removeListener}.
     */
    public synchronized <L> EventEmitter off(Event<L> event, L listener) {
        Object[] all = entries;
        for (int i = all.length - 2; i >= 0; i -= 2) {
            if (all[i] == event && unwrap(all[i + 1]) == listener) {
                entries = without(all, i);
                break;
            }
        }
        return this;
    }

    /** Same as {@link #off}. */
    public <L> EventEmitter removeListener(Event<L> event, L listener) {
        return off(event, listener);
    }

    /** Removes every listener of {@code event}. */
    public synchronized EventEmitter removeAllListeners(Event<?> event) {
        Object[] all = entries;
        int kept = 0;
        Object[] rest = new Object[all.length];
        for (int i = 0; i < all.length; i += 2) {
            if (all[i] != event) {
                rest[kept++] = all[i];
                rest[kept++] = all[i + 1];
            }
        }
        entries = kept == 0 ? NONE : Arrays.copyOf(rest, kept);
        return this;
    }

    /** Removes every listener of every event. */
    public synchronized EventEmitter removeAllListeners() {
        entries = NONE;
        return this;
    }

    /** How many listeners {@code event} has: Node's {@code emitter.listenerCount}. */
    public int listenerCount(Event<?> event) {
        Object[] all = entries;
        int n = 0;
        for (int i = 0; i < all.length; i += 2) {
            if (all[i] == event) {
                n++;
            }
        }
        return n;
    }

    /** The listeners of {@code event} in call order: Node's {@code emitter.listeners}. */
    @SuppressWarnings("unchecked")
    public <L> List<L> listeners(Event<L> event) {
        List<L> out = new ArrayList<>();
        Object[] all = entries;
        for (int i = 0; i < all.length; i += 2) {
            if (all[i] == event) {
                out.add((L) unwrap(all[i + 1]));
            }
        }
        return out;
    }

    // ---- emitting: on the loop thread --------------------------------------------------------

    /** Calls the listeners of a no-argument event; false if there were none. */
    protected final boolean emit(Event<Runnable> event) {
        Object[] all = entries;
        boolean any = false;
        for (int i = 0; i < all.length; i += 2) {
            if (all[i] == event) {
                any = true;
                Object fn = claim(all[i + 1]);
                if (fn != null) {
                    try {
                        ((Runnable) fn).run();
                    } catch (Throwable t) {
                        reportUncaught(t);
                    }
                }
            }
        }
        return any;
    }

    /** Calls the listeners of a one-argument event; false if there were none. */
    @SuppressWarnings("unchecked")
    protected final <T> boolean emit(Event<Consumer<T>> event, T arg) {
        Object[] all = entries;
        boolean any = false;
        for (int i = 0; i < all.length; i += 2) {
            if (all[i] == event) {
                any = true;
                Object fn = claim(all[i + 1]);
                if (fn != null) {
                    try {
                        ((Consumer<T>) fn).accept(arg);
                    } catch (Throwable t) {
                        reportUncaught(t);
                    }
                }
            }
        }
        return any;
    }

    /** Calls the listeners of a two-argument event; false if there were none. */
    @SuppressWarnings("unchecked")
    protected final <A, B> boolean emit(Event<BiConsumer<A, B>> event, A a, B b) {
        Object[] all = entries;
        boolean any = false;
        for (int i = 0; i < all.length; i += 2) {
            if (all[i] == event) {
                any = true;
                Object fn = claim(all[i + 1]);
                if (fn != null) {
                    try {
                        ((BiConsumer<A, B>) fn).accept(a, b);
                    } catch (Throwable t) {
                        reportUncaught(t);
                    }
                }
            }
        }
        return any;
    }

    /**
     * Emits an error event; with no listener the error goes to the uncaught-exception handler, as
     * an unhandled {@code 'error'} reaches Node's process.
     */
    protected final boolean emitError(Event<Consumer<NetException>> event, NetException error) {
        if (!emit(event, error)) {
            reportUncaught(error);
            return false;
        }
        return true;
    }

    /** Hands {@code t} to the loop's uncaught-exception handler. */
    final void reportUncaught(Throwable t) {
        eventLoop.loop.reportUncaught(t);
    }

    final Loop loop() {
        return eventLoop.loop;
    }

    /** Runs {@code action} on the loop: now if already there, else queued in call order. */
    final void onLoop(Runnable action) {
        Loop loop = eventLoop.loop;
        if (loop.inLoop()) {
            action.run();
        } else {
            loop.execute(action);
        }
    }

    /**
     * Runs {@code action.accept(a, b)} on the loop: now if already there, else queued in call
     * order. With a constant {@code action} (a static method reference) a call made on the loop
     * allocates nothing, where a capturing {@code Runnable} would allocate per call.
     */
    final <A, B> void onLoop(BiConsumer<A, B> action, A a, B b) {
        Loop loop = eventLoop.loop;
        if (loop.inLoop()) {
            action.accept(a, b);
        } else {
            loop.execute(() -> action.accept(a, b));
        }
    }

    /** Reads loop-thread state from any thread, waiting for the loop when called elsewhere. */
    final <T> T callOnLoop(Supplier<T> read) {
        Loop loop = eventLoop.loop;
        if (loop.inLoop()) {
            return read.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> result.complete(read.get()));
        return result.join();
    }

    /** Whether anyone listens to {@code event}: cheap, for skipping work on hot paths. */
    final boolean hasListeners(Event<?> event) {
        Object[] all = entries;
        for (int i = 0; i < all.length; i += 2) {
            if (all[i] == event) {
                return true;
            }
        }
        return false;
    }

    /**
     * The listener to call for {@code entry}, or null: a once-listener runs only if this call is
     * the one that removes it.
     */
    private Object claim(Object entry) {
        if (!(entry instanceof Once once)) {
            return entry;
        }
        synchronized (this) {
            Object[] all = entries;
            for (int i = 1; i < all.length; i += 2) {
                if (all[i] == once) {
                    entries = without(all, i - 1);
                    return once.fn;
                }
            }
            return null;  // removed meanwhile (off, or an earlier emission)
        }
    }

    private synchronized void add(Event<?> event, Object listener, boolean once, boolean first) {
        Objects.requireNonNull(event, "event");
        if (listener == null) {
            throw InvalidArgumentException.invalidType("listener", "of type function", null);
        }
        Object[] all = entries;
        Object[] longer = new Object[all.length + 2];
        int at = first ? 0 : all.length;
        System.arraycopy(all, 0, longer, first ? 2 : 0, all.length);
        longer[at] = event;
        longer[at + 1] = once ? new Once(listener) : listener;
        entries = longer;
    }

    private static Object unwrap(Object entry) {
        return entry instanceof Once once ? once.fn : entry;
    }

    /** {@code all} without the pair at {@code i}; callers hold the lock. */
    private static Object[] without(Object[] all, int i) {
        if (all.length == 2) {
            return NONE;
        }
        Object[] shorter = new Object[all.length - 2];
        System.arraycopy(all, 0, shorter, 0, i);
        System.arraycopy(all, i + 2, shorter, i, all.length - i - 2);
        return shorter;
    }
}
