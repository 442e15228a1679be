package io.ffmnet.examples.dgram;

import io.ffmnet.Buffer;
import io.ffmnet.DatagramSocket;
import io.ffmnet.Dgram;
import io.ffmnet.Timers;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The seeds' multicast server (seed 003, "2.8.1 服务器"): every second, sends the time to group
 * 230.185.192.108, port 8080.
 *
 * <pre>
 * let server = dgram.createSocket('udp4');
 * server.on('listening', function () {
 *   server.MulticastTTL(128);
 *   server.setMulticastLoopback(true);
 *   server.addMembership('230.185.192.108');
 * });
 * setInterval(broadcast, 1000);
 * function broadcast() {
 *   let buffer = Buffer.from(new Date().toLocaleString());
 *   server.send(buffer, 0, buffer.length, 8080, "230.185.192.108");
 * }
 * </pre>
 *
 * The seed's {@code MulticastTTL} is a typo for {@code setMulticastTTL}. The socket binds on its
 * first send, which is when {@code listening} comes. Arguments: {@code [interfaceAddress]}, the
 * address of the interface the group traffic should leave by (by default the kernel's choice,
 * the interface of the multicast or default route).
 */
public final class MulticastServer {
    static final String GROUP = "230.185.192.108";

    public static void main(String[] args) {
        String iface = args.length > 0 ? args[0] : null;
        DatagramSocket server = Dgram.createSocket("udp4");
        server.on(DatagramSocket.LISTENING, () -> {
            server.setMulticastTTL(128);
            server.setMulticastLoopback(true);
            if (iface != null) {
                server.setMulticastInterface(iface);
            }
            server.addMembership(GROUP, iface);
        });
        server.on(DatagramSocket.ERROR, err -> System.err.println(err.getMessage()));
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy/M/d HH:mm:ss");
        Timers.setInterval(() -> {
            Buffer buffer = Buffer.from(LocalDateTime.now().format(format));
            server.send(buffer, 0, buffer.length(), 8080, GROUP);
            buffer.release();
        }, 1000);
    }
}
