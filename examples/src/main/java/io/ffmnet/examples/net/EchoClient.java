package io.ffmnet.examples.net;

import io.ffmnet.ConnectOptions;
import io.ffmnet.Net;
import io.ffmnet.Socket;

/**
 * The seeds' echo client:
 *
 * <pre>
 * const client = net.createConnection({ port: 8124 }, () => {
 *   console.log('connected to server!');
 *   client.write('world!\r\n');
 * });
 * client.on('data', (data) => { console.log(data.toString()); client.end(); });
 * client.on('end', () => console.log('disconnected from server'));
 * </pre>
 */
public final class EchoClient {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8124;
        Socket client = Net.createConnection(new ConnectOptions().port(port), c -> {
            System.out.println("connected to server!");
            c.write("world!\r\n");
        });
        client.on(Socket.DATA, data -> {
            System.out.println(data);
            client.end();
        });
        client.on(Socket.END, () -> System.out.println("disconnected from server"));
    }
}
