/*
 * Generates ffm-net's FFM bindings for one platform:
 *
 *     java native/Generate.java [--platform linux_x86_64] [--out DIR]
 *
 * Reads native/<platform>.list, writes a C probe that checks every listed prototype and type
 * size against the system headers at compile time and prints every constant, errno and struct
 * layout at run time, compiles it with $CC (default cc), runs it, and writes Constants, Errno,
 * Structs and Functions into DIR/io/ffmnet/bindings/<platform>/ (DIR defaults to the bindings/
 * directory next to native/). The output depends only on the list and the headers, never on
 * the time, the locale or the output directory, so CI can regenerate it and fail on any
 * difference from what is committed.
 */

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

public final class Generate {
    private Generate() {}

    /** A problem the user has to fix in the list, the arguments or the toolchain. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            generate(args);
        } catch (Failure e) {
            System.err.println("Generate: " + e.getMessage());
            System.exit(1);
        }
    }

    static void generate(String[] args) throws Exception {
        Path nativeDir = Path.of(Generate.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent();
        String platform = hostPlatform();
        Path out = nativeDir.resolveSibling("bindings");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--platform" -> platform = argument(args, ++i);
                case "--out" -> out = Path.of(argument(args, ++i));
                default -> throw new Failure("unknown argument " + args[i]
                        + "; usage: java native/Generate.java [--platform NAME] [--out DIR]");
            }
        }
        // The probe measures the machine it runs on, so it can only describe this platform.
        if (!platform.equals(hostPlatform())) {
            throw new Failure("this machine is " + hostPlatform() + "; generate " + platform
                    + " on a " + platform + " machine");
        }
        Path list = nativeDir.resolve(platform + ".list");
        if (!Files.isRegularFile(list)) {
            throw new Failure("there is no " + list + " for this platform yet");
        }
        Spec spec = Spec.parse(list, "native/" + platform + ".list");
        Emitter emitter = new Emitter(spec, Measured.parse(runProbe(probeSource(spec))), platform);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("Constants.java", emitter.constants());
        files.put("Errno.java", emitter.errno());
        files.put("Structs.java", emitter.structs());
        files.put("Functions.java", emitter.functions());
        write(out.resolve("io/ffmnet/bindings/" + platform), files);
    }

    private static String argument(String[] args, int i) {
        if (i >= args.length) {
            throw new Failure(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** This machine as a bindings package name: {@code linux_x86_64}, {@code macos_aarch64}. */
    static String hostPlatform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        return (os.startsWith("mac") ? "macos" : os.replace(' ', '_')) + "_"
                + (arch.equals("amd64") ? "x86_64" : arch.equals("arm64") ? "aarch64" : arch);
    }

    /** Writes the files and removes any other Java file there: the directory is all generated. */
    static void write(Path dir, Map<String, String> files) throws IOException {
        Files.createDirectories(dir);
        try (DirectoryStream<Path> existing = Files.newDirectoryStream(dir, "*.java")) {
            for (Path file : existing) {
                if (!files.containsKey(file.getFileName().toString())) {
                    Files.delete(file);
                }
            }
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
    }

    /* ---- The list ---- */

    record CType(int line, String name, String layout) {}

    record Names(int line, List<String> names) {}

    record Struct(int line, String tag, List<String> fields) {}

    record Measure(int line, String name, String expression) {}

    /** A C function; {@code fixed} and {@code variadic} hold parameter declarations as written. */
    record CFunction(int line, String prototype, String returnType, String name,
                     List<String> fixed, List<String> variadic, boolean setsErrno) {

        /** The index of the first variadic argument, or -1. */
        int firstVariadicArg() {
            return variadic.isEmpty() ? -1 : fixed.size();
        }

        /** The pointer type the header must declare: only the fixed part of a variadic one. */
        String cPointerType() {
            String params = fixed.isEmpty() ? "void" : String.join(", ", fixed);
            return returnType + " (*)(" + params + (variadic.isEmpty() ? "" : ", ...") + ")";
        }
    }

    static final class Spec {
        private static final Pattern PROTOTYPE = Pattern.compile("(.+?[\\s*])(\\w+)\\s*\\((.*)\\)\\s*;");
        private static final Pattern VARIADIC = Pattern.compile("/\\*(.*)\\*/");
        private static final Pattern DECLARATION = Pattern.compile("(.*[\\s*])\\w+(\\[\\w*])?");

        final String source;
        final List<String> includes = new ArrayList<>();
        final List<CType> types = new ArrayList<>();
        final List<CFunction> functions = new ArrayList<>();
        final List<Names> constants = new ArrayList<>();
        final List<Names> errnos = new ArrayList<>();
        final List<Struct> structs = new ArrayList<>();
        final List<Measure> measures = new ArrayList<>();

        private Spec(String source) {
            this.source = source;
        }

        static Spec parse(Path list, String source) throws IOException {
            Spec spec = new Spec(source);
            List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String text = lines.get(i).replaceFirst("#.*", "").strip();
                if (!text.isEmpty()) {
                    spec.add(i + 1, text);
                }
            }
            return spec;
        }

        private void add(int line, String text) {
            String[] split = text.split("\\s+", 2);
            if (split.length < 2) {
                throw failure(line, "'" + split[0] + "' needs arguments");
            }
            String rest = split[1];
            List<String> words = List.of(rest.split("\\s+"));
            switch (split[0]) {
                case "include" -> includes.add(rest);
                case "type" -> types.add(new CType(line,
                        String.join(" ", words.subList(0, words.size() - 1)), words.getLast()));
                case "function" -> functions.add(function(line, rest));
                case "const" -> constants.add(new Names(line, words));
                case "errno" -> errnos.add(new Names(line, words));
                case "struct" -> structs.add(new Struct(line, words.getFirst(),
                        words.subList(1, words.size())));
                case "measure" -> measures.add(new Measure(line, words.getFirst(),
                        rest.substring(words.getFirst().length()).strip()));
                default -> throw failure(line, "unknown entry '" + split[0] + "'");
            }
        }

        private CFunction function(int line, String text) {
            int end = text.lastIndexOf(';') + 1;
            String flags = text.substring(end).strip();
            Matcher m = PROTOTYPE.matcher(text.substring(0, end));
            if (!m.matches() || !(flags.isEmpty() || flags.equals("errno"))) {
                throw failure(line, "expected 'function PROTOTYPE; [errno]'");
            }
            String params = m.group(3).strip();
            List<String> variadic = List.of();
            int dots = params.indexOf("...");
            if (dots >= 0) {
                Matcher v = VARIADIC.matcher(params.substring(dots + 3).strip());
                if (!v.matches()) {
                    throw failure(line, "write what is passed after '...' in a comment: ... /* int arg */");
                }
                variadic = declarations(line, v.group(1));
                params = params.substring(0, dots).strip().replaceFirst(",$", "");
            }
            List<String> fixed = params.equals("void") ? List.of() : declarations(line, params);
            return new CFunction(line, text.substring(0, end).strip(), m.group(1).strip(), m.group(2),
                    fixed, variadic, !flags.isEmpty());
        }

        private List<String> declarations(int line, String params) {
            List<String> declarations = Arrays.stream(params.split(",")).map(String::strip).toList();
            for (String declaration : declarations) {
                if (!DECLARATION.matcher(declaration).matches()) {
                    throw failure(line, "name every parameter: '" + declaration + "'");
                }
            }
            return declarations;
        }

        /** The layout a parameter travels as; {@code int pipefd[2]} declares an {@code int *}. */
        String parameterLayout(String declaration, int line) {
            Matcher m = DECLARATION.matcher(declaration);
            if (!m.matches()) {
                throw new IllegalArgumentException(declaration);
            }
            return layoutOf(m.group(1).strip() + (m.group(2) != null ? " *" : ""), line);
        }

        /** The ValueLayout constant a C type travels as, from the list's {@code type} lines. */
        String layoutOf(String cType, int line) {
            String key = cType.endsWith("*") ? "*" : cType.replaceAll("\\s+", " ");
            return types.stream().filter(t -> t.name.equals(key)).map(CType::layout).findFirst()
                    .orElseThrow(() -> failure(line, "no 'type' line says how '" + key + "' travels"));
        }

        long byteSize(CType type) {
            try {
                return valueLayout(type.layout).byteSize();
            } catch (IllegalArgumentException e) {
                throw failure(type.line, e.getMessage());
            }
        }

        Failure failure(int line, String message) {
            return new Failure(source + ":" + line + ": " + message);
        }
    }

    /** The ValueLayout constant called {@code name}, such as JAVA_INT. */
    static ValueLayout valueLayout(String name) {
        try {
            return (ValueLayout) ValueLayout.class.getField(name).get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException(name + " is not a ValueLayout constant", e);
        }
    }

    /* ---- The probe ---- */

    /*
     * Macros keep the generated lines short. Each use is preceded by a #line directive, so that
     * a compiler error names the list line to fix rather than a line of a deleted temporary file.
     */
    private static final String PROBE_PRELUDE = """
            #include <stddef.h>
            #include <stdio.h>
            #include <string.h>

            #define SIZE(bytes, ...) _Static_assert(sizeof(__VA_ARGS__) == (bytes), \\
                    #__VA_ARGS__ " is not as large as the Java layout the list gives it")
            #define PROTOTYPE(function, ...) \\
                _Static_assert(__builtin_types_compatible_p(__typeof__(&function), __VA_ARGS__), \\
                    #function ": the system headers declare a different prototype")
            #define CONSTANT(name) constant(#name, (name) < 0, (long long) (name), (unsigned long long) (name))
            #define ERRNO(name) printf("errno %s %d %s\\n", #name, name, strerror(name))
            #define STRUCT(tag) printf("struct %s %zu %zu\\n", #tag, sizeof(struct tag), _Alignof(struct tag))
            #define FIELD(tag, field) printf("field %s %s %zu %zu %zu\\n", #tag, #field, \\
                    offsetof(struct tag, field), sizeof(((struct tag *) 0)->field), \\
                    __alignof__(((struct tag *) 0)->field))
            #define MEASURE(name, ...) printf("measure %s %lld\\n", #name, (long long) (__VA_ARGS__))

            /* Prints a constant exactly: a negative one as signed, any other as unsigned. */
            static void constant(const char *name, int negative, long long value, unsigned long long bits) {
                if (negative) {
                    printf("const %s %lld\\n", name, value);
                } else {
                    printf("const %s %llu\\n", name, bits);
                }
            }

            """;

    static String probeSource(Spec spec) {
        StringBuilder c = new StringBuilder("#define _GNU_SOURCE\n");
        spec.includes.forEach(header -> c.append("#include <").append(header).append(">\n"));
        c.append(PROBE_PRELUDE);
        for (CType t : spec.types) {
            String type = t.name.equals("*") ? "void *" : t.name;
            line(c, spec, t.line, "SIZE(" + spec.byteSize(t) + ", " + type + ");");
        }
        for (CFunction f : spec.functions) {
            line(c, spec, f.line, "PROTOTYPE(" + f.name + ", " + f.cPointerType() + ");");
        }
        c.append("\nint main(void) {\n");
        for (Names group : spec.constants) {
            group.names.forEach(name -> line(c, spec, group.line, "    CONSTANT(" + name + ");"));
        }
        // Errno names differ between systems: print those these headers define.
        for (Names group : spec.errnos) {
            for (String name : group.names) {
                c.append("#ifdef ").append(name).append('\n');
                line(c, spec, group.line, "    ERRNO(" + name + ");");
                c.append("#endif\n");
            }
        }
        for (Struct s : spec.structs) {
            line(c, spec, s.line, "    STRUCT(" + s.tag + ");");
            s.fields.forEach(field -> line(c, spec, s.line, "    FIELD(" + s.tag + ", " + field + ");"));
        }
        for (Measure m : spec.measures) {
            line(c, spec, m.line, "    MEASURE(" + m.name + ", " + m.expression + ");");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    private static void line(StringBuilder c, Spec spec, int line, String code) {
        c.append("#line %d \"%s\"\n%s\n".formatted(line, spec.source, code));
    }

    /** Compiles and runs the probe in a temporary directory; answers what it printed. */
    static List<String> runProbe(String source) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ffmnet-probe");
        Path c = dir.resolve("probe.c");
        Path exe = dir.resolve("probe");
        try {
            Files.writeString(c, source, StandardCharsets.UTF_8);
            String cc = System.getenv().getOrDefault("CC", "cc");
            List<String> command = new ArrayList<>(List.of(cc.strip().split("\\s+")));
            command.addAll(List.of("-std=gnu11", "-o", exe.toString(), c.toString()));
            Result compiled = run(command, "the C compiler '" + cc + "' (set CC to choose another)");
            if (compiled.status != 0) {
                throw new Failure("the probe does not compile; the errors name the list lines:\n"
                        + compiled.output);
            }
            Result probed = run(List.of(exe.toString()), "the probe");
            if (probed.status != 0) {
                throw new Failure("the probe failed with status " + probed.status + ":\n" + probed.output);
            }
            return probed.output.lines().toList();
        } finally {
            for (Path p : List.of(exe, c, dir)) {
                Files.deleteIfExists(p);
            }
        }
    }

    private record Result(int status, String output) {}

    private static Result run(List<String> command, String what) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new Failure("cannot run " + what + ": " + e.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    /* ---- What the probe measured ---- */

    record ErrnoValue(String name, int value, String description) {}

    record CField(long offset, long size, long align) {}

    record CStruct(long size, long align, Map<String, CField> fields) {}

    record Measured(Map<String, BigInteger> constants, Map<String, ErrnoValue> errnos,
                    Map<String, CStruct> structs, Map<String, Long> measures) {

        static Measured parse(List<String> lines) {
            Measured m = new Measured(new LinkedHashMap<>(), new LinkedHashMap<>(),
                    new LinkedHashMap<>(), new LinkedHashMap<>());
            for (String line : lines) {
                String[] w = line.split(" ", 4);
                switch (w[0]) {
                    case "const" -> m.constants.put(w[1], new BigInteger(w[2]));
                    case "errno" -> m.errnos.put(w[1], new ErrnoValue(w[1], Integer.parseInt(w[2]), w[3]));
                    case "struct" -> m.structs.put(w[1],
                            new CStruct(Long.parseLong(w[2]), Long.parseLong(w[3]), new LinkedHashMap<>()));
                    case "field" -> {
                        String[] f = line.split(" ");
                        m.structs.get(f[1]).fields.put(f[2],
                                new CField(Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5])));
                    }
                    case "measure" -> m.measures.put(w[1], Long.parseLong(w[2]));
                    default -> throw new IllegalStateException("unexpected probe output: " + line);
                }
            }
            return m;
        }
    }

    /* ---- The Java files ---- */

    /** A struct member as a layout, with the Java source that builds it. */
    record Element(MemoryLayout layout, String source) {}

    record Emitter(Spec spec, Measured measured, String platform) {
        private static final String GENERATED =
                "// GENERATED by 'java native/Generate.java --platform %s' from %s. Do not edit.\n";
        private static final Pattern LAYOUT_NAME = Pattern.compile("\\bJAVA_[A-Z_]+\\b");
        private static final Map<Long, String> SCALARS =
                Map.of(1L, "JAVA_BYTE", 2L, "JAVA_SHORT", 4L, "JAVA_INT", 8L, "JAVA_LONG");

        String constants() {
            StringBuilder body = new StringBuilder();
            int previousLine = 0;
            for (Names group : spec.constants) {
                // Consecutive const lines of the list make one block.
                body.append(previousLine == 0 || group.line == previousLine + 1 ? "" : "\n");
                previousLine = group.line;
                for (String name : group.names) {
                    body.append("    " + constant(name, measured.constants.get(name), group.line) + "\n");
                }
            }
            return file("Constants", List.of(), """
                    The integer constants of the C headers, by their C names. A constant that is unsigned in C
                    and above Integer.MAX_VALUE is the int with the same 32 bits (its unsigned value in a
                    comment); one that needs more than 32 bits is a long.""", body);
        }

        private String constant(String name, BigInteger value, int line) {
            if (value.bitLength() < 32) {
                return "public static final int %s = %s;".formatted(name, value);
            } else if (value.signum() > 0 && value.bitLength() == 32) {
                return "public static final int %s = 0x%x; // %s".formatted(name, value, value);
            } else if (value.bitLength() < 64) {
                return "public static final long %s = %sL;".formatted(name, value);
            } else if (value.signum() > 0 && value.bitLength() == 64) {
                return "public static final long %s = 0x%xL; // %s".formatted(name, value, value);
            }
            throw spec.failure(line, name + " = " + value + " does not fit 64 bits");
        }

        String errno() {
            StringBuilder body = new StringBuilder();
            // The first name listed for a value is its canonical one.
            Map<Integer, ErrnoValue> canonical = new TreeMap<>();
            for (ErrnoValue e : measured.errnos.values()) {
                body.append("    public static final int %s = %d;\n".formatted(e.name, e.value));
                canonical.putIfAbsent(e.value, e);
            }
            body.append(errnoSwitch(canonical, "name", """
                    The canonical name of an errno value ({@code EAGAIN} for 11), or null if it has none.""",
                    ErrnoValue::name));
            body.append(errnoSwitch(canonical, "description", """
                    strerror's text for an errno value as the C library gave it when these bindings were
                    generated ({@code "Connection refused"}), or null if the value has no name.""",
                    ErrnoValue::description));
            return file("Errno", List.of(), """
                    The errno values the C headers define, with their names and descriptions.""", body);
        }

        private static String errnoSwitch(Map<Integer, ErrnoValue> canonical, String method, String javadoc,
                                          Function<ErrnoValue, String> result) {
            String cases = canonical.values().stream()
                    .map(e -> "            case %s -> \"%s\";\n".formatted(e.name, javaString(result.apply(e))))
                    .collect(Collectors.joining());
            return "\n" + javadoc(javadoc, "    ") + """
                        public static String %s(int errno) {
                            return switch (errno) {
                    %s            default -> null;
                            };
                        }
                    """.formatted(method, cases);
        }

        String structs() {
            StringBuilder body = new StringBuilder();
            for (Struct s : spec.structs) {
                body.append(body.isEmpty() ? "" : "\n").append(struct(s));
            }
            for (Measure m : spec.measures) {
                body.append("\n    // %s\n    public static final long %s = %d;\n"
                        .formatted(m.expression, m.name, measured.measures.get(m.name)));
            }
            List<String> imports = List.of("java.lang.foreign.MemoryLayout", "java.lang.foreign.StructLayout");
            return file("Structs", imports, """
                    Sizes, alignments and field offsets of C structs as the C compiler laid them out, and a
                    layout of each built from them with explicit padding.""", body);
        }

        private String struct(Struct s) {
            CStruct c = measured.structs.get(s.tag);
            String prefix = s.tag.toUpperCase(Locale.ROOT);
            StringBuilder out = new StringBuilder();
            out.append("    // struct %s: %d bytes, aligned to %d\n".formatted(s.tag, c.size, c.align));
            out.append("    public static final long SIZEOF_%s = %d;\n".formatted(prefix, c.size));
            out.append("    public static final long ALIGNOF_%s = %d;\n".formatted(prefix, c.align));
            for (String name : s.fields) {
                CField f = c.fields.get(name);
                String field = prefix + "_" + name.toUpperCase(Locale.ROOT);
                out.append("    public static final long OFFSETOF_%s = %d;\n".formatted(field, f.offset));
                out.append("    public static final long SIZEOF_%s = %d;\n".formatted(field, f.size));
            }
            out.append("    public static final StructLayout " + prefix + "_LAYOUT = " + layout(s, c) + ";\n");
            return out.toString();
        }

        /**
         * The source of the struct's layout: fields in offset order, padding in the gaps. Builds
         * the layout here too, so that a misaligned member or a size other than sizeof fails
         * generation rather than the initialization of the generated class.
         */
        private String layout(Struct s, CStruct c) {
            List<Map.Entry<String, CField>> fields = new ArrayList<>(c.fields.entrySet());
            fields.sort(Comparator.comparingLong(e -> e.getValue().offset));
            List<Element> elements = new ArrayList<>();
            long at = 0;
            for (Map.Entry<String, CField> e : fields) {
                CField f = e.getValue();
                if (f.offset < at) {
                    throw spec.failure(s.line, s.tag + "." + e.getKey() + " overlaps another field");
                } else if (f.offset > at) {
                    elements.add(padding(f.offset - at));
                }
                elements.add(member(e.getKey(), f));
                at = f.offset + f.size;
            }
            if (c.size > at) {
                elements.add(padding(c.size - at));
            }
            String alignment = "";
            try {
                StructLayout layout = MemoryLayout.structLayout(
                        elements.stream().map(Element::layout).toArray(MemoryLayout[]::new));
                // sockaddr_storage is aligned for any address although ss_family is a short.
                if (layout.byteAlignment() != c.align) {
                    layout = layout.withByteAlignment(c.align);
                    alignment = ".withByteAlignment(" + c.align + ")";
                }
                if (layout.byteSize() != c.size) {
                    throw new IllegalArgumentException("the layout is " + layout.byteSize() + " bytes");
                }
            } catch (IllegalArgumentException e) {
                throw spec.failure(s.line, "struct " + s.tag + " (" + c.size + " bytes): " + e.getMessage());
            }
            String indent = "\n            ";
            return elements.stream().map(Element::source)
                    .collect(Collectors.joining("," + indent, "MemoryLayout.structLayout(" + indent, ")"))
                    + indent + ".withName(\"" + s.tag + "\")" + alignment;
        }

        private static Element padding(long bytes) {
            return new Element(MemoryLayout.paddingLayout(bytes), "MemoryLayout.paddingLayout(" + bytes + ")");
        }

        /**
         * A field of scalar size as the value layout of that size, any other as bytes. A field
         * aligned less than its size (in a packed struct, as epoll_event's data is on x86_64)
         * keeps the alignment C gives it.
         */
        private static Element member(String name, CField f) {
            String scalar = SCALARS.get(f.size);
            if (scalar == null) {
                return new Element(MemoryLayout.sequenceLayout(f.size, ValueLayout.JAVA_BYTE).withName(name),
                        "MemoryLayout.sequenceLayout(%d, JAVA_BYTE).withName(\"%s\")".formatted(f.size, name));
            }
            String alignment = "";
            if (f.align < f.size && f.align == 1) {
                scalar += "_UNALIGNED";
            } else if (f.align < f.size) {
                alignment = ".withByteAlignment(" + f.align + ")";
            }
            ValueLayout layout = valueLayout(scalar);
            layout = layout.withByteAlignment(Math.min(layout.byteAlignment(), f.align));
            return new Element(layout.withName(name), scalar + alignment + ".withName(\"" + name + "\")");
        }

        String functions() {
            StringBuilder body = new StringBuilder();
            for (CFunction f : spec.functions) {
                String name = f.name.toUpperCase(Locale.ROOT);
                body.append(body.isEmpty() ? "" : "\n").append("    // ").append(f.prototype).append('\n');
                body.append(f.setsErrno ? "    // errno\n" : "");
                if (f.firstVariadicArg() >= 0) {
                    body.append("    // variadic from arg %d\n".formatted(f.firstVariadicArg()));
                }
                body.append("    public static final FunctionDescriptor %s = %s;\n"
                        .formatted(name, descriptor(f)));
                if (f.firstVariadicArg() >= 0) {
                    body.append("    public static final int %s_FIRST_VARIADIC_ARG = %d;\n"
                            .formatted(name, f.firstVariadicArg()));
                }
            }
            return file("Functions", List.of("java.lang.foreign.FunctionDescriptor"), """
                    Downcall descriptors of the C functions, each checked against the system headers. Pointers
                    travel as JAVA_LONG raw addresses. A variadic function's descriptor lists the arguments
                    ffm-net passes; link it with
                    {@code Linker.Option.firstVariadicArg(NAME_FIRST_VARIADIC_ARG)}.""",
                    body);
        }

        private String descriptor(CFunction f) {
            List<String> layouts = Stream.concat(f.fixed.stream(), f.variadic.stream())
                    .map(declaration -> spec.parameterLayout(declaration, f.line))
                    .collect(Collectors.toCollection(ArrayList::new));
            if (f.returnType.equals("void")) {
                return "FunctionDescriptor.ofVoid(" + String.join(", ", layouts) + ")";
            }
            layouts.addFirst(spec.layoutOf(f.returnType, f.line));
            return "FunctionDescriptor.of(" + String.join(", ", layouts) + ")";
        }

        /** A whole Java file: the generated-by line, package, imports, class comment and body. */
        private String file(String name, List<String> imports, String javadoc, CharSequence body) {
            StringBuilder out = new StringBuilder(GENERATED.formatted(platform, spec.source));
            out.append("package io.ffmnet.bindings.").append(platform).append(";\n\n");
            imports.forEach(i -> out.append("import ").append(i).append(";\n"));
            TreeSet<String> layouts = new TreeSet<>();
            LAYOUT_NAME.matcher(body).results().forEach(r -> layouts.add(r.group()));
            out.append(imports.isEmpty() || layouts.isEmpty() ? "" : "\n");
            layouts.forEach(l -> out.append("import static java.lang.foreign.ValueLayout." + l + ";\n"));
            out.append(imports.isEmpty() && layouts.isEmpty() ? "" : "\n");
            out.append(javadoc(javadoc, "")).append("public final class ").append(name).append(" {\n");
            out.append("    private ").append(name).append("() {}\n\n");
            return out.append(body).append("}\n").toString();
        }

        private static String javadoc(String text, String indent) {
            return text.lines().map(l -> indent + " * " + l + "\n")
                    .collect(Collectors.joining("", indent + "/**\n", indent + " */\n"));
        }

        private static String javaString(String text) {
            return text.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }
}
