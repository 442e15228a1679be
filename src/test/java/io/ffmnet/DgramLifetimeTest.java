package io.ffmnet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * API.md's lifetime rule for datagram sockets, in child JVMs running {@link DgramLifetimeMain}
 * (Node's test-dgram-ref, test-dgram-unref): a bound, referenced socket keeps the JVM alive until
 * it is closed; {@code unref()} lets the JVM exit. A child kept alive wrongly never exits, and the
 * hang guard fails the test.
 */
@Timeout(300)
class DgramLifetimeTest {
    private static final long HANG_GUARD_SECONDS = 60;

    @Test
    void aBoundSocketKeepsTheJvmAliveUntilItIsClosed() throws Exception {
        assertEquals(List.of("main returned", "message hello", "closed"), run("bound-until-closed"));
    }

    @Test
    void refAfterUnrefHoldsTheJvmAgain() throws Exception {
        assertEquals(List.of("main returned", "message hello", "closed"), run("unref-then-ref"));
    }

    @Test
    void anUnreferencedSocketDoesNotKeepTheJvmAlive() throws Exception {
        List<String> lines = run("unref");
        assertEquals("main returned", lines.get(0), lines.toString());
    }

    @Test
    void aSocketThatSendsAndClosesLetsTheJvmExit() throws Exception {
        assertEquals(List.of("main returned", "sent 3", "closed"), run("send-and-close"));
    }

    private static List<String> run(String scenario) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), DgramLifetimeMain.class.getName(), scenario)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            child.getOutputStream().close();
            if (!child.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the child JVM for '" + scenario + "' did not exit: something keeps it alive");
            }
            assertEquals(0, child.exitValue(), "exit status of the child JVM");
            return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } finally {
            child.destroyForcibly();
            child.getInputStream().close();
        }
    }
}
