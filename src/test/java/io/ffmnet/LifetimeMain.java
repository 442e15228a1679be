package io.ffmnet;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@code main} for {@link EventLoopLifetimeTest}: each scenario sets something up on the
 * default loop and returns, and the test watches whether the JVM stays alive for it.
 */
public final class LifetimeMain {
    private LifetimeMain() {}

    public static void main(String[] args) {
        switch (args[0]) {
            case "timeout" -> Timers.setTimeout(() -> System.out.println("fired"), 300);
            case "unref-timeout" -> Timers.setTimeout(() -> System.out.println("fired"), 600_000).unref();
            case "interval" -> {
                int[] runs = {0};  // loop thread only
                AtomicReference<Timer> interval = new AtomicReference<>();
                interval.set(Timers.setInterval(() -> {
                    System.out.println("tick " + ++runs[0]);
                    if (runs[0] == 3) {
                        interval.get().clear();
                    }
                }, 20));
            }
            case "unref-then-ref" -> Timers.setTimeout(() -> System.out.println("fired"), 200).unref().ref();
            case "execute" -> EventLoop.getDefault().execute(() -> System.out.println("ran"));
            case "immediate" -> Timers.setImmediate(() -> System.out.println("immediate"));
            case "chain" -> Timers.setTimeout(() -> {
                System.out.println("first");
                Timers.setTimeout(() -> System.out.println("second"), 100);
            }, 100);
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("main returned");
    }
}
