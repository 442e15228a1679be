package io.ffmnet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;


/** Helpers for the dgram tests: sockets bound on loopback, work run on the loop, cleanup. */
final class DgramTestKit {
    private DgramTestKit() {}

    /** Runs {@code body} on the default loop and waits; what it throws is rethrown here. */
    static void onLoop(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    /** Runs {@code body} on the default loop and returns its result. */
    static <T> T call(Supplier<T> body) {
        CompletableFuture<T> done = new CompletableFuture<>();
        EventLoop.getDefault().execute(() -> {
            try {
                done.complete(body.get());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            return done.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Binds {@code s} to port 0 on {@code address} and waits for LISTENING without a
     * {@code mustCall}, so that expectations already set by the test are not waited for here.
     */
    static DatagramSocket listening(DatagramSocket s, String address) {
        CompletableFuture<Void> up = new CompletableFuture<>();
        s.once(DatagramSocket.ERROR, (NetException e) -> up.completeExceptionally(e));
        s.bind(0, address, () -> up.complete(null));
        up.join();
        return s;
    }

    /** Sockets a test made; closed after it, whatever happened. */
    static final class Sockets {
        private final List<DatagramSocket> all = new ArrayList<>();

        DatagramSocket add(DatagramSocket s) {
            synchronized (all) {
                all.add(s);
            }
            return s;
        }

        /** A socket of {@code type} bound to port 0 on {@code address}, once it is listening. */
        DatagramSocket bound(String type, String address) {
            return listening(add(Dgram.createSocket(type)), address);
        }

        DatagramSocket bound4() {
            return bound("udp4", "127.0.0.1");
        }

        /** Closes every socket still open and waits for their CLOSE events. */
        void closeAll() {
            List<DatagramSocket> copy;
            synchronized (all) {
                copy = new ArrayList<>(all);
                all.clear();
            }
            List<CompletableFuture<Void>> closed = new ArrayList<>();
            for (DatagramSocket s : copy) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                try {
                    s.close(() -> f.complete(null));
                    closed.add(f);
                } catch (InvalidStateException alreadyClosed) {
                    // closed by the test
                }
            }
            closed.forEach(CompletableFuture::join);
        }
    }
}
