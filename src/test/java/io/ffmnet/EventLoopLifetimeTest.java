package io.ffmnet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API.md's lifetime rule, in child JVMs: the default loop keeps the JVM alive exactly while it
 * has referenced handles or pending referenced timers. Each child runs {@link LifetimeMain} with
 * one scenario; the test reads what it printed and checks that it exited by itself (a child that
 * is kept alive wrongly never exits, and the hang guard below kills it and fails the test).
 */
@Timeout(300)
class EventLoopLifetimeTest {
    private static final long HANG_GUARD_SECONDS = 60;

    @Test
    void aReferencedTimeoutKeepsMainAliveUntilItFiresAndThenTheJvmExits() throws Exception {
        assertEquals(List.of("main returned", "fired"), run("timeout"));
    }

    @Test
    void anUnreferencedTimeoutDoesNotKeepTheJvmAlive() throws Exception {
        assertEquals(List.of("main returned"), run("unref-timeout"));
    }

    @Test
    void anIntervalKeepsTheJvmAliveUntilItIsCleared() throws Exception {
        assertEquals(List.of("main returned", "tick 1", "tick 2", "tick 3"), run("interval"));
    }

    @Test
    void refAfterUnrefHoldsTheJvmAgain() throws Exception {
        assertEquals(List.of("main returned", "fired"), run("unref-then-ref"));
    }

    @Test
    void aTaskHandedToTheLoopRunsBeforeTheJvmExits() throws Exception {
        List<String> lines = run("execute");
        assertEquals(2, lines.size(), lines.toString());
        assertEquals(List.of("main returned", "ran"), lines.stream().sorted().toList());
    }

    @Test
    void anImmediateRunsBeforeTheJvmExits() throws Exception {
        assertEquals(List.of("immediate", "main returned"), run("immediate").stream().sorted().toList());
    }

    @Test
    void aTimerSetByATimerCallbackKeepsTheJvmAlive() throws Exception {
        assertEquals(List.of("main returned", "first", "second"), run("chain"));
    }

    @Test
    void withoutNativeAccessTheLibrarySaysWhichFlagIsMissing() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LifetimeMain.class.getName(), "timeout")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            child.getOutputStream().close();
            String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!child.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the child JVM did not exit");
            }
            assertTrue(err.contains("--enable-native-access=ALL-UNNAMED"), err);
            assertTrue(err.contains("ffm-net"), err);
        } finally {
            child.destroyForcibly();
            child.getErrorStream().close();
        }
    }

    /** Runs the scenario in a child JVM and returns its standard output lines. */
    private static List<String> run(String scenario) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                LifetimeMain.class.getName(), scenario)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            child.getOutputStream().close();
            if (!child.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the child JVM for '" + scenario + "' did not exit: something keeps it alive");
            }
            assertEquals(0, child.exitValue(), "exit status of the child JVM");
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return out.lines().toList();
        } finally {
            child.destroyForcibly();
            child.getInputStream().close();
        }
    }
}
