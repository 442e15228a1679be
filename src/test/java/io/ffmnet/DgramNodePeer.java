package io.ffmnet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A Node.js process running {@code dgram-peer.js} (see its header for the configuration), on
 * loopback or inside a network namespace; what it prints is read line by line. It runs until
 * {@link #close()} closes its standard input.
 */
final class DgramNodePeer implements AutoCloseable {
    /** Bounds a wait for the peer so a broken test fails instead of hanging; measures nothing. */
    private static final long HANG_GUARD_SECONDS = 60;

    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** The port the peer bound, or -1. */
    final int port;

    /** Whether {@code node} can be run here. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts the peer with the JSON configuration {@code config}, inside namespace {@code netns}
     * (null: this one), and waits until it is ready.
     */
    DgramNodePeer(String netns, String config) throws IOException {
        List<String> command = new ArrayList<>();
        if (netns != null) {
            command.addAll(List.of("ip", "netns", "exec", netns));
        }
        command.addAll(List.of("node", script().toString(), config));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(this::readLines, "dgram-peer-reader");
        reader.setDaemon(true);
        reader.start();
        String ready = nextMatching("ready ");
        port = Integer.parseInt(ready.substring("ready ".length()).trim());
    }

    private static Path script() {
        try {
            return Path.of(DgramNodePeer.class.getResource("dgram-peer.js").toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("error reading the peer's output: " + e);
        }
    }

    /** The next line the peer printed. */
    String nextLine() {
        try {
            String line = lines.poll(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            assertNotNull(line, "the Node peer printed nothing more");
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Skips lines until one starting with {@code prefix}; an {@code error} line fails the test. */
    String nextMatching(String prefix) {
        while (true) {
            String line = nextLine();
            if (line.startsWith(prefix)) {
                return line;
            }
            if (line.startsWith("error") || line.contains("Error")) {
                throw new AssertionError("the Node peer failed: " + line);
            }
        }
    }

    /** The text of the next datagram the peer received. */
    String nextReceived() {
        String[] parts = nextMatching("recv ").split(" ", 5);
        return parts.length == 5 ? parts[4] : "";
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** A JSON string literal. */
    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
