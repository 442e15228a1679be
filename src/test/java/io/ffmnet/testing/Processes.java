package io.ffmnet.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The other processes tests start: Node 20 as a peer, and child JVMs for process-wide conditions. */
public final class Processes {
    /**
     * A Node client for {@code node -e SCRIPT PORT BYTES}: connects to 127.0.0.1:PORT, sends BYTES
     * random bytes and ends, reads everything back, then prints "sent-sha256 received-sha256 count".
     */
    public static final String NODE_BULK_CLIENT = """
            const net = require('net'), crypto = require('crypto');
            const data = crypto.randomBytes(+process.argv[2]);
            const sent = crypto.createHash('sha256').update(data).digest('hex');
            const got = crypto.createHash('sha256');
            let n = 0;
            const c = net.connect(+process.argv[1], '127.0.0.1', () => c.end(data));
            c.on('data', d => { got.update(d); n += d.length; });
            c.on('end', () => console.log(sent + ' ' + got.digest('hex') + ' ' + n));
            c.on('error', e => { console.error(e); process.exit(2); });
            """;

    private static volatile Boolean nodeInstalled;

    private Processes() {}

    /** Whether {@code node --version} runs; asked once per test JVM. */
    public static boolean nodeInstalled() {
        Boolean known = nodeInstalled;
        if (known == null) {
            known = probeNode();
            nodeInstalled = known;
        }
        return known;
    }

    private static boolean probeNode() {
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            p.destroyForcibly();
            return ok;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code main} in a child JVM on this test's class path (its stderr goes to the test's),
     * asserts that it finished within {@code timeoutSeconds} with status 0, and returns what it
     * printed on stdout, by line.
     */
    public static List<String> runJavaMain(Class<?> main, long timeoutSeconds) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), main.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            child.getOutputStream().close();
            assertTrue(child.waitFor(timeoutSeconds, TimeUnit.SECONDS), "the child JVM finished");
            List<String> lines = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines().toList();
            assertEquals(0, child.exitValue(), "exit status of the child JVM; it printed " + lines);
            return lines;
        } finally {
            child.destroyForcibly();
            child.getInputStream().close();
        }
    }
}
