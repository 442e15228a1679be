package io.ffmnet;

/** Node's {@code new net.Socket(options)} object: {@code allowHalfOpen}, {@code highWaterMark}. */
public final class SocketOptions {
    /** Node 22+'s default high-water mark for streams: 64 KiB. */
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;

    private boolean allowHalfOpen;
    private int highWaterMark = DEFAULT_HIGH_WATER_MARK;

    /** Keep the writable side open after the peer ended (default false: end ours too). */
    public SocketOptions allowHalfOpen(boolean allowHalfOpen) {
        this.allowHalfOpen = allowHalfOpen;
        return this;
    }

    public boolean allowHalfOpen() {
        return allowHalfOpen;
    }

    /** Queued bytes at which {@code write} starts returning false. */
    public SocketOptions highWaterMark(int highWaterMark) {
        this.highWaterMark = highWaterMark;
        return this;
    }

    public int highWaterMark() {
        return highWaterMark;
    }
}
