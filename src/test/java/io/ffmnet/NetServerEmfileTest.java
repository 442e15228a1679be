package io.ffmnet;

import io.ffmnet.testing.Processes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Running out of file descriptors on accept (Node's test-net-server-max-connections-close-makes-more-available
 * and libuv's {@code tcp_emfile}): in a child JVM ({@link EmfileMain}) whose descriptor limit is
 * lowered to a little above what it has open, a {@code node} child opens far more connections
 * than fit. The server must shed the ones it cannot take instead of spinning on a listening
 * socket that stays readable, and must keep serving once descriptors are free again.
 */
@Timeout(180)
class NetServerEmfileTest {
    /** A hang guard for the child, not a measurement. */
    private static final long CHILD_GUARD_SECONDS = 120;

    @Test
    void acceptRunningOutOfDescriptorsShedsConnectionsWithoutSpinningAndKeepsServing() throws Exception {
        assumeTrue(Processes.nodeInstalled(), "node is not on the PATH");
        List<String> lines = runChild();
        String all = String.join("\n", lines);
        assertTrue(lines.contains("served-after-emfile"), all);

        Map<String, Long> values = new HashMap<>();
        for (String line : lines) {
            String[] kv = line.split(" ");
            if (kv.length == 2 && kv[1].matches("-?\\d+")) {
                values.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        long accepted = values.getOrDefault("accepted", -1L);
        long shed = values.getOrDefault("closed-by-server", -1L);
        assertTrue(accepted > 0 && accepted < EmfileMain.CLIENTS, "connections accepted under the limit: " + all);
        // The proof that accept really hit EMFILE: the server turned connections away itself.
        assertTrue(shed > 0, "connections closed by the server while the table was full: " + all);

        long cpu = values.getOrDefault("loop-cpu-ns", -1L);
        long wall = values.get("wall-ns");
        assumeTrue(cpu >= 0, "this JVM cannot measure a thread's CPU time: " + all);
        // Not a performance threshold: a loop that spins on the still-readable listening socket
        // burns a whole core for the entire period (CPU time close to wall time); one that sheds
        // the connections and sleeps in epoll uses a few milliseconds. Half the wall time
        // separates the two with a wide margin on any machine.
        assertTrue(cpu < wall / 2, "the loop thread used " + cpu / 1_000_000 + " ms of CPU in "
                + wall / 1_000_000 + " ms: it spins\n" + all);
    }

    private static List<String> runChild() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                EmfileMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            child.getOutputStream().close();
            if (!child.waitFor(CHILD_GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the EMFILE child JVM did not finish");
            }
            List<String> lines = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines().toList();
            System.out.println("EmfileMain: " + String.join(", ", lines));
            assertEquals(0, child.exitValue(), "exit status of the child JVM; it printed " + lines);
            return lines;
        } finally {
            child.destroyForcibly();
            child.getInputStream().close();
        }
    }
}
