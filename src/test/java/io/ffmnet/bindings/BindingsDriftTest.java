package io.ffmnet.bindings;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed bindings are exactly what the generator writes from this machine's headers:
 * DESIGN.md's promise that they can never drift from the headers, checked in CI.
 */
@Timeout(120)
class BindingsDriftTest {
    private static final String PLATFORM = "linux_x86_64";
    private static final String PACKAGE_DIR = "io/ffmnet/bindings/" + PLATFORM;
    private static final String FIX = "run java native/Generate.java and commit bindings/";

    @TempDir
    Path out;

    @Test
    void committedBindingsAreWhatTheGeneratorWritesFromTheHeaders() throws Exception {
        Assumptions.assumeTrue("Linux".equals(System.getProperty("os.name"))
                        && "amd64".equals(System.getProperty("os.arch")),
                "the " + PLATFORM + " bindings can only be generated on " + PLATFORM);
        if (!compilerOnPath()) {
            Assumptions.abort("no C compiler on PATH (cc, or the one $CC names): the generator needs one");
        }
        // Surefire runs the tests in the project's base directory.
        Path root = Path.of(System.getProperty("user.dir"));
        generate(root);
        Path committed = root.resolve("bindings").resolve(PACKAGE_DIR);
        Path generated = out.resolve(PACKAGE_DIR);
        Set<String> names = new TreeSet<>(fileNames(generated));
        names.addAll(fileNames(committed));
        for (String name : names) {
            compare(name, committed.resolve(name), generated.resolve(name));
        }
    }

    private void generate(Path root) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "native/Generate.java", "--platform", PLATFORM,
                "--out", out.toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String log;
        try (InputStream in = process.getInputStream()) {
            log = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(0, process.waitFor(), () -> "the generator failed:\n" + log);
    }

    private static void compare(String name, Path committed, Path generated) throws IOException {
        if (!Files.exists(committed)) {
            fail("bindings/" + PACKAGE_DIR + "/" + name + " is generated but not committed; " + FIX);
        }
        if (!Files.exists(generated)) {
            fail("bindings/" + PACKAGE_DIR + "/" + name + " is committed but no longer generated; " + FIX);
        }
        byte[] expected = Files.readAllBytes(generated);
        byte[] actual = Files.readAllBytes(committed);
        if (!Arrays.equals(expected, actual)) {
            fail("bindings/" + PACKAGE_DIR + "/" + name + " differs from what the headers give, "
                    + firstDifference(new String(actual, StandardCharsets.UTF_8),
                            new String(expected, StandardCharsets.UTF_8))
                    + "; " + FIX);
        }
    }

    private static String firstDifference(String committed, String generated) {
        List<String> a = committed.lines().toList();
        List<String> b = generated.lines().toList();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String left = i < a.size() ? a.get(i) : "<end of file>";
            String right = i < b.size() ? b.get(i) : "<end of file>";
            if (!left.equals(right)) {
                return "first at line " + (i + 1) + ": committed '" + left + "', generated '" + right + "'";
            }
        }
        return "in line endings";
    }

    private static List<String> fileNames(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        }
    }

    /** Whether the compiler the generator would run ($CC or cc) is an executable on PATH. */
    private static boolean compilerOnPath() {
        String cc = System.getenv().getOrDefault("CC", "cc").strip().split("\\s+")[0];
        if (cc.contains(File.separator)) {
            return Files.isExecutable(Path.of(cc));
        }
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, cc)));
    }
}
