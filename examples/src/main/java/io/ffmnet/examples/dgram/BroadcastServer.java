package io.ffmnet.examples.dgram;

import io.ffmnet.Buffer;
import io.ffmnet.DatagramSocket;
import io.ffmnet.Dgram;

/**
 * The seeds' broadcast server (seed 003, "2.7.1 服务器"): answers every datagram by broadcasting
 * a reply to port 41235 on the subnet.
 *
 * <pre>
 * let server = dgram.createSocket('udp4');
 * server.on('message', function (msg) {
 *   let buf = new Buffer('已经接收客户端发送的数据' + msg);
 *   server.setBroadcast(true);
 *   server.send(buf, 0, buf.length, 41235, "192.168.1.255");
 * });
 * server.bind(41234, '192.168.1.100');
 * </pre>
 *
 * Arguments: {@code [bindAddress] [broadcastAddress]}, by default the seed's
 * {@code 192.168.1.100 192.168.1.255}: use an address of this host and its subnet's broadcast
 * address (not 255.255.255.255, which leaves by the default route).
 */
public final class BroadcastServer {
    public static void main(String[] args) {
        String bindAddress = args.length > 0 ? args[0] : "192.168.1.100";
        String broadcast = args.length > 1 ? args[1] : "192.168.1.255";
        DatagramSocket server = Dgram.createSocket("udp4");
        server.on(DatagramSocket.MESSAGE, (msg, rinfo) -> {
            Buffer buf = Buffer.from("已经接收客户端发送的数据" + msg);
            server.setBroadcast(true);
            server.send(buf, 0, buf.length(), 41235, broadcast);
            buf.release();
        });
        server.on(DatagramSocket.ERROR, err -> {
            System.err.println(err.getMessage());
            server.close();
        });
        server.bind(41234, bindAddress, () -> System.out.println("listening on " + server.address()));
    }
}
