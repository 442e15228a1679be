package io.ffmnet;

import io.ffmnet.SocketTestSupport.TestServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ffmnet.SocketTestSupport.await;
import static io.ffmnet.SocketTestSupport.destroyAll;
import static io.ffmnet.SocketTestSupport.server;
import static io.ffmnet.testing.Must.awaitCalls;
import static io.ffmnet.testing.Must.mustCall;
import static io.ffmnet.testing.Must.mustNotCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seeds' {@code net} programs (shared/seeds: Chinese tutorials on Node's net module) as
 * tests, written against the public API as a user would port them: the echo server and client,
 * the conversation that replies after a delay, the encoding echo that ends with 'byebye', and
 * the chat room.
 */
@Timeout(120)
class NetEchoSeedTest {

    /**
     * Seed 001/004: {@code c.write('hello\r\n'); c.pipe(c);} on the server; the client writes
     * 'world!\r\n' on connect and ends once it has the data.
     */
    @Test
    void theEchoServerAndClient() {
        List<String> serverLog = Collections.synchronizedList(new ArrayList<>());
        TestServer server = server(c -> {
            serverLog.add("client connected");
            c.on(Socket.END, mustCall(() -> serverLog.add("client disconnected")));
            c.write("hello\r\n");
            c.pipe(c);
        });
        StringBuilder got = new StringBuilder();
        CompletableFuture<Void> disconnected = new CompletableFuture<>();
        Socket[] client = new Socket[1];
        client[0] = Net.createConnection(new ConnectOptions().port(server.port).host("127.0.0.1"),
                mustCall((Socket s) -> s.write("world!\r\n")));
        // Listeners are added from the test thread while the loop already runs the socket: the
        // DATA listener, which starts the flow, goes last so no event comes before its listener.
        client[0].on(Socket.END, () -> disconnected.complete(null));
        client[0].on(Socket.CLOSE, mustCall((Boolean hadError) -> assertFalse(hadError)));
        client[0].on(Socket.DATA, data -> {
            got.append(data.toString());
            if (got.toString().equals("hello\r\nworld!\r\n")) {
                client[0].end();
            }
        });
        await(disconnected);
        awaitCalls();
        assertEquals("hello\r\nworld!\r\n", got.toString());
        assertEquals(List.of("client connected", "client disconnected"), serverLog);
        server.close();
    }

