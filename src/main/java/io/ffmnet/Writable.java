package io.ffmnet;

import java.util.function.Consumer;

/**
 * Where {@code socket.pipe(...)} writes: Node's writable stream, as far as a pipe uses it.
 * {@link Socket} and {@link FileWriteStream} implement it.
 */
public interface Writable {
    /** Node's writable {@code 'drain'}: the queue emptied after {@code write} returned false. */
    Event<Runnable> DRAIN = Event.named("drain");
    /** Node's writable {@code 'finish'}: everything was written after {@code end()}. */
    Event<Runnable> FINISH = Event.named("finish");
    /** Node's {@code 'error'}. */
    Event<Consumer<NetException>> ERROR = Event.named("error");

    /**
     * Writes {@code data}, keeping it alive until written; false once the queue reached the
     * high-water mark (wait for {@link #DRAIN}).
     *
     * @param onWritten called once with null when written, or the error that lost it; may be null
     */
    boolean write(Buffer data, Consumer<NetException> onWritten);

    /** Ends the stream once queued data is written. */
    Writable end();

    /** Ends the stream; {@code onFinish} runs on {@link #FINISH}. */
    Writable end(Runnable onFinish);

    <L> Writable on(Event<L> event, L listener);

    <L> Writable once(Event<L> event, L listener);

    <L> Writable off(Event<L> event, L listener);
}
