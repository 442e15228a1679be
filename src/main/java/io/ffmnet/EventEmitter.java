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
 * loop thread. Each event's listeners are an array replaced on every change, so emitting takes no
 * lock and a listener that adds or removes listeners does not disturb the emission in progress
 * (Node behaves the same: it emits over a copy).
 *
 * <p>A listener that throws does not stop the others or the loop: the throwable goes to the
 * loop's uncaught-exception handler. An {@code error} event with no listener goes there too.
 */
public class EventEmitter {
    private static final Listener[] NONE = new Listener[0];

    /** A listener and whether it is a once-listener, as Node wraps {@code once} listeners. */
    private record Listener(Object fn, boolean once) {}

    final EventLoop eventLoop;
    /** Listeners by {@link Event#id}; guarded by {@code this} for writes, read without a lock. */
    private volatile Listener[][] byEvent = new Listener[0][];

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
        Listener[] list = listenersOf(event);
        for (int i = list.length - 1; i >= 0; i--) {
            if (list[i].fn == listener) {
                Listener[] shorter = new Listener[list.length - 1];
                System.arraycopy(list, 0, shorter, 0, i);
                System.arraycopy(list, i + 1, shorter, i, list.length - i - 1);
                store(event, shorter);
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
        store(event, NONE);
        return this;
    }

    /** Removes every listener of every event. */
    public synchronized EventEmitter removeAllListeners() {
        byEvent = new Listener[0][];
        return this;
    }

    /** How many listeners {@code event} has: Node's {@code emitter.listenerCount}. */
    public int listenerCount(Event<?> event) {
        return listenersOf(event).length;
    }

    /** The listeners of {@code event} in call order: Node's {@code emitter.listeners}. */
    @SuppressWarnings("unchecked")
    public <L> List<L> listeners(Event<L> event) {
        List<L> out = new ArrayList<>();
        for (Listener l : listenersOf(event)) {
            out.add((L) l.fn);
        }
        return out;
    }

    // ---- emitting: on the loop thread --------------------------------------------------------

    /** Calls the listeners of a no-argument event; false if there were none. */
    protected final boolean emit(Event<Runnable> event) {
        Listener[] list = listenersOf(event);
        for (Listener l : list) {
            if (claim(event, l)) {
                try {
                    ((Runnable) l.fn).run();
                } catch (Throwable t) {
                    reportUncaught(t);
                }
            }
        }
        return list.length > 0;
    }

    /** Calls the listeners of a one-argument event; false if there were none. */
    @SuppressWarnings("unchecked")
    protected final <T> boolean emit(Event<Consumer<T>> event, T arg) {
        Listener[] list = listenersOf(event);
        for (Listener l : list) {
            if (claim(event, l)) {
                try {
                    ((Consumer<T>) l.fn).accept(arg);
                } catch (Throwable t) {
                    reportUncaught(t);
                }
            }
        }
        return list.length > 0;
    }

    /** Calls the listeners of a two-argument event; false if there were none. */
    @SuppressWarnings("unchecked")
    protected final <A, B> boolean emit(Event<BiConsumer<A, B>> event, A a, B b) {
        Listener[] list = listenersOf(event);
        for (Listener l : list) {
            if (claim(event, l)) {
                try {
                    ((BiConsumer<A, B>) l.fn).accept(a, b);
                } catch (Throwable t) {
                    reportUncaught(t);
                }
            }
        }
        return list.length > 0;
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
        return listenersOf(event).length > 0;
    }

    /** A once-listener runs only if this call is the one that removes it. */
    private boolean claim(Event<?> event, Listener l) {
        if (!l.once) {
            return true;
        }
        synchronized (this) {
            Listener[] list = listenersOf(event);
            for (int i = 0; i < list.length; i++) {
                if (list[i] == l) {
                    Listener[] shorter = new Listener[list.length - 1];
                    System.arraycopy(list, 0, shorter, 0, i);
                    System.arraycopy(list, i + 1, shorter, i, list.length - i - 1);
                    store(event, shorter);
                    return true;
                }
            }
            return false;  // removed meanwhile (off, or an earlier emission)
        }
    }

    private synchronized void add(Event<?> event, Object listener, boolean once, boolean first) {
        Objects.requireNonNull(event, "event");
        if (listener == null) {
            throw InvalidArgumentException.invalidType("listener", "of type function", null);
        }
        Listener[] list = listenersOf(event);
        Listener[] longer = new Listener[list.length + 1];
        Listener added = new Listener(listener, once);
        if (first) {
            longer[0] = added;
            System.arraycopy(list, 0, longer, 1, list.length);
        } else {
            System.arraycopy(list, 0, longer, 0, list.length);
            longer[list.length] = added;
        }
        store(event, longer);
    }

    private Listener[] listenersOf(Event<?> event) {
        Listener[][] all = byEvent;
        Listener[] list = event.id < all.length ? all[event.id] : null;
        return list != null ? list : NONE;
    }

    /** Publishes a new array for {@code event}; callers hold the lock. */
    private void store(Event<?> event, Listener[] list) {
        Listener[][] all = byEvent;
        if (event.id >= all.length) {
            all = Arrays.copyOf(all, Math.max(event.id + 1, all.length * 2));
        } else {
            all = all.clone();
        }
        all[event.id] = list;
        byEvent = all;
    }
}
