package io.ffmnet;

import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.loop.Resolver;
import io.ffmnet.internal.stream.Endpoint;
import io.ffmnet.internal.stream.StreamHandle;
import io.ffmnet.internal.stream.Tcp;
import io.ffmnet.internal.sys.Dns;
import io.ffmnet.internal.sys.Errors;
import io.ffmnet.internal.sys.Ip;
import io.ffmnet.internal.sys.Sockets;

import java.util.List;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;
import static io.ffmnet.internal.sys.SysConstants.AF_INET6;
import static io.ffmnet.internal.sys.SysConstants.AF_UNIX;

/**
 * How a {@link Socket} connects: validation of the options, the host name lookup (off the loop),
 * and one attempt per resolved address until one connects, as Node's {@code autoSelectFamily}
 * falls back from one address to the next. Loop thread, except {@link #validate}.
 */
final class SocketConnector {
    private final Socket socket;
    private ConnectOptions options;
    private List<String> addresses;
    private int attempt;

    SocketConnector(Socket socket) {
        this.socket = socket;
    }

    /** Node's synchronous argument checks, on the caller's thread; marks the socket connecting. */
    void validate(ConnectOptions o) {
        if (o.path() == null) {
            if (o.port() == -1) {
                throw new InvalidArgumentException("ERR_MISSING_ARGS",
                        "The \"options\" or \"port\" or \"path\" argument must be specified");
            }
            if (o.port() < 0 || o.port() > 65535) {
                throw InvalidArgumentException.badPort("Port", o.port());
            }
            if (o.family() != 0 && o.family() != 4 && o.family() != 6) {
                throw InvalidArgumentException.invalidValue("options.family", o.family(), "must be one of: 0, 4, 6");
            }
            if (o.localAddress() != null && Ip.version(o.localAddress()) == 0) {
                throw InvalidArgumentException.invalidValue("options.localAddress", o.localAddress(), "is invalid");
            }
            if (o.localPort() < 0 || o.localPort() > 65535) {
                throw InvalidArgumentException.badPort("options.localPort", o.localPort());
            }
        }
        if (socket.connecting) {
            throw new InvalidStateException("ERR_SOCKET_CONNECTING", "Socket is already connecting");
        }
        // Node sets socket.connecting inside connect(): pending(), connecting() and readyState()
        // read "opening" as soon as connect returns, even when the loop takes the call up later.
        if (!socket.destroyed && !socket.connected) {
            socket.connecting = true;
        }
    }

    void start(ConnectOptions o) {
        if (socket.destroyed || socket.connected) {
            socket.connecting = false;
            return;
        }
        options = o;
        socket.connecting = true;
        socket.activate();
        if (o.timeout() > 0) {
            socket.setTimeout(o.timeout());
        }
        if (o.noDelay()) {
            socket.setNoDelay(true);
        }
        if (o.keepAlive()) {
            socket.setKeepAlive(true, o.keepAliveInitialDelay());
        }
        if (o.path() != null) {
            addresses = List.of(o.path());
            attemptNext();
            return;
        }
        String host = o.host() == null || o.host().isEmpty() ? "localhost" : o.host();
        int family = o.family() == 4 ? AF_INET : o.family() == 6 ? AF_INET6 : 0;
        if (Ip.version(host) != 0) {
            addresses = List.of(host);
            attemptNext();
            return;
        }
        Resolver.lookup(loop(), host, family, answer -> onLookup(host, answer));
    }

    private void onLookup(String host, Dns.Answer answer) {
        if (socket.destroyed) {
            return;
        }
        if (answer.status() != 0 || answer.addresses().isEmpty()) {
            NetException e = Errors.lookupException(answer.status() != 0 ? answer.status() : Dns.UV_EAI_NONAME, host);
            socket.emit(Socket.LOOKUP, new LookupResult(e, null, null, host));
            socket.destroyNow(e, false);
            return;
        }
        addresses = options.autoSelectFamily() ? answer.addresses() : answer.addresses().subList(0, 1);
        String first = addresses.getFirst();
        socket.emit(Socket.LOOKUP, new LookupResult(null, first, Ip.version(first) == 6 ? "IPv6" : "IPv4", host));
        if (!socket.destroyed) {
            attemptNext();
        }
    }

    /** Opens a socket for the next address and starts connecting it. */
    private void attemptNext() {
        String target = addresses.get(attempt++);
        boolean unix = options.path() != null;
        int family = unix ? AF_UNIX : Ip.version(target) == 6 ? AF_INET6 : AF_INET;
        int fd = Tcp.socket(family);
        if (fd < 0) {
            failed(fd, "socket");
            return;
        }
        socket.handle = new StreamHandle(loop(), fd, socket.reader());
        int r = bindLocal(fd, family);
        if (r < 0) {
            bindFailed(r, family);
            return;
        }
        int length = unix ? Tcp.encodeUnix(loop(), target) : Tcp.encode(loop(), target, options.port());
        r = length < 0 ? length : socket.handle.connect(Tcp.encodedAddress(loop()), length);
        if (r < 0) {
            failed(r, "connect");
        }
    }

    private int bindLocal(int fd, int family) {
        if (options.localAddress() == null && options.localPort() == 0) {
            return 0;
        }
        int length = Tcp.encode(loop(), localAddress(family), options.localPort());
        return length < 0 ? length : Sockets.bind(fd, Tcp.encodedAddress(loop()), length);
    }

    /** Node binds to {@code localAddress}, or to the wildcard of the family when only a port is given. */
    private String localAddress(int family) {
        String address = options.localAddress();
        return address != null ? address : family == AF_INET6 ? "::" : "0.0.0.0";
    }

    /**
     * Node destroys the socket at once when binding the local end fails, with the local address
     * and port in the error ({@code bind EADDRINUSE 127.0.0.1:4000}); no other address is tried.
     */
    private void bindFailed(int error, int family) {
        socket.handle.close();
        socket.handle = null;
        socket.destroyNow(Errors.exception(error, "bind", localAddress(family), options.localPort()), false);
    }

    /** The stream finished connecting. */
    void onConnect(int status) {
        if (socket.destroyed) {
            return;
        }
        if (status < 0) {
            failed(status, "connect");
            return;
        }
        String target = addresses.get(attempt - 1);
        Endpoint peer = options.path() != null
                ? new Endpoint(target, "unix", -1)
                : new Endpoint(target, Ip.version(target) == 6 ? "IPv6" : "IPv4", options.port());
        socket.onConnected(peer);
    }

    /** This attempt failed: try the next address, or fail the socket with Node's error. */
    private void failed(int error, String syscall) {
        String target = addresses.get(attempt - 1);
        if (socket.handle != null) {
            socket.handle.close();
            socket.handle = null;
        }
        if (attempt < addresses.size()) {
            attemptNext();
            return;
        }
        int port = options.path() != null ? -1 : options.port();
        socket.destroyNow(Errors.exception(error, syscall, target, port), false);
    }

    private Loop loop() {
        return socket.loop();
    }
}
