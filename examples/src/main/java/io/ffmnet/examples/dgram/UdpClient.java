package io.ffmnet.examples.dgram;

import io.ffmnet.Buffer;
import io.ffmnet.DatagramSocket;
import io.ffmnet.Dgram;

/**
 * The seeds' UDP client (seed 003, "2.6 UDP客户端"): sends the first 6 bytes of a UTF-8 string
 * (two characters) to the server and prints the answer.
 *
 * <pre>
 * var socket = dgram.createSocket('udp4');
 * socket.on('message', function (msg, rinfo) {
 *   console.log(msg.toString());
 *   console.log(rinfo);
 * });
 * socket.setTTL(128);
 * socket.send(new Buffer('珠峰培训'), 0, 6, 41234, 'localhost', function (err, bytes) {
 *   console.log('发送了个%d字节', bytes);
 * });
 * socket.on('error', function (err) { console.error(err); });
 * </pre>
 *
 * Two changes: {@code setTTL} moves into the {@code listening} listener, because a socket that
 * is not bound yet has no descriptor and Node itself throws {@code setTTL EBADF} there; and the
 * client closes once answered, where the seed runs until interrupted. Arguments:
 * {@code [port] [host]}, by default {@code 41234 localhost}.
 */
public final class UdpClient {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 41234;
        String host = args.length > 1 ? args[1] : "localhost";
        DatagramSocket socket = Dgram.createSocket("udp4");
        socket.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            System.out.println(msg.toString());
            System.out.println(rinfo);
            socket.close();
        });
        socket.on(DatagramSocket.LISTENING, () -> socket.setTTL(128));
        Buffer message = Buffer.from("珠峰培训");
        socket.send(message, 0, 6, port, host, (err, bytes) -> {
            if (err != null) {
                System.err.println(err.getMessage());
                socket.close();
            } else {
                System.out.printf("发送了个%d字节%n", bytes);
            }
        });
        message.release();   // our reference; the send keeps its own until the datagram is out
        socket.on(DatagramSocket.ERROR, err -> System.err.println(err.getMessage()));
    }
}
