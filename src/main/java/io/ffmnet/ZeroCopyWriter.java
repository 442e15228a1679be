package io.ffmnet;

/**
 * A transfer that puts bytes into a socket without its write queue: a splice from another
 * socket ({@link SocketSplice}) or a sendfile from a file ({@link FileSendfile}). At most one per
 * socket, in {@link Socket#zeroCopy}; it runs only while the socket's queue is empty, so the
 * socket tells it before anything else is written, and when it is destroyed. Loop thread only.
 */
interface ZeroCopyWriter {
    /** A write or {@code end()} is about to reach the socket: step aside, keeping the byte order. */
    void beforeWrite();

    /** The socket is being destroyed. */
    void destinationClosing();

    /** Called by the socket's writer and {@code end()} before anything is written or FIN sent. */
    static void beforeWrite(Socket socket) {
        ZeroCopyWriter w = socket.zeroCopy;
        if (w != null) {
            w.beforeWrite();
        }
    }

    /** Called by the socket's destroy. */
    static void destinationClosing(Socket socket) {
        ZeroCopyWriter w = socket.zeroCopy;
        if (w != null) {
            w.destinationClosing();
        }
    }
}
