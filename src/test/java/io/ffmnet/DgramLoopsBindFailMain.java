package io.ffmnet;

import io.ffmnet.internal.sys.Fds;

import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of {@link DgramLoopsTest}'s test of a group whose later socket cannot be made:
 * with one descriptor slot free, a two-loop datagram socket's own socket takes it and the
 * second one fails with EMFILE. Prints {@code error <code> <syscall>} for the ERROR event,
 * {@code close after <n> error} once CLOSE came, and {@code leaked <descriptors>} (open after
 * the close that were not open before the bind, once the filler is closed again: must be
 * none). Exits 0 unless something threw.
 */
public final class DgramLoopsBindFailMain {
    private static final long GUARD_SECONDS = 30;

    private DgramLoopsBindFailMain() {}

    public static void main(String[] args) throws Exception {
        warmUp();
        DatagramSocket socket = Dgram.createSocket(new DatagramOptions().type("udp4").loops(2));
        TreeMap<Integer, String> before = LoopsBindFailMain.descriptors();
        long softLimit = LoopsBindFailMain.softLimit();
        List<Integer> filler = LoopsBindFailMain.fillAllButOne();
        CompletableFuture<NetException> error = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        AtomicInteger errors = new AtomicInteger();
        socket.on(DatagramSocket.ERROR, e -> {
            errors.incrementAndGet();
            error.complete(e);
        });
        socket.on(DatagramSocket.CLOSE, () -> closed.complete(null));
        socket.once(DatagramSocket.LISTENING, () -> error.completeExceptionally(new AssertionError("listening")));
        socket.bind(0, "127.0.0.1");
        NetException e = error.get(GUARD_SECONDS, TimeUnit.SECONDS);
        closed.get(GUARD_SECONDS, TimeUnit.SECONDS);
        for (int fd : filler) {
            Fds.close(fd);
        }
        LoopsBindFailMain.setSoftLimit(softLimit);
        System.out.println("error " + e.code() + " " + e.syscall());
        System.out.println("close after " + errors.get() + " error");
        TreeMap<Integer, String> after = LoopsBindFailMain.descriptors();
        after.entrySet().removeIf(d -> d.getValue().equals(before.get(d.getKey())));
        System.out.println("leaked " + after);
    }

    /** Loads the classes of the bind, error and close paths while descriptors are plenty. */
    private static void warmUp() throws Exception {
        DatagramSocket holder = Dgram.createSocket("udp4");
        CompletableFuture<Void> held = new CompletableFuture<>();
        holder.bind(0, "127.0.0.1", () -> held.complete(null));
        held.get(GUARD_SECONDS, TimeUnit.SECONDS);
        DatagramSocket group = Dgram.createSocket(new DatagramOptions().type("udp4").loops(2));
        CompletableFuture<NetException> inUse = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        group.once(DatagramSocket.ERROR, inUse::complete);
        group.once(DatagramSocket.CLOSE, () -> closed.complete(null));
        group.bind(holder.address().port(), "127.0.0.1");
        inUse.get(GUARD_SECONDS, TimeUnit.SECONDS);
        group.close();
        closed.get(GUARD_SECONDS, TimeUnit.SECONDS);
        CompletableFuture<Void> holderClosed = new CompletableFuture<>();
        holder.close(() -> holderClosed.complete(null));
        holderClosed.get(GUARD_SECONDS, TimeUnit.SECONDS);
    }
}
