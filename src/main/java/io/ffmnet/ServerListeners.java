package io.ffmnet;

import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.stream.Endpoint;
import io.ffmnet.internal.stream.ListenHandle;
import io.ffmnet.internal.stream.Tcp;
import io.ffmnet.internal.sys.Fds;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import static io.ffmnet.internal.sys.SysConstants.AF_UNIX;
import static io.ffmnet.internal.sys.SysConstants.ENOPROTOOPT;

/**
 * The listening sockets of one {@link Server} and the loops its connections go to
 * ({@link ServerOptions#loops(int)}).
 *
 * <p>With one loop this is one listening socket on the server's loop. With several, on TCP,
 * each loop has a listening socket of its own, all bound to one address and port with
 * {@code SO_REUSEPORT}; the kernel picks the socket, hence the loop, of each new connection, and
 * that loop accepts it, builds its {@link Socket} and emits {@code CONNECTION}, so a connection
 * never crosses threads. Where that cannot be had (a Unix domain socket, whose path cannot be
 * bound twice, or a kernel without the option),
 * one socket on the server's loop accepts everything and hands each descriptor to the next loop
 * in turn through {@link Loop#execute}.
 *
 * <p>All sockets are bound on the server's loop before any starts accepting, so a failure of
 * any bind closes the others before a connection could have been taken. Each listener is then
 * started and closed on its own loop; loops other than the server's report back through the
 * server loop's task queue. Server loop thread, except {@link Acceptor}, which runs on the
 * listener's loop.
 */
final class ServerListeners {
    private final Server server;
    private final Loop home;
    /** The loops connections go to; the server's own loop first. */
    private final List<EventLoop> loops;
    /** {@code handles[i]} belongs to {@code loops[i]}; only the first exists when handing off. */
    private final ListenHandle[] handles;
    /** Whether the one listener hands connections to the other loops (no SO_REUSEPORT group). */
    private boolean handOff;
    /** Round-robin cursor of the hand-off; touched only by the one accepting thread. */
    private int nextLoop;
    /** Listeners not yet closed; server loop. */
    private int open;

    /** What {@link #open} made: the listeners, or the errno of the call that failed. */
    record Opened(ServerListeners listeners, int errno) {}

    private ServerListeners(Server server, List<EventLoop> loops) {
        this.server = server;
        this.home = loops.getFirst().loop;
        this.loops = loops;
        this.handles = new ListenHandle[loops.size()];
    }

    /**
     * Binds and listens on every socket of the group; none is started yet. The first socket's
     * address is the one encoded in the server loop's scratch area ({@code length} bytes);
     * the others are bound to {@code ip} and the port the first one got, so port 0 picks one
     * port for the whole group.
     *
     * @param ip the IP address, or null for a Unix domain socket (always one listener)
     */
    static Opened open(Server server, List<EventLoop> loops, int family, int length, String ip,
                       ListenOptions o) {
        ServerListeners group = new ServerListeners(server, loops);
        Loop home = group.home;
        boolean spread = loops.size() > 1 && family != AF_UNIX;
        boolean reusePort = o.reusePort() || spread;
        ListenHandle.Opened first = ListenHandle.open(home, home, family, Tcp.encodedAddress(home), length,
                o.backlog(), reusePort, o.ipv6Only(), group.new Acceptor(0));
        if (first.handle() == null && spread && !o.reusePort() && first.errno() == -ENOPROTOOPT) {
            // A kernel without SO_REUSEPORT (Linux before 3.9): one listener that hands off.
            spread = false;
            first = ListenHandle.open(home, home, family, Tcp.encodedAddress(home), length,
                    o.backlog(), false, o.ipv6Only(), group.new Acceptor(0));
        }
        if (first.handle() == null) {
            return new Opened(null, first.errno());
        }
        group.handles[0] = first.handle();
        group.handOff = loops.size() > 1 && !spread;
        if (spread) {
            int port = first.handle().localEndpoint().port();
            for (int i = 1; i < loops.size(); i++) {
                int len = Tcp.encode(home, ip, port);
                ListenHandle.Opened next = ListenHandle.open(home, loops.get(i).loop, family,
                        Tcp.encodedAddress(home), len, o.backlog(), true, o.ipv6Only(), group.new Acceptor(i));
                if (next.handle() == null) {
                    group.closeUnstarted();
                    return new Opened(null, next.errno());
                }
                group.handles[i] = next.handle();
            }
        }
        return new Opened(group, 0);
    }

    /** After a later bind failed: none was started, so each closes here (see ListenHandle#close). */
    private void closeUnstarted() {
        for (ListenHandle h : handles) {
            if (h != null) {
                h.close();
            }
        }
    }

    /** Starts accepting on every loop. */
    void start() {
        for (int i = 0; i < handles.length; i++) {
            ListenHandle h = handles[i];
            if (h == null) {
                continue;
            }
            open++;
            if (i == 0) {
                h.start();
            } else {
                loops.get(i).loop.execute(h::start);
            }
        }
    }

    /**
     * Closes every listener on its own loop; {@code onClosed} runs on the server loop once all
     * are closed (at once when there is only the server loop's).
     */
    void close(Runnable onClosed) {
        for (int i = 0; i < handles.length; i++) {
            ListenHandle h = handles[i];
            if (h == null) {
                continue;
            }
            handles[i] = null;
            if (i == 0) {
                h.close();
                closed(onClosed);
            } else {
                loops.get(i).loop.execute(() -> {
                    h.close();
                    home.execute(() -> closed(onClosed));
                });
            }
        }
    }

    private void closed(Runnable onClosed) {
        if (--open == 0) {
            onClosed.run();
        }
    }

    /** The group's one address (port 0 resolved). */
    Endpoint localEndpoint() {
        return handles[0] == null ? null : handles[0].localEndpoint();
    }

    /** The callbacks of the listener of {@code loops[index]}, on that loop's thread. */
    private final class Acceptor implements ListenHandle.Callbacks {
        private final EventLoop loop;

        Acceptor(int index) {
            this.loop = loops.get(index);
        }

        @Override
        public void onConnection(int fd, Endpoint peer) {
            if (!server.admit(loop, fd, peer)) {
                return;
            }
            if (!handOff) {
                server.connected(loop, fd, peer);
                return;
            }
            EventLoop target = loops.get(nextLoop);
            nextLoop = nextLoop + 1 == loops.size() ? 0 : nextLoop + 1;
            if (target == loop) {
                server.connected(loop, fd, peer);
                return;
            }
            try {
                target.loop.execute(() -> server.connected(target, fd, peer));
            } catch (RejectedExecutionException e) {
                // The target loop is shut down: the connection was counted but will never be a Socket.
                Fds.close(fd);
                server.connectionClosed();
            }
        }

        @Override
        public void onAcceptError(int error) {
            server.acceptError(error);
        }
    }
}
