package io.ffmnet;

import java.util.function.Consumer;

import io.ffmnet.internal.sys.Ip;

/**
 * Node's {@code net} module: the functions of {@code require('net')} as static methods.
 *
 * <p>The address helpers answer exactly as Node v24's do. {@code isIP}, {@code isIPv4} and
 * {@code isIPv6} implement the regular expressions of Node's {@code lib/internal/net.js}: dotted
 * quads without leading zeros, RFC 4291 IPv6 text with an optional IPv4 tail, and an optional zone
 * made of ASCII letters, digits, {@code -}, {@code .} and {@code :}. No whitespace is trimmed.
 */
public final class Net {
    private Net() {}

    /**
     * Node's {@code net.isIP(input)}: "Returns 6 if input is an IPv6 address. Returns 4 if input is
     * an IPv4 address in dot-decimal notation with no leading zeroes. Otherwise, returns 0."
     *
     * @param input the text to test; {@code null} gives 0, as Node gives for a non-string
     * @return 4, 6 or 0
     */
    public static int isIP(String input) {
        if (isIPv4(input)) {
            return 4;
        }
        return isIPv6(input) ? 6 : 0;
    }

    /**
     * Node's {@code net.isIPv4(input)}: "Returns true if input is an IPv4 address in dot-decimal
     * notation with no leading zeroes" ({@code 010.0.0.1} is not one). {@code null} gives false.
     *
     * @param input the text to test
     * @return whether it is a dotted-quad IPv4 address
     */
    public static boolean isIPv4(String input) {
        return input != null && Ip.parseV4(input) >= 0;
    }

    /**
     * Node's {@code net.isIPv6(input)}: "Returns true if input is an IPv6 address", zone included
     * ({@code fe80::1%eth0}) and IPv4-mapped forms ({@code ::ffff:127.0.0.1}) accepted. {@code null}
     * gives false.
     *
     * @param input the text to test
     * @return whether it is IPv6 address text
     */
    public static boolean isIPv6(String input) {
        if (input == null) {
            return false;
        }
        int zone = input.indexOf('%');
        if (zone < 0) {
            return parseIPv6Text(input) != null;
        }
        return isZone(input, zone + 1) && parseIPv6Text(input.substring(0, zone)) != null;
    }

    /**
     * The 16 bytes of IPv6 address text without a zone, or null. Only ASCII is taken: Node's regular
     * expression and libuv's {@code inet_pton} know no other digits, while {@link Ip#parseV6} reads
     * hex digits with {@link Character#digit}, which also takes other scripts' digits.
     */
    static byte[] parseIPv6Text(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':' && c != '.') {
                return null;
            }
        }
        return Ip.parseV6(text);
    }

    // Node's zone is "%[0-9a-zA-Z-.:]{1,}": one or more of these characters, nothing else.
    private static boolean isZone(String s, int from) {
        if (from >= s.length()) {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alnum && c != '-' && c != '.' && c != ':') {
                return false;
            }
        }
        return true;
    }

    // ---- servers and connections -----------------------------------------------------------

    /** Node's {@code net.createServer()}. */
    public static Server createServer() {
        return createServer(new ServerOptions(), null);
    }

    /** Node's {@code net.createServer(connectionListener)}. */
    public static Server createServer(Consumer<Socket> connectionListener) {
        return createServer(new ServerOptions(), connectionListener);
    }

    /** Node's {@code net.createServer(options, connectionListener)}. */
    public static Server createServer(ServerOptions options, Consumer<Socket> connectionListener) {
        return new Server(EventLoop.current(), options, connectionListener);
    }

    /** Connects to {@code port} on {@code localhost}. */
    public static Socket createConnection(int port) {
        return createConnection(new ConnectOptions().port(port), null);
    }

    public static Socket createConnection(int port, String host) {
        return createConnection(new ConnectOptions().port(port).host(host), null);
    }

    public static Socket createConnection(int port, Consumer<Socket> connectListener) {
        return createConnection(new ConnectOptions().port(port), connectListener);
    }

    public static Socket createConnection(int port, String host, Consumer<Socket> connectListener) {
        return createConnection(new ConnectOptions().port(port).host(host), connectListener);
    }

    /** Connects to the Unix domain socket at {@code path}. */
    public static Socket createConnection(String path, Consumer<Socket> connectListener) {
        return createConnection(new ConnectOptions().path(path), connectListener);
    }

    public static Socket createConnection(String path) {
        return createConnection(new ConnectOptions().path(path), null);
    }

    public static Socket createConnection(ConnectOptions options) {
        return createConnection(options, null);
    }

    /**
     * Node's {@code net.createConnection(options, connectListener)}: a new socket, connecting.
     * The listener receives the socket (Java cannot name a variable in its own initializer) and
     * is added as a one-time {@code Socket.CONNECT} listener.
     */
    public static Socket createConnection(ConnectOptions options, Consumer<Socket> connectListener) {
        Socket socket = new Socket(new SocketOptions()
                .allowHalfOpen(options.allowHalfOpen())
                .highWaterMark(options.highWaterMark()));
        return socket.connect(options, connectListener == null ? null : () -> connectListener.accept(socket));
    }

    /** Same as {@link #createConnection(int)}. */
    public static Socket connect(int port) {
        return createConnection(port);
    }

    public static Socket connect(int port, String host) {
        return createConnection(port, host);
    }

    public static Socket connect(int port, Consumer<Socket> connectListener) {
        return createConnection(port, connectListener);
    }

    public static Socket connect(int port, String host, Consumer<Socket> connectListener) {
        return createConnection(port, host, connectListener);
    }

    public static Socket connect(String path) {
        return createConnection(path);
    }

    public static Socket connect(String path, Consumer<Socket> connectListener) {
        return createConnection(path, connectListener);
    }

    public static Socket connect(ConnectOptions options) {
        return createConnection(options);
    }

    public static Socket connect(ConnectOptions options, Consumer<Socket> connectListener) {
        return createConnection(options, connectListener);
    }
}
