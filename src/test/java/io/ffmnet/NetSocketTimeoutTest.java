package io.ffmnet;

import io.ffmnet.SocketTestSupport.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.connect;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.onLoop;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Node's {@code socket.setTimeout()}: {@code 'timeout'} after the given idle time, the socket
 * left open; reads and writes postpone it; 0 disables it; {@code ConnectOptions.timeout}. Only
 * the order of events is asserted, never how long anything took.
 */
@Timeout(120)
class NetSocketTimeoutTest {
    /** An echo server: a client's writes come back, which is activity on both ends. */
    private static TestServer echoServer() {
        return server(s -> s.on(Socket.DATA, s::write));
    }

    @Test
    void timeoutIsEmittedAfterIdlenessAndTheSocketStaysOpen() {
        TestServer server = echoServer();
        Socket client = connect(server.port);
        CompletableFuture<String> echoed = new CompletableFuture<>();
        // once: the write below is activity, which arms the timeout again (see below).
        client.once(Socket.TIMEOUT, mustCall(() -> {
            assertFalse(client.destroyed());
            assertEquals("open", client.readyState());
            // Still usable: write, and the echo comes back.
            client.on(Socket.DATA, b -> echoed.complete(b.toString()));
            client.write("still here");
        }));
        client.setTimeout(30);
        awaitCalls();
        assertEquals("still here", await(echoed));
        destroyAll(client);
        server.close();
    }

    @Test
    void activityPostponesTheTimeout() {
        TestServer server = echoServer();
        Socket client = connect(server.port);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger writes = new AtomicInteger();
        AtomicReference<Timer> interval = new AtomicReference<>();
        client.on(Socket.DATA, b -> {});
        client.on(Socket.TIMEOUT, mustCall(() -> order.add("timeout")));
        onLoop(() -> {
            client.setTimeout(1_000);
            // Activity far more often than the timeout: it cannot fire until the writes stop.
            interval.set(Timers.setInterval(() -> {
                int n = writes.incrementAndGet();
                order.add("write " + n);
                client.write("ping");
                if (n == 5) {
                    interval.get().clear();
                }
            }, 20));
        });
        awaitCalls();
        assertEquals(List.of("write 1", "write 2", "write 3", "write 4", "write 5", "timeout"), order);
        destroyAll(client);
        server.close();
    }

    @Test
    void activityAfterATimeoutArmsItAgainAsNodesRefreshDoes() {
        TestServer server = echoServer();
        Socket client = connect(server.port);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        client.on(Socket.DATA, b -> order.add("echo"));
        Runnable second = mustCall(() -> order.add("timeout 2"));
        client.on(Socket.TIMEOUT, mustCall(() -> {
            if (order.contains("timeout 1")) {
                second.run();
                return;
            }
            order.add("timeout 1");
            client.write("x");
        }, 2));
        client.setTimeout(200);  // long enough for the echo's round trip on a busy machine
        awaitCalls();
        assertEquals(List.of("timeout 1", "echo", "timeout 2"), order);
        destroyAll(client);
        server.close();
    }

    @Test
    void setTimeoutZeroDisablesIt() {
        TestServer server = echoServer();
        Socket client = connect(server.port);
        client.on(Socket.TIMEOUT, mustNotCall());
        onLoop(() -> {
            client.setTimeout(20);
            client.setTimeout(0);
            Timers.setTimeout(mustCall(() -> {}), 100);  // well past the disabled timeout
        });
        awaitCalls();
        // Activity after disabling does not bring it back either.
        client.on(Socket.DATA, b -> {});
        client.write("x");
        onLoop(() -> Timers.setTimeout(mustCall(() -> {}), 100));
        awaitCalls();
        destroyAll(client);
        server.close();
    }

    @Test
    void theCallbackOverloadIsAOneTimeTimeoutListener() {
        TestServer server = echoServer();
        Socket client = connect(server.port);
        AtomicInteger plain = new AtomicInteger();
        client.on(Socket.DATA, b -> {});
        client.on(Socket.TIMEOUT, mustCall(() -> {
            if (plain.incrementAndGet() == 1) {
                client.write("x");  // activity: the timeout fires again later
            }
        }, 2));
        client.setTimeout(30, mustCall(() -> assertEquals(1, plain.get())));
        awaitCalls();
        destroyAll(client);
        server.close();
    }

    @Test
    void setTimeoutZeroWithTheCallbackRemovesIt() {
        TestServer server = echoServer();
        Socket client = connect(server.port);
        Runnable listener = mustNotCall();
        onLoop(() -> {
            client.setTimeout(20, listener);
            client.setTimeout(0, listener);
            assertEquals(0, client.listenerCount(Socket.TIMEOUT));
            client.setTimeout(20);
        });
        client.on(Socket.TIMEOUT, mustCall(() -> {}));
        awaitCalls();
        destroyAll(client);
        server.close();
    }

    @Test
    void aNegativeTimeoutThrowsErrOutOfRange() {
        Socket s = new Socket();
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> s.setTimeout(-1));
        assertEquals("ERR_OUT_OF_RANGE", e.code());
        assertEquals("The value of \"msecs\" is out of range. It must be a non-negative finite number. Received -1",
                e.getMessage());   // Node 20's words
        destroyAll(s);
    }

    @Test
    void connectOptionsTimeoutSetsTheIdleTimeout() {
        TestServer server = echoServer();
        Socket client = new Socket();
        client.on(Socket.TIMEOUT, mustCall(() -> assertFalse(client.destroyed())));
        client.connect(new ConnectOptions().port(server.port).host("127.0.0.1").timeout(30), mustCall(() -> {}));
        awaitCalls();
        destroyAll(client);
        server.close();
    }

    @Test
    void theTimeoutDoesNotFireAfterDestroy() {
        TestServer server = echoServer();
        Socket client = connect(server.port);
        client.on(Socket.TIMEOUT, mustNotCall());
        onLoop(() -> {
            client.setTimeout(20);
            client.destroy();
            Timers.setTimeout(mustCall(() -> {}), 100);
        });
        awaitCalls();
        server.close();
    }
}
