package io.ffmnet;

/** Node's {@code fs.createWriteStream(path, options)}: {@code flags}, {@code mode}, {@code highWaterMark}. */
public final class WriteStreamOptions {
    /** Node's default high-water mark for file write streams: 16 KiB. */
    public static final int DEFAULT_HIGH_WATER_MARK = 16 * 1024;

    private String flags = "w";
    private int mode = 0666;
    private int highWaterMark = DEFAULT_HIGH_WATER_MARK;

    /** {@code "w"} (default: create or truncate), {@code "a"} (append), {@code "wx"}, {@code "ax"} (fail if it exists). */
    public WriteStreamOptions flags(String flags) {
        if (!flags.matches("[wa]x?\\+?")) {
            throw InvalidArgumentException.invalidValue("flags", flags, "is invalid");
        }
        this.flags = flags;
        return this;
    }

    public String flags() {
        return flags;
    }

    /** Permission bits for a new file, before the umask (default {@code 0666}). */
    public WriteStreamOptions mode(int mode) {
        this.mode = mode;
        return this;
    }

    public int mode() {
        return mode;
    }

    public WriteStreamOptions highWaterMark(int highWaterMark) {
        this.highWaterMark = highWaterMark;
        return this;
    }

    public int highWaterMark() {
        return highWaterMark;
    }
}