    /**
     * Seed 004: the server answers each message after a delay (two seconds there, 20 ms here);
     * the client answers each reply at once. Three rounds, then the client ends.
     */
    @Test
    void theConversationThatRepliesAfterADelay() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger serverCount = new AtomicInteger();
        TestServer server = server(client -> {
            client.on(Socket.DATA, data -> {
                log.add("server got: " + data);
                Timers.setTimeout(() -> {
                    if (!client.destroyed()) {
                        client.write("server message " + serverCount.getAndIncrement());
                    }
                }, 20);
            });
            client.on(Socket.END, () -> log.add("client disconnected"));
            client.on(Socket.ERROR, mustNotCall());
        });
        AtomicInteger clientCount = new AtomicInteger();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Socket[] socket = new Socket[1];
        socket[0] = Net.createConnection(new ConnectOptions().port(server.port).host("127.0.0.1"),
                s -> s.write("initial data"));
        socket[0].on(Socket.CLOSE, hadError -> closed.complete(null));
        socket[0].on(Socket.DATA, data -> {  // last: it starts the flow
            log.add("client got: " + data);
            int i = clientCount.getAndIncrement();
            if (i < 2) {
                socket[0].write("client data: " + i);
            } else {
                socket[0].end();
            }
        });
        await(closed);
        assertEquals(List.of(
                "server got: initial data", "client got: server message 0",
                "server got: client data: 0", "client got: server message 1",
                "server got: client data: 1", "client got: server message 2",
                "client disconnected"), log);
        server.close();
    }

    /**
     * Seed 003: the server sets UTF-8, answers every chunk with '服务器:' + data, destroys the
     * socket on 'end'; the client writes 'hello', then ends with 'byebye'.
     */
    @Test
    void theEncodingEchoThatEndsWithByebye() {
        List<String> serverLog = Collections.synchronizedList(new ArrayList<>());
        TestServer server = server(socket -> {
            socket.setEncoding(StandardCharsets.UTF_8);
            socket.on(Socket.TEXT, data -> {
                serverLog.add("received " + data);
                socket.write("服务器:" + data);
            });
            socket.on(Socket.ERROR, mustNotCall());
            socket.on(Socket.END, () -> socket.destroy());
            socket.on(Socket.CLOSE, hasError -> serverLog.add(hasError ? "异常关闭" : "正常关闭"));
        });
        Socket client = new Socket();
        client.setEncoding(StandardCharsets.UTF_8);
        StringBuilder got = new StringBuilder();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        client.on(Socket.TEXT, text -> {
            got.append(text);
            // The seed ends five seconds after 'hello'; waiting for the reply instead keeps the
            // two messages apart however slow the machine is.
            if (got.toString().equals("服务器:hello")) {
                client.end("byebye");
            }
        });
        client.on(Socket.ERROR, mustNotCall());
        client.on(Socket.CLOSE, hadError -> closed.complete(null));
        client.connect(server.port, "127.0.0.1", () -> client.write("hello"));
        await(closed);
        assertEquals("服务器:hello服务器:byebye", got.toString());
        assertEquals(List.of("received hello", "received byebye", "正常关闭"), serverLog);
        server.close();
    }

    // ---- the chat room ---------------------------------------------------------------------

    /**
     * The seeds' chat room 1.0, working as its comment says it should: greet each client with the
     * number of users, take the first line as the nickname, broadcast every later line to the
     * others only, announce joins and leaves with the online count; 'byebye' leaves. Everything
     * runs on the loop thread, so the map needs no lock.
     */
    private static final class ChatRoom {
        final Map<String, Socket> clients = new LinkedHashMap<>();
        final TestServer server;

        ChatRoom() {
            server = server(this::join);
        }

        private void join(Socket socket) {
            server.server.getConnections((err, count) -> {
                assertNull(err);
                socket.write("welcome, there are " + count + " users now, please input your username\r\n");
            });
            String[] nickname = new String[1];
            StringBuilder pending = new StringBuilder();
            socket.setEncoding(StandardCharsets.UTF_8);
            socket.on(Socket.TEXT, data -> {
                pending.append(data);
                int eol;
                while ((eol = pending.indexOf("\r\n")) >= 0) {
                    String line = pending.substring(0, eol);
                    pending.delete(0, eol + 2);
                    if (line.equals("byebye")) {
                        socket.end();
                    } else if (nickname[0] != null) {
                        broadcast(nickname[0], nickname[0] + ": " + line);
                    } else {
                        nickname[0] = line;
                        clients.put(line, socket);
                        broadcast(line, "welcome " + line + " joined us! " + clients.size() + " online");
                    }
                }
            });
            socket.on(Socket.CLOSE, hadError -> {
                if (nickname[0] != null && clients.remove(nickname[0]) != null) {
                    broadcast(nickname[0], nickname[0] + " left, " + clients.size() + " online");
                }
            });
        }

        /** To everyone but {@code from} (the seed's loop also destroyed the sender: a bug). */
        private void broadcast(String from, String message) {
            for (Map.Entry<String, Socket> e : clients.entrySet()) {
                if (!e.getKey().equals(from)) {
                    e.getValue().write(message + "\r\n");
                }
            }
        }
    }

    /** A chat client: its received lines, in order, for the test thread. */
    private static final class ChatClient {
        final Socket socket;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final CompletableFuture<Boolean> closed = new CompletableFuture<>();

        ChatClient(int port) {
            socket = new Socket();
            socket.setEncoding(StandardCharsets.UTF_8);
            StringBuilder pending = new StringBuilder();
            socket.on(Socket.TEXT, text -> {
                pending.append(text);
                int eol;
                while ((eol = pending.indexOf("\r\n")) >= 0) {
                    lines.add(pending.substring(0, eol));
                    pending.delete(0, eol + 2);
                }
            });
            socket.on(Socket.CLOSE, closed::complete);
            socket.connect(port, "127.0.0.1");
        }

        String next() throws InterruptedException {
            String line = lines.poll(SocketTestSupport.HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("no line arrived");
            }
            return line;
        }

        void say(String line) {
            socket.write(line + "\r\n");
        }
    }

    @Test
    void theChatRoomWithThreeClients() throws InterruptedException {
        ChatRoom room = new ChatRoom();
        int port = room.server.port;

        ChatClient alice = new ChatClient(port);
        assertEquals("welcome, there are 1 users now, please input your username", alice.next());
        alice.say("alice");

        ChatClient bob = new ChatClient(port);
        assertEquals("welcome, there are 2 users now, please input your username", bob.next());
        bob.say("bob");
        assertEquals("welcome bob joined us! 2 online", alice.next());

        ChatClient carol = new ChatClient(port);
        assertEquals("welcome, there are 3 users now, please input your username", carol.next());
        carol.say("carol");
        assertEquals("welcome carol joined us! 3 online", alice.next());
        assertEquals("welcome carol joined us! 3 online", bob.next());

        alice.say("hi all");
        assertEquals("alice: hi all", bob.next());
        assertEquals("alice: hi all", carol.next());
        carol.say("hello alice, 你好");
        assertEquals("carol: hello alice, 你好", alice.next());
        assertEquals("carol: hello alice, 你好", bob.next());

        bob.say("byebye");
        assertFalse(await(bob.closed), "bob left cleanly");
        assertEquals("bob left, 2 online", alice.next());
        assertEquals("bob left, 2 online", carol.next());

        alice.socket.end();
        assertEquals("alice left, 1 online", carol.next());
        assertFalse(await(alice.closed));
        carol.socket.end();
        assertFalse(await(carol.closed));

        // Nobody heard their own messages or anything else.
        assertTrue(alice.lines.isEmpty(), alice.lines.toString());
        assertTrue(bob.lines.isEmpty(), bob.lines.toString());
        assertTrue(carol.lines.isEmpty(), carol.lines.toString());
        destroyAll(alice.socket, bob.socket, carol.socket);
        room.server.close();
    }
}
