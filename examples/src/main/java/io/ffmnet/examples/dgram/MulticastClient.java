package io.ffmnet.examples.dgram;

import io.ffmnet.DatagramOptions;
import io.ffmnet.DatagramSocket;
import io.ffmnet.Dgram;

/**
 * The seeds' multicast client (seed 003, "2.8.2 客户端"): joins group 230.185.192.108 and prints
 * what is sent to it on port 8080.
 *
 * <pre>
 * let client = dgram.createSocket('udp4');
 * client.on('listening', function () {
 *   client.addMembership('230.185.192.108');
 * });
 * client.on('message', function (message, remote) {
 *   console.log(message.toString());
 * });
 * client.bind(8080, '192.168.1.103');
 * </pre>
 *
 * The seed binds to its unicast address 192.168.1.103; on Linux such a socket receives no group
 * traffic (its destination is the group, not that address), so the port binds the wildcard
 * address and joins on the interface with the given address instead. {@code reuseAddr} lets
 * several clients on one host share the port. Arguments: {@code [interfaceAddress]}.
 */
public final class MulticastClient {
    public static void main(String[] args) {
        String iface = args.length > 0 ? args[0] : null;
        DatagramSocket client = Dgram.createSocket(new DatagramOptions().type("udp4").reuseAddr(true));
        client.on(DatagramSocket.LISTENING, () -> client.addMembership(MulticastServer.GROUP, iface));
        client.on(DatagramSocket.MESSAGE, (message, remote) -> System.out.println(message.toString()));
        client.on(DatagramSocket.ERROR, err -> System.err.println(err.getMessage()));
        client.bind(8080, "0.0.0.0");
    }
}
