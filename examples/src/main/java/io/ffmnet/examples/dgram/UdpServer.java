package io.ffmnet.examples.dgram;

import io.ffmnet.DatagramSocket;
import io.ffmnet.Dgram;

/**
 * The seeds' UDP server (seed 003, "2.5 UDP服务器"): prints each datagram and who sent it, and
 * sends it back. The reply passes the received buffer itself: nothing is copied.
 *
 * <pre>
 * var socket = dgram.createSocket('udp4');
 * socket.on('message', function (msg, rinfo) {
 *   console.log(msg.toString());
 *   console.log(rinfo);
 *   socket.send(msg, 0, msg.length, rinfo.port, rinfo.address);
 * });
 * socket.bind(41234, 'localhost');
 * </pre>
 *
 * Arguments: {@code [port] [address]}, by default {@code 41234 localhost}.
 */
public final class UdpServer {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 41234;
        String address = args.length > 1 ? args[1] : "localhost";
        DatagramSocket socket = Dgram.createSocket("udp4");
        socket.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            System.out.println(msg.toString());
            System.out.println(rinfo);
            socket.send(msg, 0, msg.length(), rinfo.port(), rinfo.address());
        });
        socket.on(DatagramSocket.ERROR, err -> {
            System.err.println(err.getMessage());
            socket.close();
        });
        socket.bind(port, address, () -> System.out.println("listening on " + socket.address()));
    }
}
