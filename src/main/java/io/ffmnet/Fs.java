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
        return new FileReadStream(EventLoop.current(), path);
    }
}
