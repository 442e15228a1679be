package io.ffmnet.examples.net;

import io.ffmnet.Net;
import io.ffmnet.Server;
import io.ffmnet.Socket;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seeds' chat room: the first line a client sends is its nickname; every later line goes to
 * all the others, prefixed with the sender's name. Joins and leaves are announced with the number
 * of people online. Try it with {@code nc localhost 8080} in a few terminals.
 *
 * <p>All listeners run on the one event-loop thread, so the map of members needs no lock.
 */
public final class ChatServer {
    private final Map<Socket, String> members = new LinkedHashMap<>();

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        new ChatServer().start(port);
    }

    /** Starts the room on {@code port} (0 for any) and returns the server. */
    public Server start(int port) {
        Server server = Net.createServer(this::join);
        server.listen(port, () -> System.out.println("chat room on port " + server.address().port()));
        return server;
    }

    private void join(Socket socket) {
        socket.setEncoding(StandardCharsets.UTF_8);
        socket.write("Welcome! What is your nickname?\r\n");
        StringBuilder pending = new StringBuilder();
        socket.on(Socket.TEXT, text -> {
            pending.append(text);
            int eol;
            while ((eol = pending.indexOf("\n")) >= 0) {
                String line = pending.substring(0, eol).strip();
                pending.delete(0, eol + 1);
                onLine(socket, line);
            }
        });
        socket.on(Socket.CLOSE, hadError -> leave(socket));
        socket.on(Socket.ERROR, err -> System.out.println("client error: " + err.getMessage()));
    }

    private void onLine(Socket socket, String line) {
        String name = members.get(socket);
        if (name == null) {
            if (line.isEmpty() || members.containsValue(line)) {
                socket.write("That nickname is taken or empty, choose another:\r\n");
                return;
            }
            members.put(socket, line);
            socket.write("Hello " + line + ", " + members.size() + " online.\r\n");
            broadcast(socket, "* " + line + " joined, " + members.size() + " online.");
        } else if (!line.isEmpty()) {
            broadcast(socket, name + ": " + line);
        }
    }

    private void leave(Socket socket) {
        String name = members.remove(socket);
        if (name != null) {
            broadcast(socket, "* " + name + " left, " + members.size() + " online.");
        }
    }

    /** Sends {@code message} to everyone in the room except {@code from}. */
    private void broadcast(Socket from, String message) {
        System.out.println(message);
        for (Socket member : members.keySet()) {
            if (member != from) {
                member.write(message + "\r\n");
            }
        }
    }
}
