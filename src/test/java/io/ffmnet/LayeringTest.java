package io.ffmnet;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN.md's layers, enforced on the sources: a layer uses only the layers below it, and only
 * the sys layer touches {@code Linker} or the generated bindings. Every mention of an
 * {@code io.ffmnet} package counts, imported or written out in full.
 */
class LayeringTest {
    /** Rank of each package; a package may use packages of a strictly lower rank (or its own). */
    private static final Map<String, Integer> RANK = Map.of(
            "io.ffmnet.bindings.linux_x86_64", 0,
            "io.ffmnet.internal.sys", 1,
            "io.ffmnet.internal.poll", 2,
            "io.ffmnet.internal.buffer", 2,
            "io.ffmnet.internal.loop", 3,
            "io.ffmnet.internal.stream", 4,
            "io.ffmnet.internal.dgram", 4,
            "io.ffmnet", 5);

    /** Error types every layer may build: leaves with no dependencies of their own. */
    private static final Set<String> LEAF_TYPES = Set.of(
            "io.ffmnet.CodedError", "io.ffmnet.NetException",
            "io.ffmnet.InvalidArgumentException", "io.ffmnet.InvalidStateException");

    /** Strings are not references ({@code System.getLogger("io.ffmnet")}). */
    private static final Pattern STRING_LITERAL = Pattern.compile("\"(?:[^\"\\\\\n]|\\\\.)*\"");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.ffmnet(?:\\.[a-z_0-9]+)*(?:\\.[A-Z]\\w*)?");

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            String text = STRING_LITERAL.matcher(Files.readString(file)).replaceAll("\"\"");
            String pkg = packageOf(text, file);
            Integer rank = RANK.get(pkg);
            if (rank == null) {
                violations.add(file + ": package " + pkg + " has no layer in LayeringTest");
                continue;
            }
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) {
                String ref = m.group();
                String target = packageOfReference(ref);
                if (target.equals(pkg) || LEAF_TYPES.contains(ref)) {
                    continue;
                }
                Integer targetRank = RANK.get(target);
                if (targetRank == null || targetRank >= rank) {
                    violations.add(file + " (" + pkg + ") uses " + ref);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void onlyTheSysLayerTouchesTheLinkerOrTheBindings() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : sources()) {
            String text = Files.readString(file);
            String pkg = packageOf(text, file);
            if (pkg.equals("io.ffmnet.internal.sys") || pkg.startsWith("io.ffmnet.bindings")) {
                continue;
            }
            if (text.contains("java.lang.foreign.Linker") || text.contains("io.ffmnet.bindings")) {
                violations.add(file.toString());
            }
        }
        assertEquals(List.of(), violations);
    }

    private static List<Path> sources() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String root : List.of("src/main/java", "bindings")) {
            try (Stream<Path> walk = Files.walk(Path.of(root))) {
                walk.filter(p -> p.toString().endsWith(".java"))
                        .filter(p -> !p.endsWith("module-info.java"))
                        .forEach(files::add);
            }
        }
        assertTrue(files.size() > 10, "sources found under src/main/java and bindings/");
        return files;
    }

    private static String packageOf(String text, Path file) {
        Matcher m = PACKAGE.matcher(text);
        assertTrue(m.find(), file + " has a package declaration");
        return m.group(1);
    }

    /** {@code io.ffmnet.internal.sys.Fds} → {@code io.ffmnet.internal.sys}; packages stay as they are. */
    private static String packageOfReference(String ref) {
        int last = ref.lastIndexOf('.');
        return Character.isUpperCase(ref.charAt(last + 1)) ? ref.substring(0, last) : ref;
    }
}
