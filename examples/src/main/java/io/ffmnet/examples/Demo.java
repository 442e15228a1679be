package io.ffmnet.examples;

import io.ffmnet.Buffer;
import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Socket;
import io.ffmnet.examples.net.ChatServer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * What {@code bin/demo} runs: the library doing real work on loopback, then exiting by itself
 * once nothing is left on the event loop (as a Node process does).
 * <ol>
 *   <li>the chat room from the examples, with three scripted members who join, talk and leave;</li>
 *   <li>an echo server that pipes each socket into itself, and a client streaming 64 MiB through
 *       it, checked by SHA-256 and timed.</li>
 * </ol>
 */
public final class Demo {
    private static final int STREAM_BYTES = 64 << 20;

    public static void main(String[] args) {
        Server room = new ChatServer().start(0);
        room.on(Server.LISTENING, () -> chat(room, () -> {
            room.close();
            stream();
        }));
    }

    /** Three members take turns; {@code done} runs when the last one has left. */
    private static void chat(Server room, Runnable done) {
        int port = room.address().port();
        String[][] scripts = {
                {"alice", "hi all", "bye"},
                {"bob", "hello alice"},
                {"carol", "good morning"},
        };
        List<Socket> members = new ArrayList<>();
        int[] closed = {0};
        for (String[] script : scripts) {
            Socket member = Net.createConnection(port, "127.0.0.1");
            member.setEncoding(StandardCharsets.UTF_8);
            member.on(Socket.TEXT, text -> System.out.print("  [" + script[0] + " sees] " + text));
            member.on(Socket.CLOSE, hadError -> {
                if (++closed[0] == scripts.length) {
                    done.run();
                }
            });
            members.add(member);
        }
        // Join one by one, then talk, then leave: each step a little after the previous one.
        long at = 100;
        for (int i = 0; i < scripts.length; i++) {
            Socket m = members.get(i);
            String[] script = scripts[i];
            io.ffmnet.Timers.setTimeout(() -> m.write(script[0] + "\n"), at += 50);
        }
        for (int line = 1; line < 3; line++) {
            for (int i = 0; i < scripts.length; i++) {
                if (line < scripts[i].length) {
                    Socket m = members.get(i);
                    String text = scripts[i][line];
                    io.ffmnet.Timers.setTimeout(() -> m.write(text + "\n"), at += 50);
                }
            }
        }
        for (Socket m : members) {
            io.ffmnet.Timers.setTimeout(m::end, at += 50);
        }
    }

    /** Streams random bytes through an echo server and checks they came back unchanged. */
    private static void stream() {
        Server echo = Net.createServer(socket -> socket.pipe(socket));
        echo.listen(0, "127.0.0.1", () -> {
            byte[] payload = new byte[STREAM_BYTES];
            new Random(42).nextBytes(payload);
            MessageDigest received = sha256();
            long start = System.nanoTime();
            Socket client = Net.createConnection(echo.address().port(), "127.0.0.1");
            client.on(Socket.DATA, (Buffer data) -> received.update(data.asByteBuffer()));
            client.on(Socket.END, () -> {
                double seconds = (System.nanoTime() - start) / 1e9;
                boolean same = HexFormat.of().formatHex(received.digest())
                        .equals(HexFormat.of().formatHex(sha256().digest(payload)));
                System.out.printf("echo: %d MiB out and back in %.2f s (%.0f MiB/s each way), sha-256 %s%n",
                        STREAM_BYTES >> 20, seconds, (STREAM_BYTES >> 20) / seconds, same ? "matches" : "DIFFERS");
                echo.close();
            });
            // Write in 64 KiB pieces, respecting backpressure as a pipe would.
            int[] offset = {0};
            Runnable pump = new Runnable() {
                @Override
                public void run() {
                    while (offset[0] < payload.length) {
                        int n = Math.min(64 * 1024, payload.length - offset[0]);
                        Buffer piece = Buffer.from(java.util.Arrays.copyOfRange(payload, offset[0], offset[0] + n));
                        offset[0] += n;
                        boolean more = client.write(piece);
                        piece.release();
                        if (!more) {
                            client.once(Socket.DRAIN, this);
                            return;
                        }
                    }
                    client.end();
                }
            };
            client.once(Socket.CONNECT, pump);
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
