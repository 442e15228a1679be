package io.ffmnet.examples.dgram;

import io.ffmnet.DatagramSocket;
import io.ffmnet.Dgram;

/**
 * The seeds' broadcast client (seed 003, "2.7.2 客户端"): binds port 41235, says hello to the
 * server, and prints what comes back by broadcast.
 *
 * <pre>
 * let client = dgram.createSocket('udp4');
 * client.bind(41235, '192.168.1.102');
 * let buf = new Buffer('hello');
 * client.send(buf, 0, buf.length, 41234, '192.168.1.100');
 * client.on('message', function (msg, rinfo) {
 *   console.log('received : ', msg);
 * });
 * </pre>
 *
 * Arguments: {@code [serverAddress] [bindAddress]}, by default {@code 192.168.1.100 0.0.0.0}.
 * The seed binds to its unicast address 192.168.1.102; on Linux a socket bound to a unicast
 * address does not receive broadcasts, so the port binds the wildcard address instead.
 */
public final class BroadcastClient {
    public static void main(String[] args) {
        String server = args.length > 0 ? args[0] : "192.168.1.100";
        String bindAddress = args.length > 1 ? args[1] : "0.0.0.0";
        DatagramSocket client = Dgram.createSocket("udp4");
        client.bind(41235, bindAddress);
        client.send("hello", 41234, server);
        client.on(DatagramSocket.MESSAGE, (msg, rinfo) -> System.out.println("received : " + msg));
        client.on(DatagramSocket.ERROR, err -> {
            System.err.println(err.getMessage());
            client.close();
        });
    }
}
