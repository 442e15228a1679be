package io.ffmnet;

/**
 * A {@code main} for {@link DgramLifetimeTest}: each scenario sets up datagram sockets on the
 * default loop and returns; the test watches whether the JVM stays alive for them, as Node's
 * process stays alive for a bound, referenced socket.
 */
public final class DgramLifetimeMain {
    private DgramLifetimeMain() {}

    public static void main(String[] args) {
        switch (args[0]) {
            case "bound-until-closed" -> boundUntilClosed(false);
            case "unref-then-ref" -> boundUntilClosed(true);
            case "unref" -> {
                DatagramSocket s = Dgram.createSocket("udp4");
                s.bind(0, "127.0.0.1", () -> System.out.println("listening"));
                s.unref();
            }
            case "send-and-close" -> {
                DatagramSocket s = Dgram.createSocket("udp4");
                s.send("bye", 9, "127.0.0.1", (e, n) -> {
                    System.out.println("sent " + n);
                    s.close(() -> System.out.println("closed"));
                });
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("main returned");
    }

    /**
     * A receiver that closes on its first message, and an unreferenced sender that sends it one
     * once it listens: only the receiver can keep the JVM alive until the message.
     */
    private static void boundUntilClosed(boolean toggleRef) {
        DatagramSocket receiver = Dgram.createSocket("udp4");
        DatagramSocket sender = Dgram.createSocket("udp4");
        sender.unref();
        receiver.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            System.out.println("message " + msg);
            receiver.close(() -> System.out.println("closed"));
            sender.close();
        });
        receiver.bind(0, "127.0.0.1", () -> sender.send("hello", receiver.address().port(), "127.0.0.1"));
        if (toggleRef) {
            receiver.unref().ref();
        }
    }
}
