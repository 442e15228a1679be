package io.ffmnet;

/**
 * Node's {@code fs.createReadStream(path, { start, end, highWaterMark })}: which bytes of the
 * file to read, both ends inclusive, and how many at a time.
 */
public final class ReadStreamOptions {
    /** JavaScript's {@code Number.MAX_SAFE_INTEGER}, the largest position Node accepts. */
    static final long MAX_POSITION = 9_007_199_254_740_991L;

    private long start;
    private long end = Long.MAX_VALUE;
    private int highWaterMark = FileReadStream.CHUNK_SIZE;

    /**
     * The first byte to read (default 0).
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} below 0
     */
    public ReadStreamOptions start(long start) {
        this.start = checkPosition("start", start);
        return this;
    }

    public long start() {
        return start;
    }

    /**
     * The last byte to read, inclusive (default: to the end of the file, Node's {@code Infinity}).
     * A {@code start} after it is refused when the stream is made.
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} below 0
     */
    public ReadStreamOptions end(long end) {
        this.end = checkPosition("end", end);
        return this;
    }

    /** The last byte to read, or {@link Long#MAX_VALUE} for the end of the file. */
    public long end() {
        return end;
    }

    /**
     * Bytes per read and per {@code DATA} chunk (default 64 KiB); 0 reads nothing, as in Node.
     *
     * @throws InvalidArgumentException {@code ERR_INVALID_ARG_VALUE} below 0
     */
    public ReadStreamOptions highWaterMark(int highWaterMark) {
        if (highWaterMark < 0) {
            throw InvalidArgumentException.invalidArgValue("options.highWaterMark", highWaterMark);
        }
        this.highWaterMark = highWaterMark;
        return this;
    }

    public int highWaterMark() {
        return highWaterMark;
    }

    /** Node's check when the stream is made: {@code start} may not lie after {@code end}. */
    void checkRange() {
        if (end != Long.MAX_VALUE && start > end) {
            throw InvalidArgumentException.outOfRange("start", "<= \"end\" (here: " + end + ")", start);
        }
    }

    /** How many bytes the range holds at most; {@link Long#MAX_VALUE} when it runs to the end. */
    long length() {
        return end == Long.MAX_VALUE ? Long.MAX_VALUE : end - start + 1;
    }

    private static long checkPosition(String name, long value) {
        if (value < 0 || value > MAX_POSITION) {
            throw InvalidArgumentException.outOfRange(name, ">= 0 && <= " + MAX_POSITION, value);
        }
        return value;
    }
}
