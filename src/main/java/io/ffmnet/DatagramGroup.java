package io.ffmnet;

import io.ffmnet.internal.dgram.UdpHandle;
import io.ffmnet.internal.loop.Loop;
import io.ffmnet.internal.sys.Errors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The extra sockets of a datagram socket made with {@link DatagramOptions#loops(int)} {@code > 1}:
 * one {@link UdpHandle} per extra loop, bound with {@code SO_REUSEPORT} to the address and port of
 * the socket's own handle, so that the kernel spreads incoming datagrams over all of them by flow
 * hash (socket(7), {@code SO_REUSEPORT}).
 *
 * <p>Each member receives and sends on its own loop's thread; {@code LISTENING}, {@code ERROR}
 * and {@code CLOSE} stay on the socket's own loop. Socket options are set on every member from
 * whatever thread sets them, which the handles' locks allow.
 */
final class DatagramGroup {
    private final DatagramSocket socket;
    private final List<Loop> loops;
    /** Written once on the socket's loop by {@link #bind}; read by member loops after that. */
    private volatile UdpHandle[] members = new UdpHandle[0];
    private volatile boolean closing;

    /**
     * @param own the socket's own loop
     * @param n   the loops in all, own included
     */
    DatagramGroup(DatagramSocket socket, EventLoop own, int n) {
        this.socket = socket;
        List<Loop> others = new ArrayList<>(n - 1);   // the spread's loops but the socket's own
        for (EventLoop l : EventLoop.spread(own, n).subList(1, n)) {
            others.add(l.loop);
        }
        this.loops = List.copyOf(others);
    }

    /**
     * Opens, binds and starts the members on {@code ip:port} (the port the own handle got, never
     * 0), with the own handle's bind flags and {@code SO_REUSEPORT}. Socket's loop thread.
     *
     * @return 0 or the first {@code -errno}; the members made so far are kept for close
     */
    int bind(String ip, int port, int flags, int family, int slotSize) {
        UdpHandle[] made = new UdpHandle[loops.size()];
        int r = 0;
        int count = 0;
        for (; count < made.length && r == 0; count++) {
            UdpHandle h = new UdpHandle(loops.get(count), family, slotSize, new DatagramInbox(socket, this));
            made[count] = h;
            r = h.bind(ip, port, flags | UdpHandle.REUSEPORT);
        }
        members = Arrays.copyOf(made, count);
        if (r == 0) {
            for (int i = 0; i < count; i++) {
                UdpHandle h = made[i];
                loops.get(i).execute(() -> startReceiving(h));
            }
        }
        return r;
    }

    /** On the member's loop: it was bound, so this only arms it (a failure is the socket's ERROR). */
    private void startReceiving(UdpHandle h) {
        if (h.isClosed()) {
            return;
        }
        int r = h.startReceiving();
        if (r < 0) {
            socket.onLoop(() -> socket.state.emitErrorOrClose(
                    Errors.exception(r, "recvmsg")));
        }
    }

    /** The member that the calling loop thread runs, or {@code own} from any other thread. */
    UdpHandle handleFor(UdpHandle own) {
        Loop current = Loop.current();
        if (current != null) {
            int i = loops.indexOf(current);
            UdpHandle[] m = members;
            if (i >= 0 && i < m.length) {
                return m[i];
            }
        }
        return own;
    }

    /** Whether the calling thread is one of the members' loops (not the socket's own). */
    boolean onMemberLoop() {
        Loop current = Loop.current();
        return current != null && loops.indexOf(current) >= 0 && members.length > 0;
    }

    /** Applies a socket option to every member; the first failure wins. Any thread. */
    int applyToMembers(ToIntFunction<UdpHandle> option) {
        int result = 0;
        for (UdpHandle h : members) {
            int r = option.applyAsInt(h);
            if (r < 0 && result == 0) {
                result = r;
            }
        }
        return result;
    }

    /** For tests: an int option of every socket of {@code s}'s group, its own first, or {@code -errno}s. */
    static int[] intOptions(DatagramSocket s, int level, int name) {
        UdpHandle[] m = s.group == null ? new UdpHandle[0] : s.group.members;
        int[] values = new int[1 + m.length];
        values[0] = s.handle.intOption(level, name);
        for (int i = 0; i < m.length; i++) {
            values[i + 1] = m[i].intOption(level, name);
        }
        return values;
    }

    /** Applies a socket option to {@code s}'s own handle and to every member; the first failure wins. */
    static int all(DatagramSocket s, ToIntFunction<UdpHandle> option) {
        int r = option.applyAsInt(s.handle);
        if (s.group != null) {
            int m = s.group.applyToMembers(option);
            r = r < 0 ? r : m;
        }
        return r;
    }

    /** The descriptor a send leaves by: the calling loop's member of the group, else {@code s}'s own. */
    static UdpHandle sendHandle(DatagramSocket s) {
        return s.group == null ? s.handle : s.group.handleFor(s.handle);
    }

    /** Runs a send on the calling thread if it is a member loop of the group, else on {@code s}'s loop. */
    static void onSendLoop(DatagramSocket s, Runnable send) {
        if (s.group != null && s.group.onMemberLoop()) {
            send.run();
        } else {
            s.onLoop(send);
        }
    }

    boolean isClosing() {
        return closing;
    }

    /**
     * Closes every member on its own loop, then runs {@code then} on the socket's loop once all
     * are closed (so {@code CLOSE} means every descriptor is gone). Socket's loop thread.
     */
    void close(Runnable then) {
        closing = true;
        UdpHandle[] m = members;
        if (m.length == 0) {
            socket.loop().nextTick(then);
            return;
        }
        int[] left = {m.length};
        for (int i = 0; i < m.length; i++) {
            UdpHandle h = m[i];
            loops.get(i).execute(() -> {
                h.close();
                socket.loop().execute(() -> {
                    if (--left[0] == 0) {
                        then.run();
                    }
                });
            });
        }
    }
}
