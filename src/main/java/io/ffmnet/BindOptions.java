package io.ffmnet;

/**
 * Node's {@code socket.bind(options)} argument: {@code {port, address, exclusive}}, with fluent
 * setters: {@code socket.bind(new BindOptions().port(41234).address("127.0.0.1"), onListening)}.
 */
public final class BindOptions {
    /** Port 0: the kernel picks a free one. */
    public static final int DEFAULT_PORT = 0;

    private int port = DEFAULT_PORT;
    private String address;
    private boolean exclusive;

    /** Options with Node's defaults: any port, every address, not exclusive. */
    public BindOptions() {}

    /** The port to bind, 0 for one the kernel picks; must be 0 to 65535. */
    public BindOptions port(int port) {
        this.port = port;
        return this;
    }

    /**
     * The address (or host name, resolved first) to bind; null or empty for every address:
     * {@code 0.0.0.0} on {@code udp4}, {@code ::} on {@code udp6}.
     */
    public BindOptions address(String address) {
        this.address = address;
        return this;
    }

    /**
     * Node's {@code exclusive}: in a Node cluster, whether workers share the handle. ffm-net has no
     * cluster, so every socket is exclusive; the flag is kept for ported code and ignored.
     */
    public BindOptions exclusive(boolean exclusive) {
        this.exclusive = exclusive;
        return this;
    }

    /** The port to bind, 0 for one the kernel picks. */
    public int port() {
        return port;
    }

    /** The address to bind, or null for every address. */
    public String address() {
        return address;
    }

    /** Node's {@code exclusive} flag, kept for ported code. */
    public boolean exclusive() {
        return exclusive;
    }
}
