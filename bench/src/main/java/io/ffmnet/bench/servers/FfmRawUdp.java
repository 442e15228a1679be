package io.ffmnet.bench.servers;

import io.ffmnet.internal.buffer.Chunk;
import io.ffmnet.internal.dgram.Peer;
import io.ffmnet.internal.dgram.SendRequest;
import io.ffmnet.internal.dgram.UdpHandle;
import io.ffmnet.internal.loop.Loop;

import java.util.ArrayList;
import java.util.List;

import static io.ffmnet.internal.sys.SysConstants.AF_INET;

/**
 * ffm-net's UDP echo through the raw handle layer ({@link UdpHandle}): each received datagram's
 * pooled memory is sent straight back to its sender, with none of {@code DatagramSocket}'s
 * events, lookups or state. With several loops, one handle per loop on one port
 * ({@code SO_REUSEPORT}).
 */
final class FfmRawUdp {
    /** Reply send failures are part of a lossy protocol; nothing to do per datagram. */
    private static final SendRequest.Callback IGNORE = (request, result) -> { };
    /** Receive slots of 64 KiB, as {@code DatagramSocket}'s default. */
    private static final int SLOT_SIZE = 64 * 1024;

    private final List<Loop> loops;
    private final List<UdpHandle> handles;
    final int port;

    private FfmRawUdp(List<Loop> loops, List<UdpHandle> handles, int port) {
        this.loops = loops;
        this.handles = handles;
        this.port = port;
    }

    static FfmRawUdp bind(List<Loop> loops, int port) throws Exception {
        List<UdpHandle> handles = new ArrayList<>();
        int bindPort = port;
        for (Loop loop : loops) {
            int p = bindPort;
            int flags = loops.size() > 1 ? UdpHandle.REUSEPORT : 0;
            UdpHandle h = FfmRawEcho.onLoop(loop, () -> {
                UdpHandle[] self = new UdpHandle[1];
                self[0] = new UdpHandle(loop, AF_INET, SLOT_SIZE, new Echo(self));
                check(self[0].bind("127.0.0.1", p, flags), "bind");
                check(self[0].startReceiving(), "startReceiving");
                return self[0];
            });
            handles.add(h);
            bindPort = h.localAddress().port();
        }
        return new FfmRawUdp(loops, handles, bindPort);
    }

    private static void check(int r, String what) {
        if (r < 0) {
            throw new IllegalStateException("ffm-raw UDP " + what + " failed: errno " + r);
        }
    }

    void close() throws Exception {
        for (int i = 0; i < handles.size(); i++) {
            UdpHandle h = handles.get(i);
            FfmRawEcho.onLoop(loops.get(i), () -> {
                h.close();
                return null;
            });
        }
    }

    /** Sends each datagram back from the memory it arrived in. */
    private record Echo(UdpHandle[] self) implements UdpHandle.Receiver {
        @Override
        public void onMessage(Chunk chunk, int offset, int length, int size, Peer from) {
            // The receiver's reference to the chunk goes to the request, which releases it.
            SendRequest reply = new SendRequest(1, from.address(), from.port(), IGNORE)
                    .add(chunk, chunk.generation(), chunk.address + offset, length);
            self[0].send(reply);
        }

        @Override
        public void onReceiveError(int negErrno) { }
    }
}
