/**
 * ffm-net: Node.js's {@code net} and {@code dgram} for Java, on an epoll event loop driven
 * through the FFM API. Only {@code io.ffmnet} is public; the layers beneath it are internal.
 *
 * <p>The library calls libc through the FFM API, so the JVM must be started with
 * {@code --enable-native-access=io.ffmnet} (or {@code =ALL-UNNAMED} on the class path).
 */
module io.ffmnet {
    exports io.ffmnet;
}
