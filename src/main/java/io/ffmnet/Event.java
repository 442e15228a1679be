package io.ffmnet;

/**
 * The name of an event and the type of its listeners: {@code Socket.DATA} is an
 * {@code Event<Consumer<Buffer>>}, so {@code socket.on(Socket.DATA, buf -> ...)} needs no cast.
 * Events are compared by identity; each class declares its own as constants.
 *
 * @param <L> the listener type: {@code Runnable}, {@code Consumer<T>} or {@code BiConsumer<A, B>}
 */
public final class Event<L> {
    private final String name;

    private Event(String name) {
        this.name = name;
    }

    /**
     * A new event; the listener type comes from the variable it is assigned to:
     * {@code static final Event<Consumer<Buffer>> DATA = Event.named("data")}.
     */
    public static <L> Event<L> named(String name) {
        return new Event<>(name);
    }

    /** Node's event name, such as {@code "data"}. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
