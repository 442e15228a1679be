package io.ffmnet;

import java.nio.file.Path;

/** The part of Node's {@code fs} that sockets pipe to and from: file streams. */
public final class Fs {
    private Fs() {}

    /** Node's {@code fs.createWriteStream(path)}: creates or truncates the file. */
    public static FileWriteStream createWriteStream(Path path) {
        return createWriteStream(path, new WriteStreamOptions());
    }

    /** Node's {@code fs.createWriteStream(path, { flags, mode, highWaterMark })}. */
    public static FileWriteStream createWriteStream(Path path, WriteStreamOptions options) {
        return new FileWriteStream(EventLoop.current(), path, options);
    }

    /** Node's {@code fs.createReadStream(path)}: reads the whole file in 64 KiB chunks. */
    public static FileReadStream createReadStream(Path path) {
        return createReadStream(path, new ReadStreamOptions());
    }

    /**
     * Node's {@code fs.createReadStream(path, { start, end, highWaterMark })}: reads bytes
     * {@code start} to {@code end} of the file, both inclusive.
     *
     * @throws InvalidArgumentException {@code ERR_OUT_OF_RANGE} when {@code start} lies after {@code end}
     */
    public static FileReadStream createReadStream(Path path, ReadStreamOptions options) {
        options.checkRange();
        return new FileReadStream(EventLoop.current(), path, options);
    }
}
